"""`simad submit`: validate, send through the engine, record in the ledger, write the report.

The caller says what to do in one ``SubmitOptions`` value and may hand in a ``Control``
(the run's counters, a stop, and a word when the target is known); ``run_submit`` gives back
a ``SubmitResult``. The target and the credentials are resolved here, once.

Every run ends with a report and the right exit code, whatever fails:

- before anything is sent: the rate cap and the photo folder are checked, the target is
  resolved and the credentials asked for, the report's folder is created and checked
  writable (``ConfigError``, exit 2, otherwise), and the target's run lock is taken
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
import dataclasses
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import structlog

from pipeline.commands.targets import Tuning, default_policy, open_simad, paced
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
from pipeline.core.errors import (
    INTERRUPTED_EXIT,
    AuthError,
    InputFileError,
    LocalStorageError,
    RunLocked,
)
from pipeline.core.i18n import t
from pipeline.core.result import Result
from pipeline.core.status import Submission
from pipeline.net.limiter import Pace
from pipeline.net.retry import RetryPolicy
from pipeline.sheets.fields import Mapping, user_mapping
from pipeline.sheets.report import (
    default_report_path,
    file_sha256,
    prepare_report_path,
    write_report,
)
from pipeline.sheets.validation import ValidationRun, validate_paths
from pipeline.simad.dryplan import BLOCKED as NOT_SENT_BLOCKED
from pipeline.simad.dryplan import INVALID as NOT_SENT_INVALID
from pipeline.simad.dryplan import DryPlan, PlannedRow, SheetPlan, dry_plan
from pipeline.simad.engine import (
    Engine,
    Outcomes,
    Plan,
    Progress,
    RowOutcome,
    Sent,
    SheetOutcomes,
    log_retry,
)
from pipeline.simad.ledger import Ledger
from pipeline.simad.run_report import RunFacts, fatal_text, submit_report
from pipeline.simad.runlock import run_lock

__all__ = [
    "NOT_SENT_BLOCKED",
    "NOT_SENT_INVALID",
    "Control",
    "DryPlan",
    "PlannedRow",
    "Progress",
    "RowOutcome",
    "SheetOutcomes",
    "SheetPlan",
    "SubmitOptions",
    "SubmitResult",
    "fatal_text",
    "new_run_id",
    "plan_submit",
    "resend_keys",
    "run_submit",
    "user_mapping",
]

log = structlog.get_logger("simad.submit")
REVOKE_TIMEOUT = 10.0
BAD = (Submission.INVALID, Submission.FAILED, Submission.NOT_SENT)


@dataclass(frozen=True)
class SubmitOptions:
    """Everything one submission is asked to do."""

    inputs: Sequence[Path]
    target: str | None = None  # None: SIMAD_TARGET, else the sandbox
    report: Path | None = None  # None: beside the first input
    images: Path | None = None  # a folder of photos (``sheets.photos``); None: no photos
    concurrency: int = DEFAULT_CONCURRENCY
    force: bool = False  # send rows the target already accepted unchanged
    kind: str | None = None  # treat every sheet as residents | upgrades
    course_codes: Path | None = None
    mapping: Mapping | None = None
    wait: bool = False  # wait for another run to this target instead of refusing
    max_rate: float | None = None  # requests per second at most (else SIMAD_MAX_RATE)
    run_id: str | None = None  # the run's id, chosen by a caller that keeps its inputs by it
    # Rows sent again even when the target accepted them unchanged, as (kind, key):
    # ("declaration", "StudentNumber/YearId") or ("resident", "StudentNumber").
    resend: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(Path(p) for p in self.inputs))
        object.__setattr__(self, "resend", frozenset(self.resend))


def new_run_id() -> str:
    """A new run's id: when it started (UTC), and six random hex digits."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def resend_keys(keys: Sequence[str]) -> frozenset[tuple[str, str]]:
    """``SubmitOptions.resend`` from the words a clerk types: ``STUDENT/YEAR`` is that
    declaration, ``STUDENT`` that resident."""
    found = set()
    for text in keys:
        key = text.strip()
        if not key:
            continue
        found.add(("declaration" if "/" in key else "resident", key))
    return frozenset(found)


@dataclass
class Control(Progress):
    """The caller's handle on a submission: the engine's counters and stop (``Progress``),
    and ``on_target``, told the resolved target before the credentials are asked for."""

    on_target: Callable[[str], None] | None = None


