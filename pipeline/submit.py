"""`simad submit`: validate, send through the engine, record in the ledger, write the report.

The report is written whatever happens — a refused login, an unreachable server, Ctrl-C or
SIGTERM — and says what happened to every row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from .config import DEFAULT_CONCURRENCY, describe_target
from .engine import FAILED_ROW, INVALID, NOT_SENT, Engine, Progress
from .i18n import t
from .ledger import Ledger
from .retry import RetryPolicy
from .validation import SheetResult

log = structlog.get_logger("simad.submit")


@dataclass
class SubmitResult:
    run_id: str
    report: Path
    counts: dict[str, int]
    fatal: Exception | None
    interrupted: bool
    engine: Engine
    log_file: Path | None = None

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return 3
        if self.interrupted:
            return 130
        bad = {INVALID, FAILED_ROW, NOT_SENT}
        return 1 if any(self.counts.get(s) for s in bad) else 0


def submit_report(engine: Engine, target: str, elapsed: float, log_file: Path | None):
    from . import __version__
    from .dryrun import summary_labels
    from .report import MESSAGE_SEPARATOR, SUBMIT_COLUMNS, Report, input_summary, run_sheets

    counts = engine.counts()
    target_line = describe_target(target)
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_submit")),
        (t("sum_target"), target_line),
        (t("sum_run_id"), engine.run_id),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    if engine.fatal is not None:
        summary.append((t("sum_fatal"), str(engine.fatal)))
    if log_file is not None:
        summary.append((t("sum_log"), str(log_file)))
    summary += input_summary(engine.run, summary_labels())

    def row_results(result: SheetResult, i: int) -> list[Any]:
        o = engine.outcome(result, i)
        return [
            result.sheet.row_numbers[i],
            o.status or NOT_SENT,
            MESSAGE_SEPARATOR.join(o.messages),
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
        run_sheets(engine.run, SUBMIT_COLUMNS, row_results),
    )


class _terminate_as_interrupt:
    """SIGTERM (a closed session, `kill`) ends the run like Ctrl-C: the report is written."""

    def __enter__(self) -> None:
        import signal
        import threading

        self._previous = None
        if threading.current_thread() is threading.main_thread():

            def interrupt(_signum: int, _frame: object) -> None:
                raise KeyboardInterrupt

            self._previous = signal.signal(signal.SIGTERM, interrupt)

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


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
    credentials: Any = None,
    policy: RetryPolicy | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_start: Callable[[Engine], None] | None = None,
) -> SubmitResult:
    """Validate, send and report. The report is written whatever happens, Ctrl-C included."""
    import time
    import uuid

    from . import i18n, logs
    from .config import resolve_target, simad_home
    from .dryrun import default_report_path
    from .report import write_report
    from .targets import open_simad
    from .validation import validate_paths

    i18n.set_lang(lang)
    started = time.perf_counter()
    target = resolve_target(target)
    home = simad_home()
    log_file = logs.default_log_file(home)
    logs.configure(log_file)
    ledger = Ledger(home / "ledger.db")
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    try:
        run = validate_paths(
            inputs,
            kind=kind,
            lang=lang,
            course_codes=course_codes,
            known_students=ledger.accepted_students(target),
        )
        ledger.start_run(run_id, "submit", target, [str(p) for p in inputs])
        structlog.contextvars.bind_contextvars(run_id=run_id)
        log.info("submit_start", target=target, rows=sum(len(r.sheet.rows) for r in run.results))
        engine_box: list[Engine] = []
        interrupted = False

        async def go() -> None:
            async with open_simad(
                target,
                transport=transport,
                credentials=credentials,
                max_connections=max(concurrency, 1),
            ) as client:
                engine = Engine(
                    run,
                    client,
                    ledger,
                    target=target,
                    run_id=run_id,
                    policy=policy,
                    concurrency=concurrency,
                    force=force,
                    images=images,
                    on_progress=on_progress,
                )
                engine_box.append(engine)
                if on_start is not None:
                    on_start(engine)
                try:
                    await engine.execute()
                finally:
                    if engine.fatal is None:
                        try:
                            await client.revoke()
                        except Exception as exc:
                            log.info("revoke_failed", error=type(exc).__name__)

        try:
            with _terminate_as_interrupt():
                asyncio.run(go())
        except KeyboardInterrupt:
            interrupted = True
        if not engine_box:
            raise RuntimeError("the submission did not start")
        engine = engine_box[0]
        if engine.fatal is not None:
            engine.finalize(t("not_sent_fatal", error=engine.fatal))
        elif interrupted:
            engine.finalize(t("not_sent_interrupted"))
        else:
            engine.finalize()
        target_path = report_path or default_report_path(list(inputs), "submission")
        report = submit_report(engine, target, time.perf_counter() - started, log_file)
        write_report(report, target_path)
        counts = engine.counts()
        state = "stopped" if engine.fatal else "interrupted" if interrupted else "done"
        ledger.finish_run(run_id, state, counts)
        log.info("submit_end", state=state, **{f"n_{k}": v for k, v in counts.items()})
        return SubmitResult(
            run_id, target_path, counts, engine.fatal, interrupted, engine, log_file
        )
    finally:
        structlog.contextvars.clear_contextvars()
        ledger.close()
        logs.configure(None)
