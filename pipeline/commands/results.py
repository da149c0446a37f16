"""`simad results`: the server's declarations and final results of a year, in a workbook.

The two lists are fetched here, under one token that is revoked at the end; reading them and
building the workbook is ``simad/results.py``'s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import structlog

from pipeline.commands.targets import open_simad
from pipeline.core.config import Credentials, resolve_target
from pipeline.core.context import Context
from pipeline.core.result import Result
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.report import Report, prepare_report_path, write_report
from pipeline.simad.client import SimadClient
from pipeline.simad.results import Joined, join, parse, results_report

log = structlog.get_logger("simad.results")
REVOKE_TIMEOUT = 10.0


@dataclass
class Results(Result):
    joined: dict[tuple[str, int], Joined]
    report: Path
    content: Report  # what the workbook shows, for a page to show the same

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": str(self.report),
            "declarations": [j.to_dict() for j in self.joined.values()],
        }


def run_results(  # noqa: PLR0913 -- one keyword per option of `simad results`
    year_id: int,
    *,
    target: str,
    course: str | None = None,
    national_code: str | None = None,
    student_number: str | None = None,
    out: Path | str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    ctx: Context = Context(),
) -> Results:
    """Download both lists for ``year_id`` (with the filters), join them, write the workbook."""
    with ctx.applied():
        started = time.perf_counter()
        target = resolve_target(target)
        filters = {
            "course": course,
            "national_code": national_code,
            "student_number": student_number,
        }
        path = prepare_report_path(Path(out) if out else Path.cwd() / f"results-{year_id}.xlsx")
        joined = server_lists(
            target, year_id, transport=transport, credentials=credentials, policy=policy, **filters
        )
        report = results_report(
            joined,
            target=target,
            year_id=year_id,
            filters=filters,
            elapsed=time.perf_counter() - started,
        )
        path = write_report(report, path)  # beside it when it is open in Excel
        return Results(joined, path, report)


def server_lists(
    target: str,
    year_id: int,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    **filters: str | None,
) -> dict[tuple[str, int], Joined]:
    """Both of the server's lists for ``year_id`` (with ``filters``: course, national_code,
    student_number), joined. The token is revoked at the end however the download ends (an
    error, Ctrl-C), as a submission's is: a token a server echoed somewhere must not stay
    valid."""

    async def go() -> dict[tuple[str, int], Joined]:
        async with open_simad(
            target, transport=transport, credentials=credentials, policy=policy
        ) as client:
            try:
                return await fetch(client, year_id, **filters)
            finally:
                try:
                    await asyncio.wait_for(client.revoke(), REVOKE_TIMEOUT)
                except Exception as exc:  # the server is gone: nothing more to do
                    log.info("revoke_failed", error=type(exc).__name__)

    return asyncio.run(go())


async def fetch(
    client: SimadClient,
    year_id: int,
    *,
    course: str | None = None,
    national_code: str | None = None,
    student_number: str | None = None,
) -> dict[tuple[str, int], Joined]:
    """Download both lists with the same filters and join them."""
    filters = {
        "course_study_code": course,
        "national_code": national_code,
        "student_number": student_number,
    }
    declared = parse(await client.get_declare_residents(year_id, **filters))
    finals = parse(await client.get_final_results(year_id, **filters))
    return join(declared, finals, year_id)