@dataclass(frozen=True)
class PaceFigures:
    """How the sender kept its pace: the office's cap, the rate at the end (None: not
    limited), the cuts it made, the answers it heard, those that asked it to slow down, and
    the seconds a Retry-After held it."""

    max_rate: float | None = None
    current: float | None = None
    cuts: int = 0
    pushed_back: int = 0
    answers: int = 0
    held: float = 0.0  # seconds a Retry-After held every request, in all

    @classmethod
    def of(cls, pace: Pace) -> PaceFigures:
        return cls(
            pace.max_rate, pace.current, pace.cuts, pace.pushed_back, pace.answers, pace.held
        )

    def to_dict(self) -> dict[str, Any]:
        rate = None if self.current is None else round(self.current, 1)
        return {
            "max_rate": self.max_rate,
            "rate_at_end": rate,
            "answers": self.answers,
            "pushed_back": self.pushed_back,
            "held_seconds": round(self.held, 1),
        }


@dataclass
class SubmitResult(Result):
    run_id: str
    report: Path
    counts: dict[str, int]
    fatal: Exception | None
    interrupted: bool
    outcomes: Outcomes  # every input row's outcome, sheet by sheet
    log_file: Path | None = None
    report_error: LocalStorageError | None = None  # the report could not be written
    pace: PaceFigures = field(default_factory=PaceFigures)
    requests: int = 0  # requests made, retries included
    seconds: float = 0.0  # spent sending
    cpu_seconds: float = 0.0
    photos: int = 0  # photos the target accepted in this run

    @property
    def sheets(self) -> list[SheetOutcomes]:
        """Per input sheet: its rows' outcomes and its counts per status."""
        return self.outcomes.sheets

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 3
        if self.interrupted:
            return INTERRUPTED_EXIT
        if self.report_error is not None or any(self.counts.get(s) for s in BAD):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        """The run for ``--json``: counts and every row's outcome (statuses in the SPEC's
        words, whatever the language)."""
        return {
            "run_id": self.run_id,
            "report": None if self.report_error else str(self.report),
            "counts": self.counts,
            "stopped": fatal_text(self.fatal),
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "pace": self.pace.to_dict(),
            "rows": self.outcomes.to_rows(),
        }


@dataclass
class _Session:
    """One submission under way: its options (target resolved, report path prepared), how to
    reach the target, the caller's handle and context, and where it logs."""

    options: SubmitOptions
    credentials: Credentials
    transport: httpx.AsyncBaseTransport | None
    policy: RetryPolicy
    control: Control
    ctx: Context
    log_file: Path
    timeout: float
    started: float = field(default_factory=time.perf_counter)

    @property
    def target(self) -> str:
        return self.options.target or ""

    @property
    def report(self) -> Path:
        assert self.options.report is not None  # prepared before the session starts
        return self.options.report


def run_submit(
    options: SubmitOptions,
    *,
    credentials: Credentials | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: RetryPolicy | None = None,
    control: Control | None = None,
    ctx: Context = Context(),
) -> SubmitResult:
    """Validate, send and report. The report is written whatever happens, Ctrl-C included.
    A submission always logs: to ``ctx.log_file``, or the day's file under SIMAD_HOME.

    ``credentials``: None asks for them (on a terminal) or reads them from the environment;
    ``transport`` and ``policy`` are for tests; ``control`` is the caller's handle on the run."""
    control = control if control is not None else Control()
    with i18n.language(ctx.lang):
        options, login = _resolved(options, credentials, control)
    home = simad_home()
    log_file = ctx.log_file or logs.default_log_file(home)
    with i18n.language(ctx.lang), logs.writing_to(log_file):
        report = options.report or default_report_path(list(options.inputs), "submission")
        options = dataclasses.replace(options, report=prepare_report_path(report))
        timeout = http_timeout()
        policy = policy or default_policy(timeout)
        session = _Session(options, login, transport, policy, control, ctx, log_file, timeout)
        ledger, broken = _open_ledger(home)
        try:
            busy = lambda: _locked_message(ledger, session.target)  # noqa: E731
            with run_lock(home, session.target, wait=options.wait, busy=busy):
                return _locked_run(session, ledger, broken)
        finally:
            structlog.contextvars.clear_contextvars()
            ledger.close()


def plan_submit(options: SubmitOptions, *, ctx: Context = Context()) -> DryPlan:
    """What ``run_submit(options)`` would send, leave unchanged and not send (and why), as
    the engine plans it from the same files and ledger: a confirmation's numbers."""
    with ctx.applied():
        target = resolve_target(options.target)
        ledger = Ledger(simad_home() / "ledger.db")
        try:
            known = ledger.accepted_students(target)
            run = validate_paths(
                list(options.inputs),
                kind=options.kind,
                course_codes=options.course_codes,
                known_students=known,
                mapping=options.mapping,
            )
            recorded = {k: ledger.recorded(target, k) for k in ("resident", "declaration")}
        finally:
            ledger.close()
    return dry_plan(run, recorded, known, force=options.force, resend=options.resend)


