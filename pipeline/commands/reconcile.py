"""`simad reconcile`: the office's declarations against the server's, with what needs doing."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from pipeline.commands.results import server_lists
from pipeline.commands.validate import known_from_ledger
from pipeline.core.config import Credentials, resolve_target, simad_home
from pipeline.core.context import Context
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import prepare_report_path, write_report
from pipeline.simad.ledger import Ledger
from pipeline.simad.reconcile import (
    Local,
    ReconcileResult,
    action,
    compare,
    headline,
    local_from_inputs,
    local_from_ledger,
    reconcile_report,
)

# What a face shows of a reconciliation besides its result: a line's action, the headline.
__all__ = ["ReconcileResult", "action", "headline", "ledger_side", "run_reconcile"]


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
            local = local_from_inputs(inputs, year_id, known, mapping)
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
        write_report(report, path)
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
