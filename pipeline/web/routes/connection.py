"""The connection page: the checks of `simad doctor` for the chosen target, run from the page
with the credentials it holds (never shown), each with the step to take; and the redacted
report for whoever supports the tool."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.commands import doctor
from pipeline.core.config import resolve_target
from pipeline.web.pages import context, memory, render
from pipeline.web.state import State

MARKS = {"ok": ("✓", "good"), "warn": ("!", "warn"), "fail": ("✗", "bad"), "skip": ("–", "hint")}


async def connection_page(request: Request) -> Response:
    found = getattr(request.app.state, "connection", None)
    return await render(request, "connection.html", found=found, marks=MARKS)


async def check(request: Request) -> Response:
    """Run every check for the page's target (its credentials; the sandbox's own when none)."""
    state = memory(request)
    form = await request.form()
    login = form.get("no_login") != "on"
    found = await run_in_threadpool(_checked, state, login)
    request.app.state.connection = found
    return await render(request, "_connection.html", found=found, marks=MARKS)


def _checked(state: State, login: bool) -> doctor.Doctor:
    """The checks (in a worker thread: they reach the network). A login the target refuses is
    remembered as the submit page's would be: the same pair is never tried again."""
    target = resolve_target(state.target)
    held = state.credentials.get(target)
    options = doctor.Options(
        target,
        login=login,
        credentials=held,
        settings_login=False,  # DITAS's come from the settings, as the MAXA page's do
    )
    found = doctor.run(options, context())
    if found.refused is not None and held is not None:
        state.login_refused(target, held, found.refused)
    return found


async def report(request: Request) -> Response:
    """The last checks as a redacted text file, to send to support."""
    found = getattr(request.app.state, "connection", None)
    if found is None:
        return Response(status_code=404)
    text = await run_in_threadpool(doctor.report_text, found)
    return Response(
        text.encode("utf-8"),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="simad-doctor.txt"'},
    )
