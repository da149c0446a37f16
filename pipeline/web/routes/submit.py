"""The submit page: what will be sent, the credentials typed in (kept in memory only), the
submission started as a job of its own, stopped, and its progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from pipeline.commands import workspace as ws_commands
from pipeline.commands.runs import REFUSED_LOGIN
from pipeline.commands.sandbox import slow_transport
from pipeline.commands.submit import (
    DryPlan,
    PlannedRow,
    SheetPlan,
    SubmitOptions,
    new_run_id,
    plan_submit,
)
from pipeline.core.config import (
    SANDBOX,
    Credentials,
    describe_target,
    simad_credentials,
    simad_home,
)
from pipeline.core.digits import ascii_digits
from pipeline.core.errors import ConfigError, SimadError
from pipeline.core.i18n import MESSAGES, current_lang, listing, number_text, t, when
from pipeline.core.private import private_dir
from pipeline.web.pages import context, heavy, locked, memory, redirect, render, workspace
from pipeline.web.state import Job, State, told
from pipeline.web.uploads import photo_folder, photo_view

PROGRESS_EVERY = 0.4  # seconds between two progress events: more than twice a second


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation says, planned as the run plans it (``plan.total`` is the job's
    total): per sheet, and each declaration held back by its resident's row, in words."""

    plan: DryPlan
    sheets: list[SheetPlan]
    blocked: list[Markup]


def keys_words(keys: list[str]) -> str:
    """«۱۰۰۰۰۰۱۹/۱۴۰۲، ۱۰۰۰۰۰۲۸/۱۴۰۲»: rows named as the page's language writes a list."""
    if current_lang() == "fa":
        keys = [number_text(k) for k in keys]
    return listing(keys)


def blocked_words(row: PlannedRow) -> Markup:
    """Where a declaration blocked by its resident is, and why it will not be sent (the sheet's
    label and the student number isolated)."""
    student = keys_words([row.key.split("/")[0]])
    where, resident = row.where, row.resident_row
    return isolated("plan_blocked", where=where, row=row.row, student=student, resident=resident)


def _plan(state: State) -> Confirmation | None:
    """The run's plan from the open workbooks as they stand (under the lock): the same dry
    plan the engine counts its total from (None: no workbook or no target)."""
    ws, target = state.workspace, state.target
    if ws is None or target is None:
        return None
    inputs = inputs_for_sending(state, ws, "compared")
    plan = plan_submit(SubmitOptions(inputs, target=target), ctx=context())
    with context().applied():
        blocked = [blocked_words(r) for r in plan.blocked]
    return Confirmation(plan, plan.by_sheet(), blocked)


def _photos_to_send(state: State) -> int | None:
    """How many photos the run sends, as the check page counts them (None: no workbook)."""
    ws = state.workspace
    return int(photo_view(state, ws)["send"]) if ws is not None else None


async def submit_page(request: Request) -> Response:
    state = memory(request)
    job = state.latest("submit")
    async with heavy(request):  # corrected copies of the workbooks are written
        plan = await run_in_threadpool(locked, state, partial(_plan, state))
    photos = await run_in_threadpool(locked, state, partial(_photos_to_send, state))
    target = state.target
    return await render(
        request,
        "submit.html",
        job=job,
        snapshot=job.snapshot() if job else None,
        plan=plan,
        has_workbook=state.workspace is not None,
        photos=photos,
        needs_login=state.needs_login(target),
        refused=server_text(told(state.refused[target])) if target in state.refused else None,
        earlier=earlier(job, target),
    )


def isolated(key: str, **values: object) -> Markup:
    """The catalogue's sentence ``key`` with each text value (a file name, an address)
    isolated in ``<bdi>``, so that a Latin run inside a Persian sentence keeps its order;
    numbers are written as ``t`` writes them, ``Markup`` values put in as they are."""
    texts = {name: v for name, v in values.items() if isinstance(v, str)}
    marks = {name: f"\x00{i}\x00" for i, name in enumerate(texts)}
    text = str(escape(t(key, **{**values, **marks})))
    for i, value in enumerate(texts.values()):
        shown = value if isinstance(value, Markup) else Markup(f"<bdi>{escape(value)}</bdi>")
        text = text.replace(f"\x00{i}\x00", str(shown))  # a Markup value: already isolated
    return Markup(text)  # the sentence and every value escaped above


