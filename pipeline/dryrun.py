"""``simad validate``: validate input files and write the marked-up report. No network."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .i18n import t
from .report import (
    MESSAGE_SEPARATOR,
    VALIDATE_COLUMNS,
    Report,
    ReportSheet,
    file_sha256,
    findings_marks,
    write_report,
)
from .validation import INVALID, VALID, ValidationRun, validate_paths


def validation_report(run: ValidationRun, elapsed: float, run_id: str) -> Report:
    summary: list[tuple[str, object]] = [
        (t("sum_mode"), t("sum_mode_validate")),
        (t("sum_run_id"), run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    for book in run.books:
        summary.append((t("sum_input"), str(book.path)))
        summary.append((t("sum_sha256"), file_sha256(book.path)))
        if book.skipped:
            summary.append((t("sum_skipped"), "، ".join(book.skipped)))
    counts = []
    sheets = []
    for result in run.results:
        sheet = result.sheet
        c = result.counts()
        counts.append(
            [
                sheet.path.name,
                sheet.name,
                t(f"kind_{sheet.kind}"),
                len(sheet.rows),
                c[VALID],
                c[INVALID],
                c["warnings"],
            ]
        )
        index_of = {row: i for i, row in enumerate(sheet.row_numbers)}
        marks = findings_marks([(index_of[f.row], f) for f in result.findings])
        results = []
        for i, row in enumerate(sheet.row_numbers):
            found = result.by_row.get(row, [])
            results.append(
                [row, result.status(i), MESSAGE_SEPARATOR.join(f.message for f in found)]
            )
        title = sheet.name if len(run.books) == 1 else f"{sheet.path.stem}-{sheet.name}"
        sheets.append(
            ReportSheet(title, sheet.headers, sheet.rows, VALIDATE_COLUMNS, results, marks)
        )
    header = [
        t("col_file"),
        t("col_sheet"),
        t("col_kind"),
        t("col_rows"),
        VALID,
        INVALID,
        t("col_warnings"),
    ]
    return Report(summary, header, counts, sheets)


def default_report_path(inputs: list[Path], suffix: str) -> Path:
    return Path.cwd() / f"{inputs[0].stem}-{suffix}.xlsx"


def run_validate(
    inputs: Iterable[Path | str],
    *,
    report_path: Path | str | None = None,
    kind: str | None = None,
    lang: str = "fa",
    course_codes: Path | str | None = None,
) -> tuple[ValidationRun, Path]:
    """Validate ``inputs`` and write the report; return the run and where the report is."""
    started = time.perf_counter()
    paths = [Path(p) for p in inputs]
    run = validate_paths(paths, kind=kind, lang=lang, course_codes=course_codes)
    write_started = time.perf_counter()
    target = Path(report_path) if report_path else default_report_path(paths, "validation")
    report = validation_report(run, time.perf_counter() - started, uuid.uuid4().hex[:12])
    write_report(report, target)
    run.timings["report"] = time.perf_counter() - write_started
    return run, target
