"""The office web app: server-rendered pages (Starlette, Jinja2, htmx) that call the command
layer and show what it returns. Nothing here decides a rule; every action is a command's.

The shape is datasette's: the pages are listed once (``pipeline.web.routes.routes``), each
handler a plain ``async def`` in the module of its page, reading the app's memory (``State``),
its secrets and its templates from ``request.app.state``; what they share is in
``pipeline.web.pages``. The guard (``security.Guard``) sets the language once per request.

Nothing slow runs on the event loop: reading an upload, validating, writing a corrected copy or
a report, asking SIMAD or MAXA, even drawing a page, each runs in a worker thread, and the
workbooks' lock is only ever taken there (never held across an ``await``), so that one tab
validating a big workbook never stops another from getting its page.

Uploads are read by a child process (``isolated``): a file made to harm the reader ends the
child, and the page says so in a sentence. At most ``READS_AT_ONCE`` heavy steps (reading and
validating an upload, writing a corrected copy or a report) run at once, and at most
``MAX_WAITING`` more wait for their turn, so that parallel uploads cannot stack memory.

One workbook per tab: the open workbooks have an id (``Workspace.id``) that every correction,
undo, download and submission names; a page of workbooks that are no longer open is refused
with a sentence asking to reload it, never applied to the open ones.

What the app cannot answer is a sentence in the page with a 4xx status (a 500 only for a fault
of the tool), and a warning in the log file without a traceback; a client that went away (a
cancelled upload, a closed progress stream) is noted the same way. Nothing reaches the console.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.core.errors import SimadError
from pipeline.web import pages, workbench
from pipeline.web.routes import routes
from pipeline.web.security import HEADERS, Guard, Secrets
from pipeline.web.state import State

log = structlog.get_logger("simad.ui")
READS_AT_ONCE, MAX_WAITING = pages.READS_AT_ONCE, pages.MAX_WAITING


def create_app(keys: Secrets, state: State) -> Starlette:
    """The app for one session: its secrets (the guard) and its memory (``state``)."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(state.close)

    app = Starlette(
        routes=routes,
        exception_handlers={SimadError: pages.failed, HTTPException: pages.not_found},
        lifespan=lifespan,
    )
    workbench.restore(state)  # the workbooks open when the app last stopped, corrections too
    app.state.simad = state
    app.state.keys = keys
    app.state.templates = pages.make_templates()
    app.state.gate = pages.Gate(READS_AT_ONCE, MAX_WAITING)
    app.add_middleware(Guard, keys=keys, lang=lambda: state.lang)
    app.add_middleware(Shield, fallback=pages.fault)
    return app


class Shield:
    """The outermost boundary: whatever a route or the guard raises becomes the fallback's
    page (or nothing, for a client that went away), never an exception the server prints."""

    def __init__(
        self, app: ASGIApp, fallback: Callable[[Scope, Exception], Awaitable[Response]]
    ) -> None:
        self.app, self.fallback = app, fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:  # half an answer already went out: end it, say why in the log
                path = pages.route_of(Request(scope))
                log.warning("ui_answer_cut", path=path, error=type(exc).__name__)
                with contextlib.suppress(Exception):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            response = await self.fallback(scope, exc)
            for name, value in HEADERS:
                response.headers.setdefault(name.decode(), value.decode())
            with contextlib.suppress(Exception):
                await response(scope, receive, send)
