"""The MAXA page: a terminology pulled into the mirror (a job with progress), a code looked
up, a value validated, the versions listed, two versions compared, and a drug list checked.
One route per action; each calls the command layer's function of the same name in a worker
thread (a MAXA call reaches the network or the mirror)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from pipeline.commands import maxa as maxa_commands
from pipeline.core.config import SANDBOX, MaxaCredentials, maxa_credentials, resolve_target
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError, InputFileError, SimadError
from pipeline.core.i18n import t
from pipeline.core.redact import scrub
from pipeline.web import isolated
from pipeline.web.pages import (
    context,
    files_in,
    heavy,
    memory,
    redirect,
    render,
    safe,
)
from pipeline.web.state import Job, State
from pipeline.web.uploads import discard, store_all


def maxa_login() -> MaxaCredentials:
    """The DITAS credentials from the settings (the sandbox's when none), never asked.
    Blocking (the settings are read): in a worker thread."""
    return maxa_credentials(resolve_target(None, env_var="MAXA_TARGET"), interactive=False)


@dataclass(frozen=True)
class Asked:
    """A MAXA form, its values stripped; the terminology is required."""

    values: dict[str, str]
    login: MaxaCredentials
    ctx: Context

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def term(self) -> str:
        return self["terminology"]

    @property
    def offline(self) -> bool:
        return self["offline"] == "on"


async def asked(request: Request) -> Asked:
    values = {k: str(v).strip() for k, v in (await request.form()).items()}
    if not values.get("terminology"):
        raise InputFileError(t("ui_terminology_missing"))
    offline = values.get("offline") == "on"
    values["terminology"] = await run_in_threadpool(
        _known, memory(request), values["terminology"], offline
    )
    return Asked(values, await run_in_threadpool(maxa_login), context())


def _known(state: State, term: str, offline: bool) -> str:
    """``term`` as the service (offline: the mirror) spells it; ``ConfigError`` naming the
    known terminologies when it is none of them. In a worker thread."""
    try:
        known = maxa_commands.mirrored_terminologies() if offline else _terminologies(state)
    except SimadError:
        known = []
    return maxa_commands.known_terminology(term, known, offline=offline)


def maxa_target_line() -> str:
    """The banner's line on the MAXA page: where MAXA's questions go (not SIMAD's target).
    Blocking (the settings are read): in a worker thread."""
    try:
        target = resolve_target(None, env_var="MAXA_TARGET")
    except ConfigError as exc:
        return scrub(exc)
    where = t("maxa_target_sandbox") if target == SANDBOX else target
    return t("maxa_target_line", target=where)


_SINCE = date(1990, 1, 1)  # every terminology the service has: none is older


def _terminologies(state: State) -> list[str]:
    """The service's list (kept for the app's life once it answered: asked once, not per
    page), else the mirror's; [] when neither lists any."""
    if not state.terminologies:
        try:
            listed = maxa_commands.terminologies(_SINCE, target=None, credentials=maxa_login())
        except SimadError:
            listed = []
        state.terminologies = sorted(set(listed), key=str.casefold)
    try:
        return state.terminologies or maxa_commands.mirrored_terminologies()
    except SimadError:
        return []


async def maxa_page(request: Request) -> Response:
    """The page; with ``?part=pull`` only the pull's card (htmx keeps the rest of the page),
    with ``?part=terminologies`` only the choices of the terminology fields."""
    part = request.query_params.get("part")
    if part == "terminologies":
        names = await run_in_threadpool(_terminologies, memory(request))
        return HTMLResponse("".join(f'<option value="{escape(n)}"></option>' for n in names))
    if part == "pull":
        return await _pull_card(request)
    job = memory(request).latest("pull")
    line = await run_in_threadpool(maxa_target_line)
    snapshot = job.snapshot() if job else None
    return await render(
        request, "maxa.html", job=job, snapshot=snapshot, target_line=line, sandbox=False
    )


async def _pull_card(request: Request) -> Response:
    """The latest pull's card alone (nothing when none was started)."""
    job = memory(request).latest("pull")
    if job is None:
        return HTMLResponse("")
    return await render(request, "_job.html", job=job, snapshot=job.snapshot())


def _lookup(a: Asked) -> maxa_commands.Told:
    answer = maxa_commands.lookup(
        a.term, a["code"], offline=a.offline, target=None, credentials=a.login, ctx=a.ctx
    )
    return maxa_commands.explained(answer, offline=a.offline, credentials=a.login, ctx=a.ctx)


def _validate(a: Asked) -> maxa_commands.Told:
    answer = maxa_commands.validate(
        a.term,
        a["code"],
        a["value"],
        offline=a.offline,
        target=None,
        credentials=a.login,
        ctx=a.ctx,
    )
    return maxa_commands.explained(answer, offline=a.offline, credentials=a.login, ctx=a.ctx)


async def answered(request: Request, work: Callable[[Asked], maxa_commands.Told]) -> Response:
    """The answer in its box; a refusal there too, in place of the answer before it (never
    an old answer left beside a new error)."""
    try:
        told = await run_in_threadpool(work, await asked(request))
    except SimadError as exc:
        return await render(request, "_maxa_answer.html", 400, told=None, error=scrub(exc))
    return await render(request, "_maxa_answer.html", told=told, error=None)


async def lookup(request: Request) -> Response:
    return await answered(request, _lookup)


async def validate(request: Request) -> Response:
    return await answered(request, _validate)


def _versions(a: Asked) -> Any:
    return maxa_commands.versions(a.term, target=None, credentials=a.login, ctx=a.ctx)


async def versions(request: Request) -> Response:
    a = await asked(request)
    found = await run_in_threadpool(_versions, a)
    return await render(request, "_maxa_versions.html", versions=found, terminology=a.term)


def _diff(state: State, a: Asked, name: str) -> Any:
    return maxa_commands.diff(
        a.term,
        a["old"],
        a["new"],
        out=state.out_path(name),
        offline=a.offline,
        target=None,
        credentials=a.login,
        ctx=a.ctx,
    )


async def diff(request: Request) -> Response:
    a = await asked(request)
    name = f"maxa-diff-{safe(a.term)}-{safe(a['old'])}-{safe(a['new'])}.xlsx"
    result = await run_in_threadpool(_diff, memory(request), a, name)
    return await render(request, "_maxa_diff.html", diff=result, download=name)


@dataclass(frozen=True)
class Pulling:
    """A pull into the mirror as a job's work, its progress handed to the job."""

    asked: Asked

    def run(self, job: Job) -> Any:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        a = self.asked
        version = a["version"] or "latest"
        return maxa_commands.pull(
            a.term, version, target=None, credentials=a.login, progress=progress, ctx=a.ctx
        )


async def pull(request: Request) -> Response:
    a = await asked(request)
    state = memory(request)
    state.start("pull", a.term, Pulling(a).run)
    if not request.headers.get("hx-request"):
        return redirect(request, "/maxa")
    return await _pull_card(request)  # its card in place: the page and its fields stay


@dataclass(frozen=True)
class DrugList:
    """A drug list to check: the files kept, the terminology and version, the report."""

    paths: list[Path]
    term: str
    version: str
    offline: bool
    report: str  # its name in the session's downloads


def _check(state: State, drugs: DrugList) -> Any:
    """The list checked, after the reader got through each file in a child process."""
    for path in drugs.paths:
        isolated.check_readable(path, scratch=state.scratch)
    return maxa_commands.check(
        drugs.paths,
        drugs.term,
        version=drugs.version,
        report=state.out_path(drugs.report),
        offline=drugs.offline,
        target=None,
        credentials=maxa_login(),
        ctx=context(),
    )


async def check(request: Request) -> Response:
    """A drug list uploaded and checked against a terminology (B.11): the counts, the rows
    needing attention, and the report to download."""
    state = memory(request)
    async with request.form(max_files=5, max_part_size=1024 * 1024) as form:
        files = files_in(form)
        term = str(form.get("terminology") or "").strip()
        version = str(form.get("version") or "").strip() or "latest"
        offline = form.get("offline") == "on"
        if not files:
            raise InputFileError(t("ui_no_file"))
        if not term:
            raise InputFileError(t("ui_terminology_missing"))
        term = await run_in_threadpool(_known, state, term, offline)
        paths = await store_all(state, files)
    stamp = datetime.now().strftime("%H%M%S")
    name = f"maxa-check-{safe(term)}-{safe(paths[0].stem)}-{stamp}.xlsx"
    drugs = DrugList(paths, term, version, offline, name)
    try:
        async with heavy(request):
            checked = await run_in_threadpool(_check, state, drugs)
    finally:
        await discard(state, paths)  # the list is checked: its report is what is kept
    return await render(request, "_maxa_check.html", checked=checked, download=name)
