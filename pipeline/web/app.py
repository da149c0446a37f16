"""The office web app: server-rendered pages (Starlette, Jinja2, htmx) that call the command
layer and show what it returns. Nothing here decides a rule; every action is a command's.

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

import asyncio
import contextlib
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import structlog
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.commands import maxa as maxa_commands
from pipeline.commands import workspace as ws_commands
from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.results import run_results
from pipeline.commands.runs import list_runs
from pipeline.commands.submit import run_submit
from pipeline.core import i18n
from pipeline.core.config import (
    SANDBOX,
    Credentials,
    MaxaCredentials,
    describe_target,
    maxa_credentials,
    resolve_target,
    simad_credentials,
    simad_home,
)
from pipeline.core.context import Context
from pipeline.core.errors import (
    ConfigError,
    InputFileError,
    SimadError,
    StaleWorkbook,
    UploadTooLarge,
)
from pipeline.core.i18n import counts_text, t, word
from pipeline.core.private import private_dir
from pipeline.core.redact import scrub
from pipeline.sheets.reader import EXCEL_SUFFIXES, OLE_MAGIC, ZIP_MAGIC
from pipeline.sheets.validation import INVALID, VALID, finding_groups
from pipeline.web import isolated, views
from pipeline.web.security import HEADERS, MAX_UPLOAD, Guard, Secrets
from pipeline.web.state import Job, State, stored_name

log = structlog.get_logger("simad.ui")
HERE = Path(__file__).parent
UPLOAD_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls", ".csv"}
PROGRESS_EVERY = 0.4  # seconds between two progress events: more than twice a second
DOWNLOADABLE = re.compile(r"(results|reconcile|maxa)-[\w.-]+\.xlsx")  # what /download/ serves
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READS_AT_ONCE = 1  # heavy steps (read an upload, write a corrected copy) running at once
MAX_WAITING = 8  # heavy steps waiting for their turn; one more is refused with a sentence
CHUNK = 1 << 20
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%=&?+-]{0,300}")  # a page of this app
YEARS = range(1000, 10000)  # a year is four digits (Solar Hijri: 1403)
CLIENT_GONE: tuple[type[BaseException], ...] = (
    ClientDisconnect,
    ConnectionError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
)


def create_app(keys: Secrets, state: State) -> Starlette:
    """The app for one session: its secrets (the guard) and its memory (``state``)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals.update(t=t, word=word, number=i18n.number, when=i18n.when, tone=views.tone)
    env.globals["counts_text"] = counts_text

    def ctx() -> Context:
        return Context(lang=state.lang)

    def maxa_login() -> MaxaCredentials:
        """The DITAS credentials from the settings (the sandbox's when none), never asked."""
        with i18n.language(state.lang):
            return maxa_credentials(resolve_target(None, env_var="MAXA_TARGET"), interactive=False)

    def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        with i18n.language(state.lang):
            page = {
                "lang": state.lang,
                "dir": "rtl" if state.lang == "fa" else "ltr",
                "csrf": json.dumps({"X-CSRF-Token": keys.csrf}),
                "csrf_token": keys.csrf,
                "target": state.target,
                "target_line": describe_target(state.target) if state.target else None,
                "sandbox": state.target == SANDBOX,
                "path": request.url.path,
                "ws": state.workspace,
                "ws_id": state.workspace.id if state.workspace is not None else "",
            }
            return templates.TemplateResponse(request, name, {**page, **values}, status_code=status)

    def flash(request: Request, message: str, status: int = 400) -> HTMLResponse:
        """A message in the page's message area (an htmx request), or a page of its own."""
        if request.headers.get("hx-request"):
            response = render(request, "_flash.html", status, message=message)
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "error.html", status, message=message)

    async def failed(request: Request, exc: Exception) -> Response:
        """The one error boundary of the pages: a sentence, never a traceback."""
        if isinstance(exc, SimadError):  # scrubbed as on the command line: no secret echoed
            status = (
                409
                if isinstance(exc, StaleWorkbook)
                else 413
                if isinstance(exc, UploadTooLarge)
                else 400
            )
            log.warning("ui_refused", path=_route(request), error=type(exc).__name__)
            return flash(request, scrub(exc), status)
        log.exception("ui_failed", path=_route(request))
        with i18n.language(state.lang):
            return flash(request, t("internal_error", error=type(exc).__name__), 500)

    async def not_found(request: Request, exc: Exception) -> Response:
        """A page or method the app does not have: a sentence."""
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        log.warning("ui_refused", path=_route(request), status=status)
        with i18n.language(state.lang):
            return flash(request, t("ui_not_found"), status)

    waiting = 0
    heavy_slots = asyncio.Semaphore(READS_AT_ONCE)

    @asynccontextmanager
    async def heavy() -> AsyncIterator[None]:
        """A turn for a step that takes much memory: at most ``READS_AT_ONCE`` at once, and
        at most ``MAX_WAITING`` waiting (one more is refused: the app is busy)."""
        nonlocal waiting
        if waiting >= MAX_WAITING:
            with i18n.language(state.lang):
                raise InputFileError(t("ui_busy"))
        waiting += 1
        try:
            await heavy_slots.acquire()
        finally:
            waiting -= 1
        try:
            yield
        finally:
            heavy_slots.release()

    def redirect(request: Request, to: str) -> Response:
        """Go to ``to``: htmx follows HX-Redirect, a plain browser the 303."""
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": to})
        return Response(status_code=303, headers={"Location": to})

    # -- start -------------------------------------------------------------------------------

    async def start(request: Request) -> Response:
        return render(request, "start.html")

    async def upload(request: Request) -> Response:
        """Workbooks dropped on the start page: kept, read by a child process, validated; the
        open workbooks from now on. A refused upload is deleted at once."""
        async with request.form(max_files=20, max_part_size=1024 * 1024) as form:
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
            with i18n.language(state.lang):
                if not files:
                    raise InputFileError(t("ui_no_file"))
                paths = await _store_all(state, files)
        c = ctx()
        try:
            async with heavy():
                books = []
                for path in paths:
                    books.append(
                        await run_in_threadpool(
                            isolated.read_book, path, scratch=state.scratch, lang=state.lang
                        )
                    )
                opened = await run_in_threadpool(
                    ws_commands.open_workspace, paths, target=state.target, books=books, ctx=c
                )
        except BaseException:
            state.discard(paths)
            raise
        state.opened(opened)
        await run_in_threadpool(state.tidy)  # the workbooks open before, unless being sent
        return redirect(request, "/check")

    async def choose_target(request: Request) -> Response:
        form = await request.form()
        choice = str(form.get("target", ""))
        address = str(form.get("address", "")).strip()
        with i18n.language(state.lang):
            if choice not in (SANDBOX, "remote"):
                raise ConfigError(t("ui_choose_target"))
            chosen = resolve_target(SANDBOX if choice == SANDBOX else address or "-")
        state.target = chosen
        return redirect(request, _local(form.get("next")))

    async def set_lang(request: Request) -> Response:
        form = await request.form()
        with i18n.language(state.lang):
            state.lang = i18n.checked(str(form.get("lang", "fa")))
        return redirect(request, _local(form.get("next")))

    # -- validation and fix in place ------------------------------------------------------------

    def workspace(ws_id: object = None, *, named: bool = True) -> ws_commands.Workspace:
        """The open workbooks; when ``named``, only if ``ws_id`` names them (a page of other
        workbooks is refused with ``StaleWorkbook``)."""
        with i18n.language(state.lang):
            ws = state.workspace_for(ws_id) if named else state.workspace
            if ws is None:
                raise InputFileError(t("ui_no_workbook"))
        if ws.run.lang != state.lang:  # findings are worded in the language they were made in
            with state.lock:
                ws_commands.revalidate(ws, ctx())
        return ws

    def check_values(
        q: Mapping[str, str], panel: dict[str, Any] | None = None, *, named: bool = True
    ) -> dict[str, Any]:
        """The check page's values for the view ``q`` (sheet, filter, page), remembered so that
        a correction redraws the same view. ``named``: only for the workbooks ``q["ws"]``
        names (a part of a page); a whole page shows the open workbooks."""
        ws = workspace(q.get("ws"), named=named)
        state.view = {k: v for k, v in q.items() if k in ("sheet", "only", "rule", "field", "page")}
        sheet_no = _int(q.get("sheet"), 0)
        if not 0 <= sheet_no < len(ws.run.results):
            sheet_no = 0
        rule = (q["rule"], q.get("field", "")) if q.get("rule") else None
        only = q.get("only") == "invalid"
        with i18n.language(state.lang):
            page = views.sheet_page(
                ws.run.results[sheet_no],
                sheet_no,
                only_invalid=only,
                rule=rule,
                page=_int(q.get("page"), 1),
            )
            groups = finding_groups(ws.run.results)
        labels = [r.sheet.label for r in ws.run.results]
        return {
            "run": ws.run,
            "page": page,
            "groups": [(g, labels.index(g.sheet)) for g in groups],
            "only": only,
            "rule": rule,
            "panel": panel,
            "edits": len(ws.edits),
            "seconds": ws.seconds,
            "files": [p.name for p in ws.paths],
            "ws_id": ws.id,
        }

    async def check(request: Request) -> Response:
        if state.workspace is None:
            return render(request, "check.html", run=None)
        part = bool(request.headers.get("hx-request"))
        values = await run_in_threadpool(
            lambda: check_values(request.query_params, named=part and "ws" in request.query_params)
        )
        return render(request, "_check.html" if part else "check.html", **values)

    def cell_panel(ws: ws_commands.Workspace, sheet_no: int, index: int, position: int) -> dict:
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
        }

    async def cell(request: Request) -> Response:
        q = request.query_params
        sheet_no, index, position = _int(q.get("sheet")), _int(q.get("row")), _int(q.get("col"))

        def work() -> dict[str, Any]:
            with state.lock:
                ws = workspace(q.get("ws"))
                with i18n.language(state.lang):
                    ws.cell(sheet_no, index, position)
                return {**cell_panel(ws, sheet_no, index, position), "ws_id": ws.id}

        return render(request, "_panel.html", panel=await run_in_threadpool(work))

    async def edit(request: Request) -> Response:
        form = await request.form()
        sheet_no, index, position = (_int(form.get(k)) for k in ("sheet", "row", "col"))
        value = str(form.get("value", ""))

        def work() -> dict[str, Any]:
            with state.lock:  # the id is checked and the cell changed with nothing between
                ws = workspace(form.get("ws"))
                ws_commands.edit_cell(ws, sheet_no, index, position, value, ctx=ctx())
                view = {**state.view, "sheet": str(sheet_no), "ws": ws.id}
                panel = {**cell_panel(ws, sheet_no, index, position), "ws_id": ws.id}
                return check_values(view, panel)

        return render(request, "_check.html", **await run_in_threadpool(work))

    async def undo(request: Request) -> Response:
        form = await request.form()

        def work() -> dict[str, Any]:
            with state.lock:
                ws = workspace(form.get("ws"))
                ws_commands.undo(ws, ctx=ctx())
                return check_values({**state.view, "ws": ws.id})

        return render(request, "_check.html", **await run_in_threadpool(work))

    async def download_corrected(request: Request) -> Response:
        q = request.query_params
        n = _int(q.get("file"))

        def work() -> Path:
            with state.lock:
                ws = workspace(q.get("ws"))
                with i18n.language(state.lang):
                    if not 0 <= n < len(ws.paths):
                        raise InputFileError(t("ui_no_workbook"))
                source = ws.paths[n]
                out = state.out_path(f"{source.stem}-corrected{source.suffix}")
                return ws_commands.save_corrected(ws, source, out, ctx=ctx())

        async with heavy():
            out = await run_in_threadpool(work)
        return _download(out, remove=True)

    async def download_report(request: Request) -> Response:
        q = request.query_params

        def work() -> Path:
            with state.lock:
                ws = workspace(q.get("ws"))
                out = state.out_path(f"{ws.paths[0].stem}-validation.xlsx")
                return ws_commands.save_report(ws, out, ctx=ctx())

        async with heavy():
            out = await run_in_threadpool(work)
        return _download(out, remove=True)

    # -- submit ------------------------------------------------------------------------------

    def counts_to_send(ws: ws_commands.Workspace) -> list[tuple[str, str, int, int]]:
        counts = [(r.sheet, r.counts()) for r in ws.run.results]
        return [(sheet.label, sheet.kind, c[VALID], c[INVALID]) for sheet, c in counts]

    async def submit_page(request: Request) -> Response:
        job = state.latest("submit")
        ws = state.workspace
        needs_login = state.target not in (None, SANDBOX) and state.target not in state.credentials
        return render(
            request,
            "submit.html",
            job=job,
            snapshot=job.snapshot() if job else None,
            plan=counts_to_send(ws) if ws else None,
            needs_login=needs_login,
        )

    async def credentials(request: Request) -> Response:
        form = await request.form()
        user, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        with i18n.language(state.lang):
            if not state.target or not user or not password:
                raise ConfigError(t("ui_credentials_missing"))
        state.credentials[state.target] = Credentials(user, password)
        return redirect(request, "/submit")

    def login_for(target: str) -> Credentials:
        if target == SANDBOX:
            return state.credentials.get(target) or simad_credentials(target, interactive=False)
        found = state.credentials.get(target)
        if found is None:
            with i18n.language(state.lang):
                raise ConfigError(t("ui_credentials_missing"))
        return found

    def inputs_for_sending(ws: ws_commands.Workspace, folder: str = "corrected") -> list[Path]:
        """The files to send (or compare): the corrected copies of the workbooks, in a folder
        of the session (a comparison never rewrites the copies a submission reads)."""
        return ws_commands.corrected_inputs(ws, state.folder / folder, ctx=ctx())

    async def submit(request: Request) -> Response:
        form = await request.form()
        with i18n.language(state.lang):
            if state.target is None:
                raise ConfigError(t("ui_choose_target"))
            target = state.target
            login = login_for(target)
            running = state.latest("submit")
            if running is not None and running.finished is None:  # its files stay as they are
                raise SimadError(t("ui_job_running"))

        def prepare() -> tuple[list[Path], Path]:
            with state.lock:  # the workbooks this page named, corrected as they stand now
                ws = workspace(form.get("ws"))
                return inputs_for_sending(ws), _report_path(ws.paths[0].stem)

        async with heavy():
            inputs, report = await run_in_threadpool(prepare)

        def work(job: Job) -> Any:
            def started(engine: Any) -> None:
                job.engine = engine
                if job.stop_asked:
                    engine.stop()

            return run_submit(
                inputs,
                target=target,
                report_path=report,
                credentials=login,
                on_start=started,
                ctx=ctx(),
            )

        with i18n.language(state.lang):
            state.start("submit", describe_target(target, short=True), work, files=inputs)
        return redirect(request, "/submit")

    async def stop(request: Request) -> Response:
        job = state.jobs.get(request.path_params["job"])
        if job is not None:
            job.stop()
        return redirect(request, "/submit" if job is None or job.kind == "submit" else "/maxa")

    async def events(request: Request) -> Response:
        """The job's progress as Server-Sent Events, until it ends or the page goes away (the
        job goes on)."""
        job = state.jobs.get(request.path_params["job"])
        if job is None:
            raise HTTPException(404)

        async def stream() -> AsyncIterator[str]:
            while True:
                snap = job.snapshot()
                yield f"data: {json.dumps(snap, ensure_ascii=False)}\n\n"
                if job.finished is not None or await request.is_disconnected():
                    return
                await asyncio.sleep(PROGRESS_EVERY)

        return StreamingResponse(stream(), media_type="text/event-stream")

    # -- runs, results, reconciliation -------------------------------------------------------------

    async def runs(request: Request) -> Response:
        found = await run_in_threadpool(list_runs, 50, ctx=ctx())
        return render(request, "runs.html", runs=found)

    async def run_report(request: Request) -> Response:
        run_id = request.path_params["run"]
        found = await run_in_threadpool(list_runs, 1000, ctx=ctx())
        run = next((r for r in found if r.id == run_id), None)
        with i18n.language(state.lang):
            if run is None or not run.report or not Path(run.report).is_file():
                raise InputFileError(t("ui_report_gone"))
        return _download(Path(run.report))

    async def results_page(request: Request) -> Response:
        return render(request, "results.html", done=None, year=None)

    async def results(request: Request) -> Response:
        form = await request.form()
        with i18n.language(state.lang):
            year = _int(form.get("year"), -1)
            if year not in YEARS:
                raise InputFileError(t("ui_bad_year"))
            if state.target is None:
                raise ConfigError(t("ui_choose_target"))
            target = state.target
            login = login_for(target)
            course = str(form.get("course", "")).strip() or None
            if course is not None and not re.fullmatch(r"[0-9]{1,10}", course):
                raise InputFileError(t("ui_bad_course"))
        # The workbooks the page named (none: the ledger only), never others opened since.
        ws = workspace(form.get("ws")) if form.get("ws") or state.workspace else None

        def work() -> dict[str, Any]:
            with state.lock:
                inputs = inputs_for_sending(ws, "compared") if ws is not None else []
            got = run_results(
                year,
                target=target,
                course=course,
                out=state.out_path(f"results-{year}.xlsx"),
                credentials=login,
                ctx=ctx(),
            )
            matched = run_reconcile(
                year,
                inputs,
                target=target,
                report_path=state.out_path(f"reconcile-{year}.xlsx"),
                credentials=login,
                ctx=ctx(),
            )
            with i18n.language(state.lang):
                return {
                    "results": views.report_view(got.content),
                    "reconcile": views.report_view(matched.content) if matched.content else None,
                    "needs_action": matched.needs_action,
                }

        async with heavy():  # corrected copies of the workbooks may be written
            done = await run_in_threadpool(work)
        return render(request, "_results.html", done=done, year=year)

    async def download_out(request: Request) -> Response:
        name = request.path_params["name"]
        with i18n.language(state.lang):
            if not DOWNLOADABLE.fullmatch(name) or not state.out_path(name).is_file():
                raise InputFileError(t("ui_report_gone"))
        return _download(state.out_path(name))

    # -- MAXA --------------------------------------------------------------------------------

    async def maxa_page(request: Request) -> Response:
        job = state.latest("pull")
        return render(request, "maxa.html", job=job, snapshot=job.snapshot() if job else None)

    async def maxa_action(request: Request) -> Response:
        form = {k: str(v).strip() for k, v in (await request.form()).items()}
        action = request.path_params["action"]
        offline = form.get("offline") == "on"
        term, code = form.get("terminology", ""), form.get("code", "")
        with i18n.language(state.lang):
            if not term:
                raise InputFileError(t("ui_terminology_missing"))
        c = ctx()
        login = maxa_login()
        if action == "lookup":
            answer = await run_in_threadpool(
                lambda: maxa_commands.lookup(
                    term, code, offline=offline, target=None, credentials=login, ctx=c
                )
            )
            return render(request, "_maxa_answer.html", answer=answer)
        if action == "validate":
            value = form.get("value", "")
            answer = await run_in_threadpool(
                lambda: maxa_commands.validate(
                    term, code, value, offline=offline, target=None, credentials=login, ctx=c
                )
            )
            return render(request, "_maxa_answer.html", answer=answer)
        if action == "versions":
            found = await run_in_threadpool(
                lambda: maxa_commands.versions(term, target=None, credentials=login, ctx=c)
            )
            return render(request, "_maxa_versions.html", versions=found, terminology=term)
        if action == "diff":
            old, new = form.get("old", ""), form.get("new", "")
            name = f"maxa-diff-{_safe(term)}-{_safe(old)}-{_safe(new)}.xlsx"
            result = await run_in_threadpool(
                lambda: maxa_commands.diff(
                    term,
                    old,
                    new,
                    out=state.out_path(name),
                    offline=offline,
                    target=None,
                    credentials=login,
                    ctx=c,
                )
            )
            return render(request, "_maxa_diff.html", diff=result, download=name)
        if action == "pull":
            version = form.get("version") or "latest"

            def work(job: Job) -> Any:
                def progress(done: int, total: int) -> None:
                    job.done, job.total = done, total

                return maxa_commands.pull(
                    term, version, target=None, credentials=login, progress=progress, ctx=c
                )

            with i18n.language(state.lang):
                state.start("pull", term, work)
            return redirect(request, "/maxa")
        return Response(status_code=404)

    async def maxa_check(request: Request) -> Response:
        """A drug list uploaded and checked against a terminology (B.11): the counts, the
        rows needing attention, and the report to download."""
        async with request.form(max_files=5, max_part_size=1024 * 1024) as form:
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
            term = str(form.get("terminology") or "").strip()
            version = str(form.get("version") or "").strip() or "latest"
            offline = form.get("offline") == "on"
            with i18n.language(state.lang):
                if not files:
                    raise InputFileError(t("ui_no_file"))
                if not term:
                    raise InputFileError(t("ui_terminology_missing"))
                paths = await _store_all(state, files)
        c = ctx()
        stamp = datetime.now().strftime("%H%M%S")
        name = f"maxa-check-{_safe(term)}-{_safe(paths[0].stem)}-{stamp}.xlsx"
        try:
            login = maxa_login()
            async with heavy():
                for path in paths:  # the reader must get through it in a child first
                    await run_in_threadpool(
                        isolated.check_readable, path, scratch=state.scratch, lang=state.lang
                    )
                checked = await run_in_threadpool(
                    lambda: maxa_commands.check(
                        paths,
                        term,
                        version=version,
                        report=state.out_path(name),
                        offline=offline,
                        target=None,
                        credentials=login,
                        ctx=c,
                    )
                )
        finally:
            state.discard(paths)  # the list is checked: its report is what is kept
        return render(request, "_maxa_check.html", checked=checked, download=name)

    # -- the app -----------------------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(state.close)

    post = ["POST"]
    routes = [
        Route("/", start),
        Route("/upload", upload, methods=post),
        Route("/target", choose_target, methods=post),
        Route("/lang", set_lang, methods=post),
        Route("/check", check),
        Route("/cell", cell),
        Route("/cell", edit, methods=post),
        Route("/undo", undo, methods=post),
        Route("/download/corrected", download_corrected),
        Route("/download/report", download_report),
        Route("/submit", submit_page),
        Route("/submit", submit, methods=post),
        Route("/credentials", credentials, methods=post),
        Route("/jobs/{job}/events", events),
        Route("/jobs/{job}/stop", stop, methods=post),
        Route("/runs", runs),
        Route("/runs/{run}/report", run_report),
        Route("/results", results_page),
        Route("/results", results, methods=post),
        Route("/download/{name}", download_out),
        Route("/maxa", maxa_page),
        Route("/maxa-check", maxa_check, methods=post),
        Route("/maxa/{action}", maxa_action, methods=post),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={SimadError: failed, HTTPException: not_found},
        lifespan=lifespan,
    )
    app.state.simad = state

    async def fault(scope: Scope, exc: Exception) -> Response:
        """What escaped every handler: a client that went away (nobody to answer), or a fault
        of the tool (a sentence with 500; its traceback in the log file only)."""
        request = Request(scope)
        if _client_gone(exc):
            log.warning("ui_client_gone", path=_route(request), error=_name(exc))
            return Response(status_code=400)
        return await failed(request, exc)

    app.add_middleware(Guard, keys=keys, lang=lambda: state.lang)
    app.add_middleware(Shield, fallback=fault)
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
                log.warning("ui_answer_cut", path=_route(Request(scope)), error=_name(exc))
                with contextlib.suppress(Exception):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            response = await self.fallback(scope, exc)
            for name, value in HEADERS:
                response.headers.setdefault(name.decode(), value.decode())
            with contextlib.suppress(Exception):
                await response(scope, receive, send)