def _resolved(
    options: SubmitOptions, credentials: Credentials | None, control: Control
) -> tuple[SubmitOptions, Credentials]:
    """The options checked (rate cap, photo folder) and the target resolved, the caller told
    of it, then the credentials (asked for on a terminal): once, before anything runs."""
    max_rate = config_max_rate(options.max_rate)  # refused before the target is named
    if options.images is not None and not options.images.is_dir():
        raise InputFileError(t("images_not_dir", path=options.images))
    target = resolve_target(options.target)
    if control.on_target is not None:
        control.on_target(target)
    login = credentials or simad_credentials(target, interactive=sys.stdin.isatty())
    return dataclasses.replace(options, target=target, max_rate=max_rate), login


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


def _locked_run(
    session: _Session, ledger: Ledger, broken: LocalStorageError | None
) -> SubmitResult:
    """The run itself, holding the target's lock: a list of named steps."""
    options = session.options
    broken = _close_stale_runs(ledger, session.target, broken)
    run = validate_paths(
        list(options.inputs),
        kind=options.kind,
        course_codes=options.course_codes,
        known_students=ledger.accepted_students(session.target),
        mapping=options.mapping,
    )
    run_id, broken = _start_run(session, ledger, broken)
    plan = Plan(
        session.target,
        run_id,
        concurrency=options.concurrency,
        force=options.force,
        images=options.images,
        resend=options.resend,
    )
    if broken is not None:  # nothing may be sent without a ledger to record it in
        unsent = Sent(Outcomes.planned(run), fatal=broken)
        return _finish(session, ledger, (unsent, False), plan, None)
    pace = paced(options.max_rate, session.policy)
    return _finish(session, ledger, _send(session, run, ledger, plan, pace), plan, pace)


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
    session: _Session, ledger: Ledger, broken: LocalStorageError | None
) -> tuple[str, LocalStorageError | None]:
    options = session.options
    run_id = options.run_id or new_run_id()
    recorded = {
        "kind": options.kind,
        "course_codes": str(options.course_codes) if options.course_codes else None,
        "mapping": options.mapping,
        "lang": session.ctx.lang,
        "sha256": [file_sha256(p) for p in options.inputs],
        "resend": sorted(f"{kind}:{key}" for kind, key in options.resend),
    }
    inputs = [str(p) for p in options.inputs]
    try:
        ledger.start_run(run_id, "submit", session.target, inputs, recorded)
    except LocalStorageError as exc:
        broken = broken or exc
    structlog.contextvars.bind_contextvars(run_id=run_id)
    log.info("submit_start", inputs=len(options.inputs))
    return run_id, broken


@dataclass
class _Sending:
    """What ``_send`` learns while the event loop runs."""

    engine: Engine | None = None
    interrupted: bool = False


def _send(
    session: _Session, run: ValidationRun, ledger: Ledger, plan: Plan, pace: Pace
) -> tuple[Sent, bool]:
    """Open the target, build the engine and run it; what it did, and whether Ctrl-C or
    SIGTERM interrupted it. A fault of our own stops it too (``Sent.fatal``), every row
    still accounted for."""
    sending = _Sending()
    tuning = Tuning(
        max_connections=plan.concurrency,
        timeout=session.timeout,
        clock=session.ctx.clock,
        on_retry=log_retry,
    )

    async def go() -> None:
        main = asyncio.current_task()
        assert main is not None
        _stop_on_terminate(main)
        async with open_simad(
            session.target,
            transport=session.transport,
            credentials=session.credentials,
            policy=session.policy,
            pace=pace,
            tuning=tuning,
        ) as client:
            sending.engine = Engine(run, client, ledger, pace, plan, session.control)
            try:
                await sending.engine.execute()
            except (KeyboardInterrupt, asyncio.CancelledError):
                sending.interrupted = True  # account for every row, then report
            finally:
                # Always, whatever stopped the run: a token a server echoed somewhere must
                # not stay valid.
                try:
                    await asyncio.wait_for(client.revoke(), REVOKE_TIMEOUT)
                except Exception as exc:
                    log.info("revoke_failed", error=type(exc).__name__)

    fault: Exception | None = None
    try:
        asyncio.run(go())
    except (KeyboardInterrupt, asyncio.CancelledError):
        sending.interrupted = True
    except Exception as exc:
        log.exception("engine_failed")
        fault = exc
    engine = sending.engine
    sent = engine.result() if engine is not None else Sent(Outcomes.planned(run))
    if fault is not None:
        sent = dataclasses.replace(sent, fatal=sent.fatal or fault)
    return sent, sending.interrupted


