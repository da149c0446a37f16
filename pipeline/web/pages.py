"""What every page handler shares: the app's memory and secrets read from the request, a page
rendered (in a worker thread, like every other step that takes time), a message, a redirect,
the turn for a heavy step, the open workbooks, and the error pages.

A handler is a plain ``async def name(request)`` in ``pipeline/web/routes/``; it reads what
it needs from ``request.app.state`` through the accessors here, never from a closure. The
language of a request is set once, by the guard (``security.Guard``), for everything the
request does: the handler, its worker threads (they run in a copy of its context) and its page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import anyio
import structlog
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from pipeline.commands import workspace as ws_commands
from pipeline.core import i18n
from pipeline.core.config import SANDBOX, describe_target
from pipeline.core.context import Context
from pipeline.core.digits import ascii_digits
from pipeline.core.errors import InputFileError, SimadError, StaleWorkbook, UploadTooLarge
from pipeline.core.i18n import t
from pipeline.core.redact import scrub
from pipeline.web import views
from pipeline.web.security import Secrets
from pipeline.web.state import State

T = TypeVar("T")
log = structlog.get_logger("simad.ui")
HERE = Path(__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READS_AT_ONCE = 1  # heavy steps (read an upload, write a corrected copy) running at once
MAX_WAITING = 8  # heavy steps waiting for their turn; one more is refused with a sentence
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%=&?+-]{0,300}")  # a page of this app
CLIENT_GONE: tuple[type[BaseException], ...] = (
    ClientDisconnect,
    ConnectionError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
)


# -- what the app holds -------------------------------------------------------------------------


@dataclass
class Gate:
    """The turn for a step that takes much memory: at most ``READS_AT_ONCE`` at once, and at
    most ``MAX_WAITING`` waiting (one more is refused: the app is busy). One per app."""

    slots: int = READS_AT_ONCE
    most_waiting: int = MAX_WAITING
    waiting: int = 0
    _free: asyncio.Semaphore | None = field(default=None, repr=False)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self._free is None:
            self._free = asyncio.Semaphore(self.slots)
        if self.waiting >= self.most_waiting:
            raise InputFileError(t("ui_busy"))
        self.waiting += 1
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()


def make_templates() -> Jinja2Templates:
    """The pages' templates, with the catalogue's helpers as globals (and ``listing`` as a
    filter too: ``names | listing``)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals.update(
        t=t,
        word=i18n.word,
        number=i18n.number,
        when=i18n.when,
        tone=views.tone,
        counts_text=i18n.counts_text,
        listing=i18n.listing,
    )
    env.filters["listing"] = i18n.listing
    return templates


def memory(request: Request) -> State:
    """The app's memory: workbooks, credentials, jobs."""
    return cast(State, request.app.state.simad)


def secrets_of(request: Request) -> Secrets:
    return cast(Secrets, request.app.state.keys)


def heavy(request: Request) -> AbstractAsyncContextManager[None]:
    """``async with heavy(request):`` waits for a turn for a heavy step (``Gate``)."""
    return cast(Gate, request.app.state.gate).turn()


def context() -> Context:
    """The command layer's context for this request (its language is the request's)."""
    return Context(lang=i18n.current_lang())


# -- answers ------------------------------------------------------------------------------------


async def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The page ``name`` with ``values``, rendered in a worker thread."""
    return await run_in_threadpool(_render, request, name, status, values)


def _render(request: Request, name: str, status: int, values: dict[str, Any]) -> HTMLResponse:
    state, keys = memory(request), secrets_of(request)
    lang = i18n.current_lang()
    ws = state.workspace
    page = {
        "lang": lang,
        "dir": "rtl" if lang == "fa" else "ltr",
        "csrf": json.dumps({"X-CSRF-Token": keys.csrf}),
        "csrf_token": keys.csrf,
        "target": state.target,
        "target_line": describe_target(state.target) if state.target else None,
        "sandbox": state.target == SANDBOX,
        "path": request.url.path,
        "ws": ws,
        "ws_id": ws.id if ws is not None else "",
    }
    templates = cast(Jinja2Templates, request.app.state.templates)
    return templates.TemplateResponse(request, name, {**page, **values}, status_code=status)


async def flash(request: Request, message: str, status: int = 400) -> HTMLResponse:
    """A message in the page's message area (an htmx request), or a page of its own."""
    if request.headers.get("hx-request"):
        response = await render(request, "_flash.html", status, message=message)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return await render(request, "error.html", status, message=message)


