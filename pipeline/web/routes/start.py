"""The start page: workbooks dropped on it, the target chosen, the language switched."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands import template as template_commands
from pipeline.commands import workspace as ws_commands
from pipeline.core import i18n
from pipeline.core.config import SANDBOX, resolve_target
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError, InputFileError
from pipeline.core.i18n import t
from pipeline.web import isolated, workbench
from pipeline.web.pages import (
    XLSX,
    context,
    files_in,
    heavy,
    local,
    memory,
    redirect,
    render,
)
from pipeline.web.state import State
from pipeline.web.uploads import discard, photos_kept, split_uploads, store_all, store_photos

TEMPLATE_KINDS = ("residents", "upgrades")  # the blank workbooks ``simad template`` writes
MAX_FILES = 1000  # files in one drop: workbooks and a folder of photos


async def start(request: Request) -> Response:
    """The start page; it offers the blank templates, the page's language first."""
    lang = i18n.current_lang()
    langs = [lang, *(other for other in i18n.LANGS if other != lang)]
    note = memory(request).note  # the workbooks held last time, when they could not be opened
    kept = await run_in_threadpool(photos_kept, memory(request))
    return await render(
        request,
        "start.html",
        template_kinds=TEMPLATE_KINDS,
        template_langs=langs,
        note=note,
        photos=kept,
    )


async def template(request: Request) -> Response:
    """A blank input workbook (``/template/residents?lang=en``), built like ``simad template``
    in the language asked for (the page's by default), as a download."""
    kind = request.path_params["kind"]
    lang = i18n.checked(request.query_params.get("lang") or i18n.current_lang())
    if kind not in TEMPLATE_KINDS:
        raise ConfigError(t("ui_template_unknown"))
    name, content = await run_in_threadpool(
        template_commands.template_download, kind, ctx=Context(lang=lang)
    )
    disposition = f'attachment; filename="{name}"'
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})


async def upload(request: Request) -> Response:
    """Workbooks dropped on the start page: kept, read by a child process, validated; the
    open workbooks from now on. A refused upload is deleted at once. Photos dropped with them
    (or alone) are added to the open workbook's photos; photos alone leave the workbooks
    open. The page sends a large drop in several requests: its photos first (``staged``:
    the drop's workbooks follow, the photos wait for them), then its workbooks."""
    state = memory(request)
    async with request.form(max_files=MAX_FILES, max_part_size=1024 * 1024) as form:
        books, pictures = split_uploads(files_in(form))
        if not books and not pictures:
            raise InputFileError(t("ui_no_file"))
        if pictures:
            staged = bool(books) or form.get("staged") == "1"
            await run_in_threadpool(partial(store_photos, state, pictures, staged=staged))
        if not books:
            return redirect(request, "/check" if state.workspace is not None else "/")
        paths = await store_all(state, books)
    if await run_in_threadpool(workbench.wait_for_answer, state, paths):
        return redirect(request, "/unsaved")  # the open workbooks' corrections: asked first
    return await open_uploads(request, state, paths)


async def remove_photos(request: Request) -> Response:
    """The photos dropped in the page removed (the check page's button); the workbooks stay."""
    state = memory(request)
    await run_in_threadpool(workbench.remove_photos, state)
    return redirect(request, "/check" if state.workspace is not None else "/")


async def open_uploads(request: Request, state: State, paths: list[Path]) -> Response:
    """Uploads kept already, read, validated and opened in place of the open workbooks (and
    held on disk in their place); deleted if they cannot be."""
    try:
        async with heavy(request):
            opened = await run_in_threadpool(_read_and_validate, state, paths)
    except BaseException:
        await discard(state, paths)
        raise
    await run_in_threadpool(_open, state, opened)
    return redirect(request, "/check")


def _read_and_validate(state: State, paths: list[Path]) -> ws_commands.Workspace:
    """The uploads read by a child process each, then validated (a worker thread's)."""
    books = [isolated.read_book(path, scratch=state.scratch) for path in paths]
    return ws_commands.open_books(books, target=state.target, ctx=context())


def _open(state: State, opened: ws_commands.Workspace) -> None:
    with state.lock:
        workbench.hold(state, opened)  # in place of what was held: the person chose so
        state.opened(opened)
    state.tidy()  # the workbooks open before, unless being sent


async def choose_target(request: Request) -> Response:
    form = await request.form()
    choice = str(form.get("target", ""))
    address = str(form.get("address", "")).strip()
    if choice not in (SANDBOX, "remote"):
        raise ConfigError(t("ui_choose_target"))
    chosen = SANDBOX if choice == SANDBOX else address or "-"
    state = memory(request)
    state.target = await run_in_threadpool(resolve_target, chosen)
    await run_in_threadpool(workbench.keep_target, state.bench.parent, state.target)
    return redirect(request, local(form.get("next")))


async def set_lang(request: Request) -> Response:
    form = await request.form()
    memory(request).lang = i18n.checked(str(form.get("lang", "fa")))
    return redirect(request, local(form.get("next")))