def _stop_on_terminate(task: asyncio.Task[Any]) -> None:
    """SIGTERM (a closed session, `kill`) ends the run like Ctrl-C: in-flight requests are
    cancelled, the rows not sent are ``not_sent`` and the report is written. Where the event
    loop cannot watch signals (Windows, a thread of the web app), Ctrl-C alone does this."""
    if threading.current_thread() is not threading.main_thread():
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _finish(
    session: _Session,
    ledger: Ledger,
    ran: tuple[Sent, bool],
    plan: Plan,
    pace: Pace | None,
) -> SubmitResult:
    """Every row decided; every row's outcome and the run's end saved in the ledger; then the
    report (which, when it cannot be written, ``simad runs --report`` writes later)."""
    sent, interrupted = ran
    outcomes, stopped = sent.outcomes, fatal_text(sent.fatal)
    if sent.fatal is not None:
        outcomes.finalize(t("not_sent_fatal", error=stopped))
    elif sent.stopped and not sent.closed:
        outcomes.finalize(t("not_sent_stopped"))
    elif interrupted or sent.stopped:
        outcomes.finalize(t("not_sent_interrupted"))
    else:
        outcomes.finalize()
    ending = run_ending(sent, interrupted)
    interrupted = interrupted or sent.stopped
    counts = outcomes.counts()
    state = "stopped" if sent.fatal else "interrupted" if interrupted else "done"
    saved = _save_end(ledger, plan.run_id, outcomes, (state, counts, stopped), ending)
    facts = RunFacts(
        plan.run_id,
        session.target,
        elapsed=time.perf_counter() - session.started,
        stopped=stopped,
        log_file=session.log_file,
    )
    report, report_error = _write(session.report, outcomes, facts, saved=saved)
    if report_error is None and saved:
        try:
            ledger.set_report(plan.run_id, str(report))
        except LocalStorageError as exc:
            log.warning("report_not_recorded", error=str(exc))
    log.info(
        "submit_end",
        state=state,
        pace=round(pace.rate, 1) if pace and pace.limited else None,
        pace_cuts=pace.cuts if pace else 0,
        pushed_back=pace.pushed_back if pace else 0,
        **{f"n_{k}": v for k, v in counts.items()},
    )
    return SubmitResult(
        plan.run_id,
        report,
        counts,
        sent.fatal,
        interrupted,
        outcomes,
        log_file=session.log_file,
        report_error=report_error,
        pace=PaceFigures.of(pace) if pace is not None else PaceFigures(),
        requests=sent.requests,
        seconds=sent.seconds,
        cpu_seconds=sent.cpu_seconds,
        photos=session.control.photos,
    )


def run_ending(sent: Sent, interrupted: bool) -> str:
    """How the run ended, the marker the ledger keeps (``simad runs`` and the Runs page read
    it): a refused login, another fault, the Stop button, Ctrl-C or a closed app, or done."""
    if isinstance(sent.fatal, AuthError):
        return "login"
    if sent.fatal is not None:
        return "stopped"
    if sent.stopped and not sent.closed:
        return "clerk"
    return "interrupted" if interrupted or sent.stopped else "done"


def _save_end(
    ledger: Ledger,
    run_id: str,
    outcomes: Outcomes,
    end: tuple[str, dict[str, int], str | None],
    ending: str | None = None,
) -> bool:
    """Every row's outcome and the run's end (state, counts, why it stopped) in the ledger,
    in one transaction; whether they are there. When they cannot be, the run's end alone is
    tried (it is smaller), so that the run is not left ``running``."""
    state, counts, stopped = end
    try:
        ledger.end_run(
            run_id, outcomes.lines(), state=state, counts=counts, stopped=stopped, ending=ending
        )
        return ledger.durable  # not when SIMAD_HOME could not hold the ledger at all
    except LocalStorageError as exc:
        log.warning("rows_not_saved", error=str(exc))
    try:
        ledger.finish_run(run_id, state, counts, stopped=stopped, ending=ending)
    except LocalStorageError as exc:
        log.warning("run_not_finished", error=str(exc))
    return False


def _write(
    path: Path, outcomes: Outcomes, facts: RunFacts, *, saved: bool = True
) -> tuple[Path, LocalStorageError | None]:
    """Write the report; where it is (beside ``path`` when that is open in Excel) and what
    went wrong, saying how to write it later, if it could not be (and when the ledger could
    not keep the rows either, that the same command is run again)."""
    try:
        return write_report(submit_report(outcomes, facts), path), None
    except LocalStorageError as exc:
        log.warning("report_not_written")
        reason = exc.__cause__.strerror if isinstance(exc.__cause__, OSError) else exc
        if not saved:
            return path, LocalStorageError(t("report_nor_ledger_written", path=path, reason=reason))
        return path, LocalStorageError(
            t("report_not_written", path=path, reason=reason, run_id=facts.run_id)
        )
