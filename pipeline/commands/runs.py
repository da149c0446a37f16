"""`simad runs`: the ledger's runs, and a report written again for a run that could not."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.core.config import simad_home
from pipeline.core.context import Context
from pipeline.core.digits import ascii_digits
from pipeline.core.errors import InputFileError
from pipeline.core.i18n import MESSAGES, t
from pipeline.core.result import Result
from pipeline.core.status import Submission
from pipeline.sheets.report import (
    default_report_path,
    file_sha256,
    prepare_report_path,
    write_report,
)
from pipeline.sheets.validation import Finding, ValidationRun, validate_paths
from pipeline.simad.engine import Outcomes, RowOutcome, SheetOutcomes
from pipeline.simad.ledger import Ledger
from pipeline.simad.run_report import RunFacts, submit_report
from pipeline.simad.runlock import is_running

# How a run ended, in words: the ledger's state read with its reason (``stopped``) and its
# rows' messages (a Stop from the page leaves every row not sent "stopped with Stop").
ENDINGS = {
    "done": "run_ending_done",
    "clerk": "run_ending_clerk",
    "interrupted": "run_ending_interrupted",
    "login": "run_ending_login",
    "stopped": "run_ending_stopped",
    "running": "run_ending_running",
}
REFUSED_LOGIN = re.compile(r"\(HTTP ([0-9\u06f0-\u06f9\u0660-\u0669]+)\)\s*:\s*(.*)", re.S)


@dataclass
class RunRow(Result):
    id: str
    started_at: float
    target: str
    state: str  # done · stopped · interrupted · running
    counts: dict[str, int]
    report: str | None
    ending: str = "done"  # a key of ENDINGS: the state as the clerk knows it
    reason: str | None = None  # why it stopped, in the current language where it can be
    inputs: list[str] = field(default_factory=list)  # the input files' names

    @property
    def ending_words(self) -> str:
        return t(ENDINGS[self.ending])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": datetime.fromtimestamp(self.started_at).isoformat(timespec="seconds"),
            "target": self.target,
            "state": self.state,
            "counts": self.counts,
            "report": self.report,
            "ending": self.ending,
            "reason": self.reason,
            "inputs": self.inputs,
        }


def list_runs(limit: int = 20, *, ctx: Context = Context()) -> list[RunRow]:
    """The latest runs, newest first; one whose process is gone shows as ``interrupted``."""
    with ctx.applied():
        home = simad_home()
        ledger = Ledger(home / "ledger.db")
        try:
            out = []
            for r in ledger.runs(limit):
                state = r["state"]
                if state == "running" and not is_running(home, r["target"]):
                    state = "interrupted"
                ending, reason = _ending(ledger, r, state)
                names = [Path(str(p)).name for p in r.get("inputs") or []]
                out.append(
                    RunRow(
                        r["id"],
                        r["started_at"],
                        r["target"],
                        state,
                        r["counts"],
                        r.get("report"),
                        ending,
                        reason,
                        names,
                    )
                )
            return out
        finally:
            ledger.close()


def _ending(ledger: Ledger, record: dict[str, Any], state: str) -> tuple[str, str | None]:
    """How the run ended (a key of ENDINGS) and why: the marker the run recorded when it
    ended; for a ledger older than the marker, read again from its messages."""
    stopped = record.get("stopped")
    marker = record.get("ending")
    if state != "running" and marker in ENDINGS:
        return marker, _reason(marker, stopped)
    if state == "stopped":
        refused = _refused_login(str(stopped or ""))
        return ("login", refused) if refused is not None else ("stopped", stopped)
    if state == "interrupted":
        if _stopped_by_clerk(ledger, record["id"]):
            return "clerk", t("run_reason_clerk")
        return "interrupted", t("run_reason_interrupted")
    return (state, None) if state in ENDINGS else ("interrupted", stopped)


def _reason(ending: str, stopped: str | None) -> str | None:
    """Why a run ended so, in the current language."""
    if ending == "clerk":
        return t("run_reason_clerk")
    if ending == "interrupted":
        return t("run_reason_interrupted")
    if ending == "login":
        return _refused_login(str(stopped or "")) or stopped
    return stopped if ending == "stopped" else None


def _refused_login(stopped: str) -> str | None:
    """A refused login's reason, said again in the current language (None: another fault)."""
    if not any(stopped.startswith(_prefix("auth_refused", lang)) for lang in ("fa", "en")):
        return None
    found = REFUSED_LOGIN.search(stopped)
    if found is None:
        return stopped
    return t("auth_refused", status=int(ascii_digits(found.group(1))), text=found.group(2))