def redirect(request: Request, to: str) -> Response:
    """Go to ``to``: htmx follows HX-Redirect, a plain browser the 303."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": to})
    return Response(status_code=303, headers={"Location": to})


def download(path: Path, *, remove: bool = False) -> FileResponse:
    """``path`` as a download; ``remove``: made for this download only, deleted once sent."""
    media = XLSX if path.suffix.lower() == ".xlsx" else "application/octet-stream"
    task = BackgroundTask(_unlink, path) if remove else None
    return FileResponse(path, filename=path.name, media_type=media, background=task)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# -- the open workbooks (in a worker thread only) -----------------------------------------------


def workspace(state: State, ws_id: object = None, *, named: bool = True) -> ws_commands.Workspace:
    """The open workbooks; when ``named``, only if ``ws_id`` names them (a page of other
    workbooks is refused with ``StaleWorkbook``). Validated again when their findings are
    worded in another language. Blocking: call it in a worker thread, holding ``state.lock``."""
    ws = state.workspace_for(ws_id) if named else state.workspace
    if ws is None:
        raise InputFileError(t("ui_no_workbook"))
    if ws.run.lang != i18n.current_lang():  # findings are worded in the language they were made
        with state.lock:
            ws_commands.revalidate(ws, context())
    return ws


def locked(state: State, work: Callable[[], T]) -> T:
    """``work()`` holding the workbooks' lock (in a worker thread: never across an await)."""
    with state.lock:
        return work()


# -- form values ----------------------------------------------------------------------------------


def whole(value: Any, default: int = -1) -> int:
    """``value`` as a whole number (Persian digits too), or ``default``."""
    text = ascii_digits(str(value).strip())
    if not re.fullmatch(r"-?[0-9]{1,9}", text):  # no thousand-digit numbers
        return default
    return int(text)


def local(path: Any) -> str:
    """A page of this app to go to next; anything else (another site, a line break that
    would split the header, any character a path of the app has not) goes to the start."""
    text = str(path or "/")
    return text if LOCAL_PATH.fullmatch(text) else "/"


SAFE_BYTES = 60  # the most a piece of a file name made from what a person typed takes


def safe(text: str) -> str:
    """``text`` as a piece of a file name: 40 characters and 60 bytes at most (a name of
    three such pieces stays under the 255 bytes a file system allows, whatever script the
    characters are from: 𝐀 takes four)."""
    piece = re.sub(r"[^\w.-]", "_", text)[:40].encode()[:SAFE_BYTES]
    return piece.decode("utf-8", "ignore") or "_"  # (a letter cut in two is dropped)


def files_in(form: FormData) -> list[UploadFile]:
    """The files a form's ``files`` field carries (those with a name)."""
    return [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]


# -- the error pages ------------------------------------------------------------------------------


async def failed(request: Request, exc: Exception) -> Response:
    """The one error boundary of the pages: a sentence, never a traceback."""
    if isinstance(exc, SimadError):  # scrubbed as on the command line: no secret echoed
        stale, too_big = isinstance(exc, StaleWorkbook), isinstance(exc, UploadTooLarge)
        status = 409 if stale else 413 if too_big else 400
        log.warning("ui_refused", path=route_of(request), error=type(exc).__name__)
        return await flash(request, scrub(exc), status)
    log.exception("ui_failed", path=route_of(request))
    return await flash(request, t("internal_error", error=type(exc).__name__), 500)


async def not_found(request: Request, exc: Exception) -> Response:
    """A page or method the app does not have: a sentence."""
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    log.warning("ui_refused", path=route_of(request), status=status)
    return await flash(request, t("ui_not_found"), status)


async def fault(scope: Scope, exc: Exception) -> Response:
    """What escaped every handler and the guard: a client that went away (nobody to answer),
    or a fault of the tool (a sentence with 500; its traceback in the log file only)."""
    request = Request(scope)
    if client_gone(exc):
        log.warning("ui_client_gone", path=route_of(request), error=type(exc).__name__)
        return Response(status_code=400)
    with i18n.language(memory(request).lang), i18n.face("page"):  # outside the guard: set here
        return await failed(request, exc)


def client_gone(exc: BaseException) -> bool:
    """Whether ``exc`` says only that the client went away (in a group: all of it does)."""
    if isinstance(exc, BaseExceptionGroup):
        return all(client_gone(e) for e in exc.exceptions)
    return isinstance(exc, CLIENT_GONE) or type(exc).__name__ == "ClientDisconnected"


def route_of(request: Request) -> str:
    """The part of the app a request was for, to log: the path's first step only (a file
    name or an id after it is nobody's business)."""
    return "/" + request.url.path.split("/")[1][:20]
