"""`simad validate`: validate input files and write the marked-up report. No network."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.config import resolve_target, simad_home
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import t, word
from pipeline.core.status import Validation
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import (
    MESSAGE_SEPARATOR,
    VALIDATE_COLUMNS,
    Report,
    default_report_path,
    input_summary,
    prepare_report_path,
    run_sheets,
    write_report,
)
from pipeline.sheets.validation import SheetResult, ValidationRun, finding_groups, validate_paths
from pipeline.simad.ledger import Ledger

# What the faces use: the run, and its findings grouped by rule.
__all__ = ["ValidationRun", "finding_groups", "run_validate", "validation_report"]


def run_validate(
    inputs: Iterable[Path | str],
    *,
    report_path: Path | str | None = None,
    kind: str | None = None,
    course_codes: Path | str | None = None,
    mapping: Mapping | None = None,
    ctx: Context = Context(),
) -> tuple[ValidationRun, Path]:
    """Validate ``inputs`` and write the report; return the run and where the report is."""
    with ctx.applied():
        started = time.perf_counter()
        paths = [Path(p) for p in inputs]
        target = prepare_report_path(report_path or default_report_path(paths, "validation"))
        run = validate_paths(
            paths,
            kind=kind,
            course_codes=course_codes,
            known_students=known_from_ledger(),
            mapping=mapping,
        )
        write_started = time.perf_counter()
        report = validation_report(run, time.perf_counter() - started, uuid.uuid4().hex[:12])
        target = write_report(report, target)  # beside it when it is open in Excel
        run.timings["report"] = time.perf_counter() - write_started
        return run, target


def validation_report(run: ValidationRun, elapsed: float, run_id: str) -> Report:
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_validate")),
        (t("sum_run_id"), run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
        *input_summary(run),
    ]
    counts = []
    for result in run.results:
        sheet = result.sheet
        c = result.counts()
        counts.append(
            [
                sheet.path.name,
                sheet.name,
                t(f"kind_{sheet.kind}"),
                len(sheet.rows),
                c[Validation.VALID],
                c[Validation.INVALID],
                c["warnings"],
            ]
        )

    def row_results(result: SheetResult, i: int) -> list[Any]:
        found = result.row_findings(i)
        return [
            result.sheet.row_numbers[i],
            result.status(i),
            MESSAGE_SEPARATOR.join(f.message for f in found),
        ]

    header = [
        t("col_file"),
        t("col_sheet"),
        t("col_kind"),
        t("col_rows"),
        word(Validation.VALID),
        word(Validation.INVALID),
        t("col_warnings"),
    ]
    return Report(
        summary,
        header,
        counts,
        run_sheets(run, VALIDATE_COLUMNS, row_results),
        headline=run.verdict(),
    )


def known_from_ledger(target: str | None = None) -> set[str]:
    """Residents ``target`` (default: SIMAD_TARGET, else the sandbox) accepted in earlier
    runs, read from the local ledger; no network."""
    path = simad_home() / "ledger.db"
    if not path.exists():
        return set()
    try:
        target = resolve_target(target)
    except ConfigError:
        return set()
    ledger = Ledger(path)
    try:
        return ledger.accepted_students(target)
    finally:
        ledger.close()