def _prefix(key: str, lang: str) -> str:
    return MESSAGES[key][lang].split("{", 1)[0]


def _stopped_by_clerk(ledger: Ledger, run_id: str) -> bool:
    """Whether the rows left unsent say the Stop button was pressed (in either language)."""
    said = set(MESSAGES["not_sent_stopped"].values())
    lines = ledger.saved_rows(run_id).values()
    return any(text in str(line.get("messages") or "") for line in lines for text in said)


def rebuild_report(run_id: str, out: Path | None = None, *, ctx: Context = Context()) -> Path:
    """Write the report of an earlier run from its input files and the ledger (when the run
    could not write it: disk full, folder removed). The inputs must be unchanged."""
    with ctx.applied():
        ledger = Ledger(simad_home() / "ledger.db")
        try:
            record, saved = _saved_run(ledger, run_id)
            inputs = [Path(p) for p in record["inputs"]]
            target_path = prepare_report_path(
                out or record.get("report") or default_report_path(inputs, f"submission-{run_id}")
            )
            options = record["options"]
            courses = options.get("course_codes")
            run = validate_paths(
                inputs,
                kind=options.get("kind"),
                course_codes=Path(courses) if courses else None,
                known_students=ledger.accepted_students(record["target"]),
                mapping=options.get("mapping"),
            )
            outcomes = _outcomes(run, saved)
            finished = record.get("finished_at") or record["started_at"]
            facts = RunFacts(
                run_id,
                record["target"],
                elapsed=finished - record["started_at"],
                stopped=record.get("stopped"),
            )
            report = submit_report(outcomes, facts)
            target_path = write_report(report, target_path)  # beside it when open in Excel
            ledger.set_report(run_id, str(target_path))
            return target_path
        finally:
            ledger.close()


def _saved_run(
    ledger: Ledger, run_id: str
) -> tuple[dict[str, Any], dict[tuple[int, int], dict[str, Any]]]:
    """The run's record and saved rows; refused when either is missing or an input changed."""
    record = ledger.run(run_id)
    if record is None:
        raise InputFileError(t("run_unknown", run_id=run_id))
    saved = ledger.saved_rows(run_id)
    if not saved:
        raise InputFileError(t("run_no_rows", run_id=run_id))
    inputs = [Path(p) for p in record["inputs"]]
    for path, digest in zip(inputs, record["options"].get("sha256", []), strict=False):
        if not path.is_file() or file_sha256(path) != digest:
            raise InputFileError(_changed(path, run_id))
    return record, saved


def _changed(path: Path, run_id: str) -> str:
    """An input that changed, named by its own name (never a folder of the app's): for a run
    that kept its files, where the kept copy was."""
    if run_id in path.parts and "runs" in path.parts:
        return t("run_input_changed_kept", name=path.name, run_id=run_id)
    return t("run_input_changed", name=path.name)


def _outcomes(run: ValidationRun, saved: dict[tuple[int, int], dict[str, Any]]) -> Outcomes:
    """Every row's outcome as the ledger saved it, with validation's findings recomputed."""
    sheets = []
    for n, result in enumerate(run.results):
        rows = [
            _outcome(saved.get((n, i), {}), result.row_findings(i))
            for i in range(len(result.sheet.rows))
        ]
        sheets.append(SheetOutcomes(result, rows))
    return Outcomes(run, sheets)


def _outcome(line: dict[str, Any], found: Sequence[Finding]) -> RowOutcome:
    status = line.get("status")
    return RowOutcome(
        status=Submission(status) if status else Submission.NOT_SENT,
        messages=[line["messages"]] if line.get("messages") else [],
        found=found,
        http_status=line.get("http_status"),
        server_message=line.get("server_message"),
        trace_id=line.get("trace_id"),
        attempts=line.get("attempts") or 0,
        sent_at=line.get("sent_at"),
    )
