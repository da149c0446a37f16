"""`simad submit`: validate, send through the engine, record in the ledger, write the report.

Every run ends with a report and the right exit code, whatever fails:

- before anything is sent: the credentials are resolved, the report's folder is created and
  checked writable (``ConfigError``, exit 2, otherwise), and the target's run lock is taken
  (``RunLocked``, exit 2, when another run holds it);
- a refused login, an unreachable server, an answer that is not the API's, a ledger that
  cannot be written, Ctrl-C or SIGTERM, or a fault of our own stop the engine; the rows not
  decided by then are ``not_sent`` with the reason;
- every row's outcome is saved in the ledger before the report is written, so when the report
  cannot be written (disk full) ``simad runs --report RUN_ID`` writes it later.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from pipeline.commands.targets import open_simad
from pipeline.core import i18n, logs
from pipeline.core.config import (
    DEFAULT_CONCURRENCY,
    Credentials,
    http_timeout,
    resolve_target,
    simad_credentials,
    simad_home,
)
from pipeline.core.config import max_rate as config_max_rate
from pipeline.core.context import Context
from pipeline.core.errors import INTERRUPTED_EXIT, LocalStorageError, RunLocked
from pipeline.core.i18n import t
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping
from pipeline.sheets.report import (
    default_report_path,
    file_sha256,
    prepare_report_path,
    write_report,
)
from pipeline.sheets.validation import ValidationRun, validate_paths
from pipeline.simad.engine import FAILED_ROW, INVALID, NOT_SENT, Engine, Progress
from pipeline.simad.ledger import Ledger
from pipeline.simad.run_report import fatal_text, row_lines, submit_report
from pipeline.simad.runlock import run_lock

log = structlog.get_logger("simad.submit")
REVOKE_TIMEOUT = 10.0


@dataclass
class SubmitResult:
    run_id: str
    report: Path
    counts: dict[str, int]
    fatal: Exception | None
    interrupted: bool
    engine: Engine
    log_file: Path | None = None
    report_error: LocalStorageError | None = None  # the report could not be written

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 3
        if self.interrupted:
            return INTERRUPTED_EXIT
        bad = {INVALID, FAILED_ROW, NOT_SENT}
        if self.report_error is not None or any(self.counts.get(s) for s in bad):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        """The run for ``--json``: counts and every row's outcome (statuses in the SPEC's
        words, whatever the language)."""
        rows = [
            {
                "file": str(result.sheet.path),
                "sheet": result.sheet.name,
                "row": result.sheet.row_numbers[i],
                "status": o.status or NOT_SENT,
                "messages": o.all_messages(),
                "http_status": o.http_status,
                "trace_id": o.trace_id,
                "sent_at": o.sent_at,
            }
            for n, result in enumerate(self.engine.run.results)
            for i, o in enumerate(self.engine.outcomes[n])
        ]
        return {
            "run_id": self.run_id,
            "report": None if self.report_error else str(self.report),
            "counts": self.counts,
            "stopped": fatal_text(self.fatal),
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "rows": rows,
        }


@dataclass
class _Job:
    """Everything one submission was asked to do, resolved before anything is sent."""

    inputs: list[Path]
    target: str
    report: Path
    credentials: Credentials
    timeout: float
    policy: RetryPolicy
    log_file: Path
    images: Path | None
    concurrency: int
    force: bool
    kind: str | None
    course_codes: Path | None
    mapping: Mapping | None
    transport: Any
    on_progress: Callable[[Progress], None] | None
    on_start: Callable[[Engine], None] | None
    max_rate: float | None
    lang: str
    clock: Callable[[], float]
    started: float = field(default_factory=time.perf_counter)


def run_submit(
    inputs: list[Path],
    *,
    target: str,
    report_path: Path | None = None,
    images: Path | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    force: bool = False,
    kind: str | None = None,
    course_codes: Path | None = None,
    mapping: Mapping | None = None,
    transport: Any = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_start: Callable[[Engine], None] | None = None,
    wait: bool = False,
    max_rate: float | None = None,
    ctx: Context = Context(),
) -> SubmitResult:
    """Validate, send and report. The report is written whatever happens, Ctrl-C included.
    A submission always logs: to ``ctx.log_file``, or the day's file under SIMAD_HOME."""
    home = simad_home()
    log_file = ctx.log_file or logs.default_log_file(home)
    with i18n.language(ctx.lang), logs.writing_to(log_file):
        resolved = resolve_target(target)
        paths = [Path(p) for p in inputs]
        timeout = http_timeout()
        job = _Job(
            inputs=paths,
            target=resolved,
            report=prepare_report_path(report_path or default_report_path(paths, "submission")),
            credentials=credentials or simad_credentials(resolved, interactive=sys.stdin.isatty()),
            timeout=timeout,
            policy=policy or RetryPolicy(max_elapsed=3 * timeout),
            log_file=log_file,
            images=images,
            concurrency=concurrency,
            force=force,
            kind=kind,
            course_codes=course_codes,
            mapping=mapping,
            transport=transport,
            on_progress=on_progress,
            on_start=on_start,
            max_rate=config_max_rate(max_rate),
            lang=ctx.lang,
            clock=ctx.clock,
        )
        ledger, broken = _open_ledger(home)
        try:
            busy = lambda: _locked_message(ledger, resolved)  # noqa: E731
            with run_lock(home, resolved, wait=wait, busy=busy):
                return _locked_run(job, ledger, broken)
        finally:
            structlog.contextvars.clear_contextvars()
            ledger.close()


