"""`simad reconcile`: the office's declarations against the server's, with what needs doing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pipeline.commands.results import server_lists
from pipeline.commands.validate import known_from_ledger
from pipeline.core.config import resolve_target
from pipeline.core.context import Context
from pipeline.core.i18n import t
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import prepare_report_path, write_report
from pipeline.simad.reconcile import (
    ReconcileResult,
    compare,
    local_from_inputs,
    local_from_ledger,
    reconcile_report,
)


def run_reconcile(
    year_id: int,
    inputs: list[Path],
    *,
    target: str,
    report_path: Path | None = None,
    transport: Any = None,
    credentials: Any = None,
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
            local = local_from_inputs(inputs, year_id, ctx.lang, known, mapping)
            source = ", ".join(str(p) for p in inputs)
        else:
            local = local_from_ledger(target, year_id)
            source = t("source_ledger")
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
        return ReconcileResult(lines, path, report)
