"""The runs page (past submissions and their reports), and the results page: what SIMAD holds
for a year, compared with the open workbooks (a reconciliation), each with its workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands import workspace as ws_commands
from pipeline.commands.reconcile import (
    Kept,
    ReconcileResult,
    Source,
    action,
    copy_kept,
    differences_text,
    kept_inputs,
    review_title,
    run_reconcile,
)
from pipeline.commands.results import run_results
from pipeline.commands.runs import list_runs
from pipeline.commands.submit import (
    NOT_SENT_BLOCKED,
    NOT_SENT_INVALID,
    SubmitOptions,
    new_run_id,
    plan_submit,
)
from pipeline.core.config import Credentials, describe_target, simad_home
from pipeline.core.errors import ConfigError, InputFileError, StaleWorkbook
from pipeline.core.i18n import listing, t
from pipeline.core.private import private_dir
from pipeline.core.redact import scrub
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
from pipeline.web.routes.submit import (
    blocked_words,
    inputs_for_sending,
    isolated,
    keys_words,
    login_for,
    server_text,
)
from pipeline.web.state import State

DOWNLOADABLE = re.compile(r"(results|reconcile|maxa)-[\w.-]+\.xlsx")  # what /download/ serves
YEARS = range(1000, 10000)  # a year is four digits (Solar Hijri: 1403)
COURSE = re.compile(r"[0-9]{1,10}")


async def runs(request: Request) -> Response:
    found = await run_in_threadpool(list_runs, 50, ctx=context())
    return await render(request, "runs.html", runs=found, server_text=server_text)


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
    cell: str | None = None  # "C34": the cell the check page opens (None: the row's first)

    @property
    def href(self) -> str:
        cell = f"&cell={self.cell}" if self.cell else ""
        return f"/check?sheet={self.sheet_no}&page={self.page}{cell}#row-{self.sheet_no}-{self.row}"


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


def _place(sheet_no: int, index: int, row: int, label: str, cell: str | None = None) -> Place:
    return Place(sheet_no, row, index // views.PAGE_ROWS + 1, label, cell)


def line_views(
    result: ReconcileResult,
    *,
    linkable: bool,
    kept: dict[tuple[str, int], Kept] | None = None,
    limit: int = 500,
) -> list[LineView]:
    """The reconciliation's lines for the page (the first ``limit``), in the current
    language; rows of the open workbook (``linkable``) link to the check page; a ledger's
    row can be resent when the files of the run that sent it are ``kept``, unchanged."""
    out = []
    kept = kept or {}
    for line in result.lines[:limit]:
        found = kept.get(line.key)
        server = line.server
        row = resident = None
        if linkable and line.place is not None:
            p = line.place
            row = _place(p.sheet_no, p.index, p.row, t("resident_row_at", sheet=p.sheet, row=p.row))
        fixing = line.resident_unknown or line.resident_invalid
        if linkable and fixing and line.resident is not None:
            r = line.resident
            refusal = line.resident_refusal
            resident = _place(r.sheet_no, r.index, r.row, r.cell(refusal), r.address(refusal))
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
                action(line, _kept_names(found)),
                row,
                resident,
                (linkable and line.resendable) or (found is not None and found.usable),
            )
        )
    return out


def _kept_names(kept: Kept | None) -> str:
    """The files a kept run sent from, each isolated (FSI…PDI) so that a Latin name keeps
    its order in a Persian sentence ("" when none is known)."""
    if kept is None:
        return ""
    return listing(f"\u2068{name}\u2069" for name in kept.names)


def _ledger_files(result: ReconcileResult, kept: dict[tuple[str, int], Kept]) -> list[str]:
    """The workbooks to open to resend the ledger's rows needing action whose run's files
    are gone or changed (by name)."""
    names: dict[str, None] = {}
    for line in result.lines:
        found = kept.get(line.key)
        if line.needs_action and found is not None and not found.usable:
            names.update(dict.fromkeys(found.names))
    return list(names)


def _source_words(source: Source | None) -> Markup | None:
    """«Compared with: file <bdi>office.xlsx</bdi>, sheet …, year 1402», names isolated."""
    if source is None:
        return None
    if source.ledger:
        said = isolated("source_ledger_of", year=source.year)
    else:
        sheets = listing(source.sheets) if source.sheets else t("source_no_sheet")
        files = listing(source.workbooks)
        said = isolated("source_workbooks", files=files, sheets=sheets, year=source.year)
    return isolated("ui_compared_with", source=said)


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
    kept = {} if inputs else kept_inputs(target, [line.key for line in matched.lines])
    with context().applied():  # the page's language, as the workbooks were written in
        source = _source_words(matched.source)
        lines = line_views(matched, linkable=bool(inputs), kept=kept)
    return {
        "lines": lines,
        "to_resend": [v.key for v in lines if v.resendable and v.needs_action],
        "from_workbook": bool(inputs),
        "can_resend": any(v.resendable for v in lines),  # only when a row can be ticked
        "to_open": _ledger_files(matched, kept),  # workbooks to open for the other rows
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
    return await render(request, "_results.html", done=done, year=year, isolated=isolated)


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
    ws = workspace(state, ws_id)
    inputs = inputs_for_sending(state, ws, "compared")
    return _confirmation(inputs, state.target or "", keys, ws.id, 0)


def _confirmation(
    inputs: list[Path], target: str, keys: list[tuple[str, int]], ws: str, later: int
) -> dict[str, Any]:
    """The confirmation's numbers, planned as the run will plan them: the selected rows sent,
    the others sent too, those not sent and why (``plan.total`` is the run's total)."""
    chosen = frozenset(("declaration", f"{s}/{y}") for s, y in keys)
    options = SubmitOptions(inputs, target=target, resend=chosen)
    plan = plan_submit(options, ctx=context())
    selected = sorted(r.key for r in plan.send if r.resent)
    with context().applied():
        blocked = [blocked_words(r) for r in plan.not_sent if r.reason == NOT_SENT_BLOCKED]
    invalid = sum(r.reason == NOT_SENT_INVALID for r in plan.not_sent)
    skipped = sorted({f"{s}/{y}" for s, y in keys} - set(selected))
    with context().applied():
        shown, skipped_shown = keys_words(selected), keys_words(skipped)
    return {
        "shown": shown,
        "skipped_shown": skipped_shown,
        "plan": plan,
        "ws": ws,
        "keys": selected,
        "others": plan.total - len(selected),
        "skipped": skipped,
        "blocked": blocked,
        "invalid": invalid,
        "later": later,
    }


async def _refused(request: Request, message: str) -> Response:
    """A refusal of the resend, said where the clerk asked (the confirmation's place)."""
    return await render(request, "_resend.html", refused=message, isolated=isolated)


def _kept_choice(target: str, keys: list[tuple[str, int]]) -> tuple[Kept | None, int]:
    """The kept run the resend of ledger rows ``keys`` sends from (the one that sent most of
    them, the latest on a tie), and how many selected rows other runs sent (left for later)."""
    usable = {k: v for k, v in kept_inputs(target, keys).items() if v.usable}
    if not usable:
        return None, 0
    counts: dict[str, int] = {}
    for kept in usable.values():
        counts[kept.run_id] = counts.get(kept.run_id, 0) + 1
    run_id = max(counts, key=lambda r: (counts[r], r))
    chosen = next(v for v in usable.values() if v.run_id == run_id)
    return chosen, len(usable) - counts[run_id]


def _ledger_plan(state: State, keys: list[tuple[str, int]]) -> dict[str, Any]:
    """What a resend of ledger rows ``keys`` from the files their run kept would send."""
    target = state.target or ""
    kept, later = _kept_choice(target, keys)
    if kept is None:
        return {"keys": []}
    return _confirmation(list(kept.inputs), target, keys, "", later)


async def resend_confirm(request: Request) -> Response:
    """The confirmation of a resend: exactly how many rows will be sent, and which."""
    state = memory(request)
    form = await request.form()
    if state.target is None:
        raise ConfigError(t("ui_choose_target"))
    keys = _asked_keys(form)
    if not keys and not form.get("one") and not form.get("all"):
        return await _refused(request, t("ui_resend_none_ticked"))
    async with heavy(request):
        if form.get("source") == "ledger":
            found = await run_in_threadpool(_ledger_plan, state, keys)
        else:
            work = partial(_resend_plan, state, form.get("ws"), keys)
            found = await run_in_threadpool(locked, state, work)
    if not found["keys"]:
        return await _refused(request, t("ui_resend_none"))
    target = describe_target(state.target, short=True)
    return await render(
        request, "_resend.html", resend=found, target_name=target, isolated=isolated
    )


def _report_path(stem: str) -> Path:
    folder = private_dir(simad_home() / "reports")
    return folder / f"{stem}-resend-{datetime.now().strftime('%Y%m%d-%H%M%S')}.xlsx"


def _resend_inputs(state: State, ws_id: object) -> tuple[list[Path], Path, str | None]:
    """The open workbook, corrected as it stands, kept in the new run's own folder (as a
    submission's are) so that its report can be written again later."""
    ws = workspace(state, ws_id)
    run_id = new_run_id()
    kept = private_dir(private_dir(simad_home() / "runs") / run_id)
    inputs = ws_commands.corrected_inputs(ws, kept, ctx=context(), every=True)
    return inputs, _report_path(ws.paths[0].stem), run_id


def _kept_resend(target: str, keys: list[tuple[str, int]]) -> tuple[list[Path], Path, str | None]:
    """The files the run that sent ledger rows ``keys`` kept, copied into the new run's own
    folder; refused when they are gone or changed since."""
    kept, _later = _kept_choice(target, keys)
    if kept is None:
        raise InputFileError(t("ui_resend_none"))
    run_id = new_run_id()
    return copy_kept(kept, run_id), _report_path(kept.inputs[0].stem), run_id


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
        return await _refused(request, t("ui_resend_none"))
    login = await run_in_threadpool(login_for, state, target)
    running = state.latest("submit")
    if running is not None and running.finished is None:
        return await _refused(request, t("ui_job_running"))
    try:
        async with heavy(request):
            if form.get("source") == "ledger":
                work = partial(_kept_resend, target, keys)
                inputs, report, run_id = await run_in_threadpool(work)
            else:
                work = partial(_resend_inputs, state, form.get("ws"))
                inputs, report, run_id = await run_in_threadpool(locked, state, work)
    except InputFileError as exc:
        if isinstance(exc, StaleWorkbook):
            raise  # another tab opened other workbooks: the page's own answer
        return await _refused(request, scrub(exc))
    chosen = frozenset(("declaration", f"{s}/{y}") for s, y in keys)
    options = SubmitOptions(inputs, target=target, report=report, resend=chosen, run_id=run_id)
    state.submit(describe_target(target, short=True), options, login, context())
    return redirect(request, "/submit")