def _open_ledger(home: Path) -> tuple[Ledger, LocalStorageError | None]:
    """The ledger; when SIMAD_HOME is full or unwritable nothing may be sent without a
    durable record, but the office still gets a report saying so (from an in-memory
    stand-in)."""
    try:
        return Ledger(home / "ledger.db"), None
    except LocalStorageError as exc:
        return Ledger(":memory:"), exc


def _locked_message(ledger: Ledger, target: str) -> RunLocked:
    running = ledger.running(target)
    if running is None:
        return RunLocked(t("run_locked_unknown", target=target))
    started = datetime.fromtimestamp(running["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
    return RunLocked(
        t("run_locked", run_id=running["id"], started=started, pid=running.get("pid") or "?")
    )


def _locked_run(job: _Job, ledger: Ledger, broken: LocalStorageError | None) -> SubmitResult:
    """The run itself, holding the target's lock: a list of named steps."""
    broken = _close_stale_runs(ledger, job.target, broken)
    run = validate_paths(
        job.inputs,
        kind=job.kind,
        lang=job.lang,
        course_codes=job.course_codes,
        known_students=ledger.accepted_students(job.target),
        mapping=job.mapping,
    )
    run_id, broken = _start_run(job, ledger, broken)
    engine = Engine(
        run,
        None,
        ledger,
        target=job.target,
        run_id=run_id,
        concurrency=job.concurrency,
        force=job.force,
        images=job.images,
        on_progress=job.on_progress,
    )
    if job.on_start is not None:
        job.on_start(engine)
    engine.fatal = broken
    interrupted = _send(job, engine) if broken is None else False
    interrupted = interrupted or engine.stopping
    return _finish(job, ledger, run, engine, interrupted)


def _close_stale_runs(
    ledger: Ledger, target: str, broken: LocalStorageError | None
) -> LocalStorageError | None:
    if broken is not None:
        return broken
    try:
        if ledger.close_stale_runs(target):
            log.info("stale_runs_interrupted")
    except LocalStorageError as exc:
        return exc
    return None


def _start_run(
    job: _Job, ledger: Ledger, broken: LocalStorageError | None
) -> tuple[str, LocalStorageError | None]:
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    options = {
        "kind": job.kind,
        "course_codes": str(job.course_codes) if job.course_codes else None,
        "mapping": job.mapping,
        "lang": job.lang,
        "sha256": [file_sha256(p) for p in job.inputs],
    }
    try:
        ledger.start_run(run_id, "submit", job.target, [str(p) for p in job.inputs], options)
    except LocalStorageError as exc:
        broken = broken or exc
    structlog.contextvars.bind_contextvars(run_id=run_id)
    log.info("submit_start", inputs=len(job.inputs))
    return run_id, broken


def _send(job: _Job, engine: Engine) -> bool:
    """Run the engine against the target; whether Ctrl-C or SIGTERM stopped it. A fault of our
    own stops it too (``engine.fatal``), every row still accounted for."""
    interrupted = False

    async def go() -> None:
        nonlocal interrupted
        main = asyncio.current_task()
        assert main is not None
        _stop_on_terminate(main)
        async with open_simad(
            job.target,
            transport=job.transport,
            credentials=job.credentials,
            max_connections=job.concurrency,
            timeout=job.timeout,
            policy=job.policy,
            on_retry=engine.on_retry,
            clock=job.clock,
            max_rate=job.max_rate,
        ) as client:
            engine.client = client
            try:
                await engine.execute()
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True  # account for every row, then report
            finally:
                # Always, whatever stopped the run: a token a server echoed somewhere must
                # not stay valid.
                try:
                    await asyncio.wait_for(client.revoke(), REVOKE_TIMEOUT)
                except Exception as exc:
                    log.info("revoke_failed", error=type(exc).__name__)

    try:
        asyncio.run(go())
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
    except Exception as exc:
        log.exception("engine_failed")
        engine.fatal = engine.fatal or exc
    return interrupted


def _stop_on_terminate(task: asyncio.Task[Any]) -> None:
    """SIGTERM (a closed session, `kill`) ends the run like Ctrl-C: in-flight requests are
    cancelled, the rows not sent are ``not_sent`` and the report is written. Where the event
    loop cannot watch signals (Windows, a thread of the web app), Ctrl-C alone does this."""
    if threading.current_thread() is not threading.main_thread():
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _finish(
    job: _Job, ledger: Ledger, run: ValidationRun, engine: Engine, interrupted: bool
) -> SubmitResult:
    """Every row decided; every row's outcome and the run's end saved in the ledger; then the
    report (which, when it cannot be written, ``simad runs --report`` writes later)."""
    stopped = fatal_text(engine.fatal)
    if engine.fatal is not None:
        engine.finalize(t("not_sent_fatal", error=stopped))
    elif engine.stopping:
        engine.finalize(t("not_sent_stopped"))
    elif interrupted:
        engine.finalize(t("not_sent_interrupted"))
    else:
        engine.finalize()
    counts = engine.counts()
    state = "stopped" if engine.fatal else "interrupted" if interrupted else "done"
    saved = _save_end(ledger, engine, state, counts, stopped)
    report_error = _write(job, run, engine, stopped, saved=saved)
    if report_error is None and saved:
        try:
            ledger.set_report(engine.run_id, str(job.report))
        except LocalStorageError as exc:
            log.warning("report_not_recorded", error=str(exc))
    pace = engine.client.pace if engine.client is not None else None
    log.info(
        "submit_end",
        state=state,
        pace=round(pace.rate, 1) if pace and pace.limited else None,
        pace_cuts=pace.cuts if pace else 0,
        pushed_back=pace.pushed_back if pace else 0,
        **{f"n_{k}": v for k, v in counts.items()},
    )
    return SubmitResult(
        engine.run_id,
        job.report,
        counts,
        engine.fatal,
        interrupted,
        engine,
        job.log_file,
        report_error,
    )


def _save_end(
    ledger: Ledger, engine: Engine, state: str, counts: dict[str, int], stopped: str | None
) -> bool:
    """Every row's outcome and the run's end in the ledger, in one transaction; whether they
    are there. When they cannot be, the run's end alone is tried (it is smaller), so that the
    run is not left ``running``."""
    try:
        ledger.end_run(
            engine.run_id, row_lines(engine), state=state, counts=counts, stopped=stopped
        )
        return ledger.durable  # not when SIMAD_HOME could not hold the ledger at all
    except LocalStorageError as exc:
        log.warning("rows_not_saved", error=str(exc))
    try:
        ledger.finish_run(engine.run_id, state, counts, stopped=stopped)
    except LocalStorageError as exc:
        log.warning("run_not_finished", error=str(exc))
    return False


def _write(
    job: _Job, run: ValidationRun, engine: Engine, stopped: str | None, *, saved: bool = True
) -> LocalStorageError | None:
    """Write the report; what went wrong, saying how to write it later, if it could not be
    (and when the ledger could not keep the rows either, that the same command is run again)."""
    try:
        report = submit_report(
            run,
            engine.outcome,
            run_id=engine.run_id,
            target=job.target,
            elapsed=time.perf_counter() - job.started,
            stopped=stopped,
            log_file=job.log_file,
        )
        write_report(report, job.report)
    except LocalStorageError as exc:
        log.warning("report_not_written")
        reason = exc.__cause__.strerror if isinstance(exc.__cause__, OSError) else exc
        if not saved:
            return LocalStorageError(t("report_nor_ledger_written", path=job.report, reason=reason))
        return LocalStorageError(
            t("report_not_written", path=job.report, reason=reason, run_id=engine.run_id)
        )
    return None
