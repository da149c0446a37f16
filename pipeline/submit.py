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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from . import __version__, i18n, logs
from .config import (
    DEFAULT_CONCURRENCY,
    Credentials,
    describe_target,
    http_timeout,
    resolve_target,
    simad_credentials,
    simad_home,
)
from .dryrun import default_report_path, summary_labels
from .engine import FAILED_ROW, INVALID, NOT_SENT, Engine, Progress, RowOutcome
from .errors import InputFileError, LocalStorageError, RunLocked, SimadError
from .i18n import t
from .ledger import Ledger
from .redact import scrub
from .report import (
    MESSAGE_SEPARATOR,
    SUBMIT_COLUMNS,
    Report,
    file_sha256,
    input_summary,
    prepare_report_path,
    run_sheets,
    write_report,
)
from .retry import RetryPolicy
from .runlock import run_lock
from .targets import open_simad
from .validation import SheetResult, ValidationRun, validate_paths

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
            return 130
        bad = {INVALID, FAILED_ROW, NOT_SENT}
        if self.report_error is not None or any(self.counts.get(s) for s in bad):
            return 1
        return 0


def fatal_text(exc: BaseException | None) -> str | None:
    """What the report and the ledger say about why a run stopped (never a secret)."""
    if exc is None:
        return None
    if isinstance(exc, SimadError):
        return scrub(exc)
    return t("internal_error", error=type(exc).__name__)