async def _store_all(state: State, uploads: list[UploadFile]) -> list[Path]:
    """Keep every upload (``_store``), or none: those kept are deleted if one is refused."""
    paths: list[Path] = []
    try:
        for upload in uploads:
            paths.append(await run_in_threadpool(_store, state, upload))
    except BaseException:
        state.discard(paths)
        raise
    return paths


def _store(state: State, upload: UploadFile) -> Path:
    """Keep an uploaded workbook, owner-only, after checking its size, that the session has
    room for it and that its content is what its name says (a workbook is a zip or an old
    Excel file; a CSV is text). Copied in pieces: never the whole file in memory."""
    name = stored_name(upload.filename or "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputFileError(t("file_type", path=name, suffix=suffix or "?"))
    source = upload.file
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size > MAX_UPLOAD:
        raise InputFileError(t("ui_too_big", mb=MAX_UPLOAD // 2**20))
    head = source.read(65536)
    looks_right = (
        head.startswith(ZIP_MAGIC)
        if suffix in EXCEL_SUFFIXES - {".xls"}
        else head.startswith(OLE_MAGIC)
        if suffix == ".xls"
        else b"\x00" not in head
    )
    if not head or not looks_right:
        raise InputFileError(t("ui_not_a_workbook", name=name))
    with state.room_for(size):
        path = state.upload_path(name)
        try:
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
            with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
                out.write(head)
                while chunk := source.read(CHUNK):
                    out.write(chunk)
        except OSError as exc:
            state.discard([path])
            raise InputFileError(t("file_not_written", path=name, reason=exc.strerror)) from exc
    return path


def _download(path: Path, *, remove: bool = False) -> FileResponse:
    """``path`` as a download; ``remove``: made for this download only, deleted once sent."""
    media = XLSX if path.suffix.lower() == ".xlsx" else "application/octet-stream"
    task = BackgroundTask(_unlink, path) if remove else None
    return FileResponse(path, filename=path.name, media_type=media, background=task)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _client_gone(exc: BaseException) -> bool:
    """Whether ``exc`` says only that the client went away (in a group: all of it does)."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_client_gone(e) for e in exc.exceptions)
    return isinstance(exc, CLIENT_GONE) or type(exc).__name__ == "ClientDisconnected"


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _route(request: Request) -> str:
    """The part of the app a request was for, to log: the path's first step only (a file
    name or an id after it is nobody's business)."""
    return "/" + request.url.path.split("/")[1][:20]


def _report_path(stem: str) -> Path:
    folder = private_dir(simad_home() / "reports")
    return folder / f"{stem}-submission-{datetime.now().strftime('%Y%m%d-%H%M%S')}.xlsx"


def _local(path: Any) -> str:
    """A page of this app to go to next; anything else (another site, a line break that
    would split the header, any character a path of the app has not) goes to the start."""
    text = str(path or "/")
    return text if LOCAL_PATH.fullmatch(text) else "/"


def _int(value: Any, default: int = -1) -> int:
    """``value`` as a whole number (Persian digits too), or ``default``."""
    text = str(value).strip().translate(DIGITS)
    if not re.fullmatch(r"-?[0-9]{1,9}", text):  # no thousand-digit numbers
        return default
    return int(text)


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]", "_", text)[:40] or "_"
