"""The check page: the open workbooks validated, one sheet at a time, corrected cell by cell
(validated again after each), a correction taken back, and the corrected copies and the
report to download. Every step runs in a worker thread holding the workbooks' lock.

Every correction, undo and download is held on disk at once (``workbench``); closing the
workbooks, or replacing them with others, while some corrections are in no downloaded file
asks first (the ``/unsaved`` page: download, go on anyway, or cancel)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands import workspace as ws_commands
from pipeline.core.errors import InputFileError
from pipeline.core.i18n import t
from pipeline.sheets.validation import finding_groups
from pipeline.web import views, workbench
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
from pipeline.web.routes.start import open_uploads
from pipeline.web.state import State
from pipeline.web.uploads import photo_view

VIEW_KEYS = ("sheet", "only", "rule", "field", "page")


def check_values(
    state: State,
    q: Mapping[str, str],
    panel: dict[str, Any] | None = None,
    *,
    named: bool = True,
) -> dict[str, Any]:
    """The check page's values for the view ``q`` (sheet, filter, page), remembered so that
    a correction redraws the same view. ``named``: only for the workbooks ``q["ws"]`` names
    (a part of a page); a whole page shows the open workbooks. In a worker thread."""
    ws = workspace(state, q.get("ws"), named=named)
    state.view = {k: v for k, v in q.items() if k in VIEW_KEYS}
    sheet_no = whole(q.get("sheet"), 0)
    if not 0 <= sheet_no < len(ws.run.results):
        sheet_no = 0
    rule = (q["rule"], q.get("field", "")) if q.get("rule") else None
    only = q.get("only") == "invalid"
    page = views.sheet_page(
        ws.run.results[sheet_no],
        sheet_no,
        only_invalid=only,
        rule=rule,
        page=whole(q.get("page"), 1),
    )
    labels = [r.sheet.label for r in ws.run.results]
    return {
        "run": ws.run,
        "page": page,
        "groups": [(g, labels.index(g.sheet)) for g in finding_groups(ws.run.results)],
        "only": only,
        "rule": rule,
        "panel": panel,
        "edits": len(ws.edits),
        "unsaved": ws.unsaved(),
        "seconds": ws.seconds,
        "files": [p.name for p in ws.paths],
        "ws_id": ws.id,
        "photos": photo_view(state, ws),
    }


def cell_panel(
    ws: ws_commands.Workspace, sheet_no: int, index: int, position: int
) -> dict[str, Any]:
    """The side panel of one cell: its value and what was found in it."""
    ws.cell(sheet_no, index, position)
    result = ws.run.results[sheet_no]
    sheet = result.sheet
    found = [f for f in result.row_findings(index) if f.position in (position, None)]
    value = sheet.rows[index][position] if position < len(sheet.rows[index]) else None
    return {
        "sheet": sheet_no,
        "index": index,
        "position": position,
        "row": sheet.row_numbers[index],
        "header": sheet.headers[position],
        "value": views.show(value),
        "findings": [(f.severity, f.message) for f in found],
        "ws_id": ws.id,
    }


async def check(request: Request) -> Response:
    state = memory(request)
    if state.workspace is None:
        return await render(request, "check.html", run=None)
    part = bool(request.headers.get("hx-request"))
    q = request.query_params
    work = partial(check_values, state, q, named=part and "ws" in q)
    values = await run_in_threadpool(locked, state, work)
    return await render(request, "_check.html" if part else "check.html", **values)


def _cell(state: State, q: Mapping[str, Any]) -> dict[str, Any]:
    ws = workspace(state, q.get("ws"))
    return cell_panel(ws, *(whole(q.get(k)) for k in ("sheet", "row", "col")))


async def cell(request: Request) -> Response:
    state = memory(request)
    panel = await run_in_threadpool(locked, state, partial(_cell, state, request.query_params))
    return await render(request, "_panel.html", panel=panel)


def _edit(state: State, form: Mapping[str, Any]) -> dict[str, Any]:
    """The cell changed and every sheet validated again; the same view, with the cell's panel
    (the id is checked and the cell changed with nothing between: under the lock)."""
    sheet_no, index, position = (whole(form.get(k)) for k in ("sheet", "row", "col"))
    ws = workspace(state, form.get("ws"))
    value = str(form.get("value", ""))
    done = ws_commands.edit_cell(ws, sheet_no, index, position, value, ctx=context())
    if done is not None:
        workbench.save(state, ws)
    panel = {**cell_panel(ws, sheet_no, index, position), "unchanged": done is None}
    view = {**state.view, "sheet": str(sheet_no), "ws": ws.id}
    return check_values(state, view, panel)


async def edit(request: Request) -> Response:
    state = memory(request)
    form = await request.form()
    values = await run_in_threadpool(locked, state, partial(_edit, state, form))
    return await render(request, "_check.html", **values)


def _undo(state: State, ws_id: object) -> dict[str, Any]:
    ws = workspace(state, ws_id)
    ws_commands.undo(ws, ctx=context())
    workbench.save(state, ws)
    return check_values(state, {**state.view, "ws": ws.id})


async def undo(request: Request) -> Response:
    state = memory(request)
    form = await request.form()
    values = await run_in_threadpool(locked, state, partial(_undo, state, form.get("ws")))
    return await render(request, "_check.html", **values)


def _corrected(state: State, q: Mapping[str, Any]) -> Path:
    ws = workspace(state, q.get("ws"))
    n = whole(q.get("file"))
    if not 0 <= n < len(ws.paths):
        raise InputFileError(t("ui_no_workbook"))
    source = ws.paths[n]
    out = state.out_path(f"{source.stem}-corrected{source.suffix}")
    written = ws_commands.save_corrected(ws, source, out, ctx=context())
    workbench.save(state, ws)  # its corrections count as downloaded
    return written


async def download_corrected(request: Request) -> Response:
    state = memory(request)
    async with heavy(request):
        out = await run_in_threadpool(
            locked, state, partial(_corrected, state, request.query_params)
        )
    return download(out, remove=True)


def _report(state: State, ws_id: object) -> Path:
    ws = workspace(state, ws_id)
    out = state.out_path(f"{ws.paths[0].stem}-validation.xlsx")
    return ws_commands.save_report(ws, out, ctx=context())


async def download_report(request: Request) -> Response:
    state = memory(request)
    ws_id = request.query_params.get("ws")
    async with heavy(request):
        out = await run_in_threadpool(locked, state, partial(_report, state, ws_id))
    return download(out, remove=True)


# -- closing or replacing workbooks with corrections not downloaded -----------------------------


def _question(state: State, closing: bool) -> dict[str, Any] | None:
    """What the question page says: the open workbooks, their corrections in no downloaded
    file, and the uploads waiting (None: nothing to ask)."""
    ws = state.workspace
    if ws is None or (not closing and not state.waiting):
        return None
    return {
        "closing": closing,
        "count": ws.unsaved(),
        "names": [p.name for p in ws.paths],
        "new": [p.name for p in state.waiting],
        "ws_id": ws.id,
        "photos": workbench.photos_held(state),  # removed with the workbooks
    }


async def unsaved_page(request: Request) -> Response:
    """The question: the corrections that would be lost, with the downloads, "go on anyway"
    and "cancel"."""
    state = memory(request)
    closing = request.query_params.get("close") == "1"
    question = await run_in_threadpool(locked, state, partial(_question, state, closing))
    if question is None:
        return redirect(request, "/check" if state.workspace is not None else "/")
    return await render(request, "_unsaved.html", **question)


async def answer(request: Request) -> Response:
    """The person's answer: ``replace`` (open the uploads waiting), ``close`` (close the open
    workbooks) or ``cancel`` (keep them, delete the uploads waiting)."""
    state = memory(request)
    form = await request.form()
    choice = str(form.get("answer", ""))
    if choice == "replace" and state.waiting:
        waiting, state.waiting = state.waiting, []
        return await open_uploads(request, state, waiting)
    if choice == "close":
        await run_in_threadpool(_close, state, form.get("ws"))
        return redirect(request, "/")
    await run_in_threadpool(workbench.cancel, state)
    return redirect(request, "/check" if state.workspace is not None else "/")


def _close(state: State, ws_id: object) -> None:
    with state.lock:
        state.workspace_for(ws_id)  # a page of other workbooks closes nothing
    workbench.close(state)


async def close(request: Request) -> Response:
    """Close the open workbooks (the check page's button): asked first when some of their
    corrections are in no downloaded file."""
    state = memory(request)
    form = await request.form()
    ws = state.workspace
    if ws is not None and (ws.unsaved() or await run_in_threadpool(workbench.photos_held, state)):
        return redirect(request, "/unsaved?close=1")
    if ws is not None:
        await run_in_threadpool(_close, state, form.get("ws"))
    return redirect(request, "/")
