"""`simad reconcile`: the office's declarations against the server's, with what needs doing."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pipeline.commands.results import server_lists
from pipeline.commands.validate import known_from_ledger
from pipeline.core.config import Credentials, resolve_target, simad_home
from pipeline.core.context import Context
from pipeline.core.private import OWNER_ONLY, private_dir
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import file_sha256, prepare_report_path, write_report
from pipeline.simad.ledger import Ledger
from pipeline.simad.reconcile import (
    Local,
    ReconcileResult,
    Source,
    action,
    compare,
    differences_text,
    headline,
    local_from_inputs,
    local_from_ledger,
    reconcile_report,
    review_title,
)

# What a face shows of a reconciliation besides its result: a line's action, the headline.
__all__ = [
    "Kept",
    "ReconcileResult",
    "Source",
    "action",
    "copy_kept",
    "differences_text",
    "headline",
    "kept_inputs",
    "ledger_side",
    "review_title",
    "run_reconcile",
]


def run_reconcile(  # noqa: PLR0913 -- one keyword per option of `simad reconcile`
    year_id: int,
    inputs: list[Path],
    *,
    target: str,
    report_path: Path | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    mapping: Mapping | None = None,
    ctx: Context = Context(),
) -> ReconcileResult:
    """Compare the declarations of ``inputs`` (or, without inputs, those the ledger recorded
    as accepted) with the server's for ``year_id``; write the report."""
    with ctx.applied():
        started = time.perf_counter()
        target = resolve_target(target)
        path = prepare_report_path(report_path or Path.cwd() / f"reconcile-{year_id}.xlsx")
        if inputs:
            known = known_from_ledger(target)
            refused = resident_refusals(target)
            local = local_from_inputs(inputs, year_id, known, mapping, refused)
        else:
            local = ledger_side(target, year_id)
        source = local.source(year_id)
        server = server_lists(
            target, year_id, transport=transport, credentials=credentials, policy=policy
        )
        lines = compare(local, server)
        report = reconcile_report(
            lines,
            target=target,
            year_id=year_id,
            source=source,
            elapsed=time.perf_counter() - started,
            invalid=local.invalid,
        )
        path = write_report(report, path)  # beside it when it is open in Excel
        return ReconcileResult(lines, path, report, source)


def ledger_side(target: str, year_id: int) -> Local:
    """What the ledger recorded as accepted by ``target`` for ``year_id``."""
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        rows = ledger.accepted_declarations(target, year_id)
        known = ledger.accepted_students(target)
    finally:
        ledger.close()
    return local_from_ledger(rows, known, year_id)


def resident_refusals(target: str) -> dict[str, str]:
    """Residents ``target`` refused when they were last sent: student → what it said."""
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        return ledger.refusals(target, "resident")
    finally:
        ledger.close()


@dataclass(frozen=True)
class Kept:
    """The input files of the run that last sent a declaration, as the ledger recorded them:
    usable for a resend when every one is still there with the content it had (its sha256)."""

    run_id: str
    inputs: tuple[Path, ...]
    usable: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.name for p in self.inputs))


def kept_inputs(target: str, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Kept]:
    """For each declaration (student, year) the ledger holds for ``target``: the files of the
    run that last sent it (a page run keeps them under SIMAD_HOME/runs/<run id>/)."""
    target = resolve_target(target)
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        recorded = ledger.recorded(target, "declaration")
        runs: dict[str, Kept | None] = {}
        out: dict[tuple[str, int], Kept] = {}
        for student, year in keys:
            seen = recorded.get(f"{student}/{year}")
            if seen is None or not seen.run_id:
                continue
            if seen.run_id not in runs:
                runs[seen.run_id] = _kept(seen.run_id, ledger.run(seen.run_id))
            kept = runs[seen.run_id]
            if kept is not None:
                out[(student, year)] = kept
        return out
    finally:
        ledger.close()


def _kept(run_id: str, run: dict[str, Any] | None) -> Kept | None:
    if run is None or not run.get("inputs"):
        return None
    inputs = tuple(Path(str(p)) for p in run["inputs"])
    hashes = (run.get("options") or {}).get("sha256") or []
    usable = len(hashes) == len(inputs) and all(
        p.is_file() and file_sha256(p) == h for p, h in zip(inputs, hashes, strict=True)
    )
    return Kept(run_id, inputs, usable)


def copy_kept(kept: Kept, run_id: str) -> list[Path]:
    """The kept files copied into a new run's own folder (owner-only), so that the new run
    can be reported again whatever becomes of the old one."""
    folder = private_dir(private_dir(simad_home() / "runs") / run_id)
    out = []
    for n, path in enumerate(kept.inputs):
        copy = private_dir(folder / str(n)) / path.name
        shutil.copyfile(path, copy)
        copy.chmod(OWNER_ONLY)
        out.append(copy)
    return out
