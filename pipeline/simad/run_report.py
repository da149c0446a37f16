"""The report of a submission run, from its validated input and each row's outcome — the
outcomes of the engine as it finishes, or those the ledger saved, for a report written later.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from pipeline.sheets.validation import SheetResult
from pipeline.simad.engine import Outcomes


def fatal_text(exc: BaseException | None) -> str | None:
    """What the report and the ledger say about why a run stopped (never a secret)."""
    if exc is None:
        return None
    if isinstance(exc, SimadError):
        return scrub(exc)
    return t("internal_error", error=type(exc).__name__)


@dataclass(frozen=True)
class RunFacts:
    """What a report says about the run besides its rows."""

    run_id: str
    target: str
    elapsed: float  # seconds
    stopped: str | None = None  # why the run stopped, if it did
    log_file: Path | None = None


def submit_report(outcomes: Outcomes, facts: RunFacts) -> Report:
    """The report of a run: a summary, the counts per status, and every input sheet with
    each row's outcome."""
    counts = outcomes.counts()
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_submit")),
        (t("sum_target"), describe_target(facts.target, labelled=False)),
        (t("sum_run_id"), facts.run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(facts.elapsed, 2)),
    ]
    if facts.stopped:
        summary.append((t("sum_fatal"), facts.stopped))
    if facts.log_file is not None:
        summary.append((t("sum_log"), str(facts.log_file)))
    summary += input_summary(outcomes.run)

    def row_results(result: SheetResult, i: int) -> list[Any]:
        o = outcomes.outcome(result, i)
        return [
            result.sheet.row_numbers[i],
            o.final,
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
        run_sheets(outcomes.run, SUBMIT_COLUMNS, row_results),
        headline=t("submit_summary", counts=counts_text(counts)),
        status_counts=True,
    )
