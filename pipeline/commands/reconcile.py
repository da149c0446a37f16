"""`simad reconcile`: the office's declarations against the server's, with what needs doing."""

from __future__ import annotations

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
from pipeline.core.status import Validation
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import prepare_report_path, write_report
from pipeline.sheets.validation import validate_paths
from pipeline.simad.ledger import ACCEPTED, Ledger
from pipeline.simad.payloads import build_payload, payload_hash, row_key
from pipeline.simad.reconcile import (
    Local,
    ReconcileResult,
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
    "ReconcileResult",
    "ResendPlan",
    "action",
    "differences_text",
    "headline",
    "ledger_side",
    "resend_plan",
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


def resident_refusals(target: str) -> dict[str, str]:
    """Residents ``target`` refused when they were last sent: student → what it said."""
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        return ledger.refusals(target, "resident")
    finally:
        ledger.close()


@dataclass(frozen=True)
class ResendPlan:
    """What a resend of ``keys`` from ``inputs`` would send: the selected declarations found
    valid in the workbooks, and the other rows sent anyway (new or changed since the target
    accepted them)."""

    keys: frozenset[tuple[str, str]]  # (kind, key) for ``SubmitOptions.resend``
    others: int

    @property
    def total(self) -> int:
        return len(self.keys) + self.others


def resend_plan(
    inputs: list[Path],
    target: str,
    declarations: Iterable[tuple[str, int]],
    mapping: Mapping | None = None,
) -> ResendPlan:
    """How many rows a submission of ``inputs`` resending ``declarations`` (student, year)
    would send: the confirmation's count. Selected rows that are not valid in the workbooks
    are left out (they cannot be sent)."""
    wanted = {f"{student}/{year}" for student, year in declarations}
    target = resolve_target(target)
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        run = validate_paths(inputs, known_students=ledger.accepted_students(target))
        recorded = {k: ledger.recorded(target, k) for k in ("resident", "declaration")}
    finally:
        ledger.close()
    accepted = {k for k, r in recorded["resident"].items() if r.state == ACCEPTED}
    keys: set[tuple[str, str]] = set()
    others = 0
    blocked = _blocked_students(run, accepted)
    for result in run.results:
        kind = "resident" if result.sheet.kind == "residents" else "declaration"
        for i, record in enumerate(result.frame.to_dict("records")):
            if result.status(i) != Validation.VALID:
                continue
            payload = build_payload(result.sheet.kind, record)
            key = row_key(result.sheet.kind, payload)
            if kind == "declaration" and str(payload["StudentNumber"]) in blocked:
                continue  # its resident's row is invalid: not sent (as the engine decides)
            if kind == "declaration" and key in wanted:
                keys.add((kind, key))
                continue
            seen = recorded[kind].get(key)
            if seen is None or seen.state != ACCEPTED or seen.payload_hash != payload_hash(payload):
                others += 1
    return ResendPlan(frozenset(keys), others)


def _blocked_students(run: Any, accepted: set[str]) -> set[str]:
    """Students whose resident row in the workbooks is invalid and whom the target never
    accepted: their declarations are not sent."""
    invalid: set[str] = set()
    valid: set[str] = set()
    for result in run.results:
        if result.sheet.kind != "residents":
            continue
        for i, student in enumerate(result.frame["StudentNumber"]):
            if student:
                (valid if result.status(i) == Validation.VALID else invalid).add(str(student))
    return invalid - valid - accepted
