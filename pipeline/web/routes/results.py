"""The runs page (past submissions and their reports), and the results page: what SIMAD holds
for a year, compared with the open workbooks (a reconciliation), each with its workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.results import run_results
from pipeline.commands.runs import list_runs
from pipeline.core.config import Credentials
from pipeline.core.errors import ConfigError, InputFileError
from pipeline.core.i18n import t
from pipeline.web import views
from pipeline.web.pages import context, download, heavy, locked, memory, render, whole, workspace
from pipeline.web.routes.submit import inputs_for_sending, login_for
from pipeline.web.state import State

DOWNLOADABLE = re.compile(r"(results|reconcile|maxa)-[\w.-]+\.xlsx")  # what /download/ serves
YEARS = range(1000, 10000)  # a year is four digits (Solar Hijri: 1403)
COURSE = re.compile(r"[0-9]{1,10}")


async def runs(request: Request) -> Response:
    found = await run_in_threadpool(list_runs, 50, ctx=context())
    return await render(request, "runs.html", runs=found)


def _run_report(run_id: str) -> Path:
    found = list_runs(1000, ctx=context())
    run = next((r for r in found if r.id == run_id), None)
    if run is None or not run.report or not Path(run.report).is_file():
        raise InputFileError(t("ui_report_gone"))
    return Path(run.report)


async def run_report(request: Request) -> Response:
    return download(await run_in_threadpool(_run_report, request.path_params["run"]))


async def results_page(request: Request) -> Response:
    return await render(request, "results.html", done=None, year=None)


def _compared(state: State, ws_id: object, against: object = None) -> list[Path]:
    """The workbooks the page named, corrected, for the comparison (none: the ledger only,
    asked for or nothing open; never others opened since)."""
    if against == "ledger" or (not ws_id and state.workspace is None):
        return []
    return inputs_for_sending(state, workspace(state, ws_id), "compared")


@dataclass(frozen=True)
class Asked:
    """What the results form asks for, checked."""

    target: str
    login: Credentials
    year: int
    course: str | None


def _fetch(state: State, asked: Asked, inputs: list[Path]) -> dict[str, Any]:
    """The year's results fetched, reconciled with ``inputs``, each made a workbook and a view."""
    target, login, year = asked.target, asked.login, asked.year
    got = run_results(
        year,
        target=target,
        course=asked.course,
        out=state.out_path(f"results-{year}.xlsx"),
        credentials=login,
        ctx=context(),
    )
    matched = run_reconcile(
        year,
        inputs,
        target=target,
        report_path=state.out_path(f"reconcile-{year}.xlsx"),
        credentials=login,
        ctx=context(),
    )
    with context().applied():  # the page's language, as the workbooks were written in
        source = matched.source.describe() if matched.source else None
    return {
        "results": views.report_view(got.content),
        "reconcile": views.report_view(matched.content) if matched.content else None,
        "needs_action": matched.needs_action,
        "source": source,
        "holds_none": bool(matched.source and matched.source.holds_none),  # offer the ledger
        "course": asked.course or "",
    }


async def results(request: Request) -> Response:
    state = memory(request)
    form = await request.form()
    year = whole(form.get("year"), -1)
    if year not in YEARS:
        raise InputFileError(t("ui_bad_year"))
    target = state.target
    if target is None:
        raise ConfigError(t("ui_choose_target"))
    login = await run_in_threadpool(login_for, state, target)
    course = str(form.get("course", "")).strip() or None
    if course is not None and not COURSE.fullmatch(course):
        raise InputFileError(t("ui_bad_course"))
    asked = Asked(target, login, year, course)
    async with heavy(request):  # corrected copies of the workbooks may be written
        compared = partial(_compared, state, form.get("ws"), form.get("against"))
        inputs = await run_in_threadpool(locked, state, compared)
        done = await run_in_threadpool(_fetch, state, asked, inputs)
    return await render(request, "_results.html", done=done, year=year)


def _out(state: State, name: str) -> Path:
    if not DOWNLOADABLE.fullmatch(name) or not state.out_path(name).is_file():
        raise InputFileError(t("ui_report_gone"))
    return state.out_path(name)


async def download_out(request: Request) -> Response:
    state = memory(request)
    return download(await run_in_threadpool(_out, state, request.path_params["name"]))
