"""The report of a submission run, from its validated input and each row's outcome — the
outcomes of the engine as it finishes, or those the ledger saved, for a report written later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.config import describe_target
from pipeline.core.errors import SimadError
from pipeline.core.i18n import counts_text, in_status_order, t, when_text
from pipeline.core.redact import scrub
from pipeline.sheets.report import (
    MESSAGE_SEPARATOR,
    SUBMIT_COLUMNS,
    Report,
    input_summary,
    run_sheets,
)
from pipeline.sheets.validation import SheetResult, ValidationRun
from pipeline.simad.engine import NOT_SENT, Engine, RowOutcome


def fatal_text(exc: BaseException | None) -> str | None:
    """What the report and the ledger say about why a run stopped (never a secret)."""
    if exc is None:
        return None
    if isinstance(exc, SimadError):
        return scrub(exc)
    return t("internal_error", error=type(exc).__name__)


def submit_report(
    run: ValidationRun,
    outcome: Callable[[SheetResult, int], RowOutcome],
    *,
    run_id: str,
    target: str,
    elapsed: float,
    stopped: str | None,
    log_file: Path | None,
) -> Report:
    counts: dict[str, int] = {}
    for result in run.results:
        for i in range(len(result.sheet.rows)):
            status = outcome(result, i).status or NOT_SENT
            counts[status] = counts.get(status, 0) + 1
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_submit")),
        (t("sum_target"), describe_target(target, labelled=False)),
        (t("sum_run_id"), run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    if stopped:
        summary.append((t("sum_fatal"), stopped))
    if log_file is not None:
        summary.append((t("sum_log"), str(log_file)))
    summary += input_summary(run)

    def row_results(result: SheetResult, i: int) -> list[Any]:
        o = outcome(result, i)
        return [
            result.sheet.row_numbers[i],
            o.status or NOT_SENT,
            MESSAGE_SEPARATOR.join(o.all_messages()),
            o.http_status,
            o.server_message,
            o.trace_id,
            o.attempts or None,
            when_text(o.sent_at),
        ]

    rows = [[status, n] for status, n in in_status_order(counts)]
    return Report(
        summary,
        [t("sum_status"), t("sum_count")],
        rows,
        run_sheets(run, SUBMIT_COLUMNS, row_results),
        headline=t("submit_summary", counts=counts_text(counts)),
        status_counts=True,
    )


def row_lines(engine: Engine) -> Iterator[tuple[Any, ...]]:
    """One ledger line per input row; only the engine's messages (validation's are
    recomputed from the input when a report is rebuilt)."""
    for n, outcomes in engine.outcomes.items():
        for i, o in enumerate(outcomes):
            own = o.messages
            yield (
                n,
                i,
                o.status or NOT_SENT,
                MESSAGE_SEPARATOR.join(own) or None,
                o.http_status,
                o.server_message,
                o.trace_id,
                o.attempts,
                o.sent_at,
            )