def server_text(reason: str | None) -> Markup | None:
    """A reason that quotes the server («… (HTTP 403): Incorrect username or password») with the
    server's own words isolated in ``<bdi>``, so that a Latin answer keeps its order in a
    Persian sentence; any other reason isolated as a whole."""
    if not reason:
        return None
    said = (MESSAGES["auth_refused"][lang].split("{", 1)[0] for lang in ("fa", "en"))
    found = REFUSED_LOGIN.search(reason)
    if found is None or not any(reason.startswith(p) for p in said):
        return Markup(f"<bdi>{escape(reason)}</bdi>")
    status = int(ascii_digits(found.group(1)))
    return isolated("auth_refused", status=status, text=found.group(2).strip())


def earlier(job: Job | None, target: str | None) -> Markup | None:
    """What labels a finished job of another target than the chosen one (else None): it is
    not the current one."""
    if job is None or job.finished is None or not job.target or job.target == target:
        return None
    now = describe_target(target, short=True) if target else "-"
    return isolated("ui_job_other_target", when=when(job.began), target=now)


async def credentials(request: Request) -> Response:
    state = memory(request)
    form = await request.form()
    user, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    if not state.target or not user or not password:
        raise ConfigError(t("ui_credentials_missing"))
    state.sign_in(state.target, Credentials(user, password))
    return redirect(request, "/submit")


def login_for(state: State, target: str) -> Credentials:
    """The credentials for ``target``: typed in the page (the sandbox's own when none), never
    ones the target refused (``ConfigError``: the page asks again). Blocking for the sandbox
    (the settings are read): in a worker thread."""
    found = state.credentials.get(target)
    if target == SANDBOX and found is None:
        found = simad_credentials(target, interactive=False)
    if found is None:
        raise ConfigError(t("ui_credentials_missing"))
    return state.checked_login(target, found)


def inputs_for_sending(
    state: State, ws: ws_commands.Workspace, folder: str = "corrected"
) -> list[Path]:
    """The files to send (or compare): the corrected copies of the workbooks, in a folder
    of the session (a comparison never rewrites the copies a submission reads)."""
    return ws_commands.corrected_inputs(ws, state.folder / folder, ctx=context())


def _prepare(state: State, ws_id: object) -> tuple[list[Path], Path, str]:
    """The workbooks the page named, corrected as they stand now, the report's path and the
    run's id. What is sent is kept under SIMAD_HOME/runs/<run id>/ (owner-only), where the
    ledger records it, so that ``simad runs --report`` can write the report again later."""
    ws = workspace(state, ws_id)
    stem = ws.paths[0].stem
    folder = private_dir(simad_home() / "reports")
    report = folder / f"{stem}-submission-{datetime.now().strftime('%Y%m%d-%H%M%S')}.xlsx"
    run_id = new_run_id()
    kept = private_dir(private_dir(simad_home() / "runs") / run_id)
    return ws_commands.corrected_inputs(ws, kept, ctx=context(), every=True), report, run_id


async def submit(request: Request) -> Response:
    state = memory(request)
    form = await request.form()
    target = state.target
    if target is None:
        raise ConfigError(t("ui_choose_target"))
    login = await run_in_threadpool(login_for, state, target)
    running = state.latest("submit")
    if running is not None and running.finished is None:  # its files stay as they are
        raise SimadError(t("ui_job_running"))
    async with heavy(request):
        inputs, report, run_id = await run_in_threadpool(
            locked, state, partial(_prepare, state, form.get("ws"))
        )
    images = await run_in_threadpool(photo_folder, state)  # sent after their residents
    options = SubmitOptions(inputs, target=target, report=report, run_id=run_id, images=images)
    title = describe_target(target, short=True)
    slow = form.get("slow") == "on" and target == SANDBOX  # a rehearsal of Stop
    if slow:
        title = t("ui_slow_title", target=title)
    transport = slow_transport() if slow else None
    state.submit(title, options, login, context(), transport=transport)
    return redirect(request, "/submit")


async def stop(request: Request) -> Response:
    job = memory(request).jobs.get(request.path_params["job"])
    if job is not None:
        job.stop()
    return redirect(request, "/submit" if job is None or job.kind == "submit" else "/maxa")


async def events(request: Request) -> Response:
    """The job's progress as Server-Sent Events, until it ends or the page goes away (the
    job goes on)."""
    job = memory(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404)
    return StreamingResponse(_progress(request, job), media_type="text/event-stream")


async def _progress(request: Request, job: Job) -> AsyncIterator[str]:
    while True:
        snap = job.snapshot()
        yield f"data: {json.dumps(snap, ensure_ascii=False)}\n\n"
        if job.finished is not None or await request.is_disconnected():
            return
        await asyncio.sleep(PROGRESS_EVERY)
