"""The runs page (past submissions and their reports), and the results page: what SIMAD holds
for a year, compared with the open workbooks (a reconciliation), each with its workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands.reconcile import (
    ReconcileResult,
    action,
    differences_text,
    resend_plan,
    review_title,
    run_reconcile,
)
from pipeline.commands.results import run_results
from pipeline.commands.runs import list_runs
from pipeline.commands.submit import SubmitOptions
from pipeline.core.config import Credentials, describe_target, simad_home
from pipeline.core.errors import ConfigError, InputFileError, SimadError
from pipeline.core.i18n import t
from pipeline.core.private import private_dir
from pipeline.web import views
from pipeline.web.pages import (
    context,
    download,
    heavy,
    locked,
    memory,
    redirect,
    render,
    whole,
    workspace,
)
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


@dataclass(frozen=True)
class Place:
    """A row of the open workbook: where the check page shows it."""

    sheet_no: int
    row: int
    page: int
    label: str  # «برگه دستیاران، C34» or the sheet and row

    @property
    def href(self) -> str:
        return f"/check?sheet={self.sheet_no}&page={self.page}#row-{self.sheet_no}-{self.row}"


@dataclass(frozen=True)
class LineView:
    """One reconciled declaration as the results page shows it."""

    key: str  # STUDENT/YEAR, what a resend names
    student: str
    name: str
    year: int
    needs_action: bool
    category: str  # a status word
    review: str
    reason: str
    differences: list[str]
    step: str
    row: Place | None  # the declaration's row in the open workbook
    resident: Place | None  # the resident's row to fix, when the resident is the reason
    resendable: bool


def _place(sheet_no: int, index: int, row: int, label: str) -> Place:
    return Place(sheet_no, row, index // views.PAGE_ROWS + 1, label)


def line_views(result: ReconcileResult, *, linkable: bool, limit: int = 500) -> list[LineView]:
    """The reconciliation's lines for the page (the first ``limit``), in the current
    language; rows of the open workbook (``linkable``) link to the check page."""
    out = []
    for line in result.lines[:limit]:
        server = line.server
        row = resident = None
        if linkable and line.place is not None:
            p = line.place
            row = _place(p.sheet_no, p.index, p.row, t("resident_row_at", sheet=p.sheet, row=p.row))
        fixing = line.resident_unknown or line.resident_invalid
        if linkable and fixing and line.resident is not None:
            r = line.resident
            resident = _place(r.sheet_no, r.index, r.row, r.cell(line.resident_refusal))
        out.append(
            LineView(
                f"{line.key[0]}/{line.key[1]}",
                line.key[0],
                line.name or "",
                line.key[1],
                line.needs_action,
                line.category.value,
                review_title(line),
                str(server.pick("review_reason") or "") if server else "",
                differences_text(line),
                action(line),
                row,
                resident,
                linkable and line.resendable,
            )
        )
    return out


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
        lines = line_views(matched, linkable=bool(inputs))
    return {
        "lines": lines,
        "to_resend": [v.key for v in lines if v.resendable and v.needs_action],
        "from_workbook": bool(inputs),
        "ws": state.workspace.id if inputs and state.workspace else "",
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


# -- resend: rows of the reconciliation sent again, even unchanged ---------------------------

RESEND_KEY = re.compile(r"[A-Za-z0-9/_.-]{1,30}/[0-9]{4}")  # STUDENT/YEAR


def _asked_keys(form: Any) -> list[tuple[str, int]]:
    """The declarations the form names: one row's button, every row needing action, or the
    rows ticked."""
    if form.get("one"):
        texts = [str(form.get("one"))]
    elif form.get("all"):
        texts = [str(k) for k in form.getlist("needs")]
    else:
        texts = [str(k) for k in form.getlist("key")]
    keys = []
    for text in dict.fromkeys(texts):
        if RESEND_KEY.fullmatch(text):
            student, year = text.rsplit("/", 1)
            keys.append((student, int(year)))
    return keys


def _resend_plan(state: State, ws_id: object, keys: list[tuple[str, int]]) -> dict[str, Any]:
    """What a resend of ``keys`` from the open workbook would send (under the lock)."""
    target = state.target or ""
    ws = workspace(state, ws_id)
    inputs = inputs_for_sending(state, ws, "compared")
    plan = resend_plan(inputs, target, keys, mapping=None)
    return {"plan": plan, "ws": ws.id, "keys": sorted(k for _, k in plan.keys)}


async def resend_confirm(request: Request) -> Response:
    """The confirmation of a resend: exactly how many rows will be sent, and which."""
    state = memory(request)
    form = await request.form()
    if state.target is None:
        raise ConfigError(t("ui_choose_target"))
    keys = _asked_keys(form)
    async with heavy(request):
        work = partial(_resend_plan, state, form.get("ws"), keys)
        found = await run_in_threadpool(locked, state, work)
    if not found["keys"]:
        raise InputFileError(t("ui_resend_none"))
    target = describe_target(state.target, short=True)
    return await render(request, "_resend.html", resend=found, target_name=target)


def _resend_inputs(state: State, ws_id: object) -> tuple[list[Path], Path]:
    ws = workspace(state, ws_id)
    folder = private_dir(simad_home() / "reports")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return inputs_for_sending(state, ws), folder / f"{ws.paths[0].stem}-resend-{stamp}.xlsx"


async def resend(request: Request) -> Response:
    """Send the workbook again with the confirmed rows sent even when unchanged; its
    progress is the send page's."""
    state = memory(request)
    form = await request.form()
    target = state.target
    if target is None:
        raise ConfigError(t("ui_choose_target"))
    keys = _asked_keys(form)
    if not keys:
        raise InputFileError(t("ui_resend_none"))
    login = await run_in_threadpool(login_for, state, target)
    running = state.latest("submit")
    if running is not None and running.finished is None:
        raise SimadError(t("ui_job_running"))
    async with heavy(request):
        work = partial(_resend_inputs, state, form.get("ws"))
        inputs, report = await run_in_threadpool(locked, state, work)
    chosen = frozenset(("declaration", f"{s}/{y}") for s, y in keys)
    options = SubmitOptions(inputs, target=target, report=report, resend=chosen)
    state.submit(describe_target(target, short=True), options, login, context())
    return redirect(request, "/submit")