def submit_report(
    run: ValidationRun,
    outcome: Callable[[SheetResult, int], RowOutcome],
    *,
    run_id: str,
    target: str,
    elapsed: float,
    stopped: str | None,
    log_file: Path | None,
) -> Report:
    counts: dict[str, int] = {}
    for result in run.results:
        for i in range(len(result.sheet.rows)):
            status = outcome(result, i).status or NOT_SENT
            counts[status] = counts.get(status, 0) + 1
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_submit")),
        (t("sum_target"), describe_target(target)),
        (t("sum_run_id"), run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    if stopped:
        summary.append((t("sum_fatal"), stopped))
    if log_file is not None:
        summary.append((t("sum_log"), str(log_file)))
    summary += input_summary(run, summary_labels())

    def row_results(result: SheetResult, i: int) -> list[Any]:
        o = outcome(result, i)
        return [
            result.sheet.row_numbers[i],
            o.status or NOT_SENT,
            MESSAGE_SEPARATOR.join(o.all_messages()),
            o.http_status,
            o.server_message,
            o.trace_id,
            o.attempts or None,
            o.sent_at,
        ]

    rows = [[status, n] for status, n in sorted(counts.items())]
    return Report(
        summary,
        [t("sum_status"), t("sum_count")],
        rows,
        run_sheets(run, SUBMIT_COLUMNS, row_results),
    )


def _stop_on_terminate(task: asyncio.Task[Any]) -> None:
    """SIGTERM (a closed session, `kill`) ends the run like Ctrl-C: in-flight requests are
    cancelled, the rows not sent are ``not_sent`` and the report is written. Where the event
    loop cannot watch signals (Windows), Ctrl-C alone does this."""
    if threading.current_thread() is not threading.main_thread():
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _locked_message(ledger: Ledger, target: str) -> RunLocked:
    running = ledger.running(target)
    if running is None:
        return RunLocked(t("run_locked_unknown", target=target))
    started = datetime.fromtimestamp(running["started_at"]).strftime("%Y-%m-%d %H:%M:%S")
    return RunLocked(
        t("run_locked", run_id=running["id"], started=started, pid=running.get("pid") or "?")
    )


def run_submit(
    inputs: list[Path],
    *,
    target: str,
    report_path: Path | None = None,
    images: Path | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    force: bool = False,
    lang: str = "fa",
    kind: str | None = None,
    course_codes: Path | None = None,
    transport: Any = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_start: Callable[[Engine], None] | None = None,
    wait: bool = False,
) -> SubmitResult:
    """Validate, send and report. The report is written whatever happens, Ctrl-C included."""
    i18n.set_lang(lang)
    started = time.perf_counter()
    target = resolve_target(target)
    inputs = [Path(p) for p in inputs]
    report_target = prepare_report_path(report_path or default_report_path(inputs, "submission"))
    creds = credentials or simad_credentials(target, interactive=sys.stdin.isatty())
    timeout = http_timeout()
    policy = policy or RetryPolicy(max_elapsed=3 * timeout)
    home = simad_home()
    log_file = logs.default_log_file(home)
    logs.configure(log_file)
    broken: LocalStorageError | None = None
    try:
        ledger = Ledger(home / "ledger.db")
    except LocalStorageError as exc:
        # SIMAD_HOME is full or unwritable: nothing may be sent without a durable record,
        # but the office still gets a report saying so (from an in-memory stand-in).
        broken, ledger = exc, Ledger(":memory:")
    try:
        with run_lock(home, target, wait=wait, busy=lambda: _locked_message(ledger, target)):
            return _locked_run(
                inputs,
                ledger,
                target=target,
                report_target=report_target,
                creds=creds,
                images=images,
                concurrency=concurrency,
                force=force,
                lang=lang,
                kind=kind,
                course_codes=course_codes,
                transport=transport,
                policy=policy,
                on_progress=on_progress,
                on_start=on_start,
                started=started,
                log_file=log_file,
                broken=broken,
                timeout=timeout,
            )
    finally:
        structlog.contextvars.clear_contextvars()
        ledger.close()
        logs.configure(None)


def _locked_run(
    inputs: list[Path],
    ledger: Ledger,
    *,
    target: str,
    report_target: Path,
    creds: Credentials,
    images: Path | None,
    concurrency: int,
    force: bool,
    lang: str,
    kind: str | None,
    course_codes: Path | None,
    transport: Any,
    policy: RetryPolicy | None,
    on_progress: Callable[[Progress], None] | None,
    on_start: Callable[[Engine], None] | None,
    started: float,
    log_file: Path,
    broken: LocalStorageError | None,
    timeout: float,
) -> SubmitResult:
    try:
        if broken is None and ledger.close_stale_runs(target):
            log.info("stale_runs_interrupted")
    except LocalStorageError as exc:
        broken = exc
    run = validate_paths(
        inputs,
        kind=kind,
        lang=lang,
        course_codes=course_codes,
        known_students=ledger.accepted_students(target),
    )
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    options = {
        "kind": kind,
        "course_codes": str(course_codes) if course_codes else None,
        "lang": lang,
        "sha256": [file_sha256(p) for p in inputs],
    }
    try:
        ledger.start_run(run_id, "submit", target, [str(p) for p in inputs], options)
    except LocalStorageError as exc:
        broken = broken or exc
    structlog.contextvars.bind_contextvars(run_id=run_id)
    log.info("submit_start", rows=sum(len(r.sheet.rows) for r in run.results))
    engine = Engine(
        run,
        None,
        ledger,
        target=target,
        run_id=run_id,
        concurrency=concurrency,
        force=force,
        images=images,
        on_progress=on_progress,
    )
    if on_start is not None:
        on_start(engine)

    interrupted = False

    async def go() -> None:
        nonlocal interrupted
        main = asyncio.current_task()
        assert main is not None
        _stop_on_terminate(main)
        async with open_simad(
            target,
            transport=transport,
            credentials=creds,
            max_connections=concurrency,
            timeout=timeout,
            policy=policy,
            on_retry=engine.on_retry,
        ) as client:
            engine.client = client
            try:
                await engine.execute()
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True  # Ctrl-C or SIGTERM: account for every row, then report
            finally:
                # Always, whatever stopped the run: a token a server echoed somewhere must
                # not stay valid.
                try:
                    await asyncio.wait_for(client.revoke(), REVOKE_TIMEOUT)
                except Exception as exc:
                    log.info("revoke_failed", error=type(exc).__name__)

    engine.fatal = broken
    try:
        if broken is None:
            asyncio.run(go())
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = True
    except Exception as exc:  # our own fault: stop, but still account for every row
        log.exception("engine_failed")
        engine.fatal = engine.fatal or exc
    stopped = fatal_text(engine.fatal)
    if engine.fatal is not None:
        engine.finalize(t("not_sent_fatal", error=stopped))
    elif interrupted:
        engine.finalize(t("not_sent_interrupted"))
    else:
        engine.finalize()
    counts = engine.counts()
    state = "stopped" if engine.fatal else "interrupted" if interrupted else "done"
    try:
        ledger.save_rows(run_id, _row_lines(engine))
    except LocalStorageError as exc:
        log.warning("rows_not_saved", error=str(exc))
    report_error = None
    try:
        report = submit_report(
            run,
            engine.outcome,
            run_id=run_id,
            target=target,
            elapsed=time.perf_counter() - started,
            stopped=stopped,
            log_file=log_file,
        )
        write_report(report, report_target)
    except LocalStorageError as exc:
        log.warning("report_not_written")
        reason = exc.__cause__.strerror if isinstance(exc.__cause__, OSError) else exc
        report_error = LocalStorageError(
            t("report_not_written", path=report_target, reason=reason, run_id=run_id)
        )
    try:
        ledger.finish_run(
            run_id,
            state,
            counts,
            report=None if report_error else str(report_target),
            stopped=stopped,
        )
    except LocalStorageError as exc:
        log.warning("run_not_finished", error=str(exc))
    log.info("submit_end", state=state, **{f"n_{k}": v for k, v in counts.items()})
    return SubmitResult(
        run_id, report_target, counts, engine.fatal, interrupted, engine, log_file, report_error
    )


def _row_lines(engine: Engine) -> Iterator[tuple[Any, ...]]:
    """One ledger line per input row; only the engine's messages (validation's are
    recomputed from the input when a report is rebuilt)."""
    for n, outcomes in engine.outcomes.items():
        for i, o in enumerate(outcomes):
            own = o.messages
            yield (
                n,
                i,
                o.status or NOT_SENT,
                MESSAGE_SEPARATOR.join(own) or None,
                o.http_status,
                o.server_message,
                o.trace_id,
                o.attempts,
                o.sent_at,
            )


def rebuild_report(run_id: str, out: Path | None = None, *, lang: str = "fa") -> Path:
    """Write the report of an earlier run from its input files and the ledger (when the run
    could not write it: disk full, folder removed). The inputs must be unchanged."""
    i18n.set_lang(lang)
    home = simad_home()
    ledger = Ledger(home / "ledger.db")
    try:
        record = ledger.run(run_id)
        if record is None:
            raise InputFileError(t("run_unknown", run_id=run_id))
        saved = ledger.saved_rows(run_id)
        if not saved:
            raise InputFileError(t("run_no_rows", run_id=run_id))
        options = record["options"]
        inputs = [Path(p) for p in record["inputs"]]
        for path, digest in zip(inputs, options.get("sha256", []), strict=False):
            if not path.is_file() or file_sha256(path) != digest:
                raise InputFileError(t("run_input_changed", path=path))
        target_path = prepare_report_path(
            out or record.get("report") or default_report_path(inputs, f"submission-{run_id}")
        )
        courses = options.get("course_codes")
        run = validate_paths(
            inputs,
            kind=options.get("kind"),
            lang=lang,
            course_codes=Path(courses) if courses else None,
            known_students=ledger.accepted_students(record["target"]),
        )
        sheet_no = {id(r): n for n, r in enumerate(run.results)}

        def outcome(result: SheetResult, i: int) -> RowOutcome:
            found = result.by_row.get(result.sheet.row_numbers[i], [])
            line = saved.get((sheet_no[id(result)], i), {})
            return RowOutcome(
                status=line.get("status") or NOT_SENT,
                messages=[line["messages"]] if line.get("messages") else [],
                found=found,
                http_status=line.get("http_status"),
                server_message=line.get("server_message"),
                trace_id=line.get("trace_id"),
                attempts=line.get("attempts") or 0,
                sent_at=line.get("sent_at"),
            )

        finished = record.get("finished_at") or record["started_at"]
        report = submit_report(
            run,
            outcome,
            run_id=run_id,
            target=record["target"],
            elapsed=finished - record["started_at"],
            stopped=record.get("stopped"),
            log_file=None,
        )
        write_report(report, target_path)
        ledger.set_report(run_id, str(target_path))
        return target_path
    finally:
        ledger.close()
