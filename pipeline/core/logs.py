"""Structured logs (structlog) to a JSON-lines file under ``SIMAD_HOME/logs``.

Secrets and personal data are dropped by processors before anything is written: keys that
name a credential or a personal identifier are replaced, whatever the event, and every other
text (an error's message, a traceback) loses what has the shape of a credential
(``redact.redact_text``).

structlog is configured once, at import. Where events go is a property of the current context
(a thread, or an asyncio task), not of the process: ``writing_to(file)`` sends the events of
its block to ``file``, so two commands in one process (two tabs of the web app) keep separate
logs. Outside any such block events go nowhere.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import structlog

from pipeline.core.private import private_dir, private_file
from pipeline.core.redact import redact_text

REDACTED = "***"
_SENSITIVE_KEY = re.compile(
    r"pass|secret|token|authorization|national|mobile|phone|email|birth|address|image",
    re.IGNORECASE,
)


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key != "event" and _SENSITIVE_KEY.search(key):
            event[key] = REDACTED
    return event


def without_credentials(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if key != "event" and isinstance(value, str):
            event[key] = redact_text(value, identifiers=False)
    return event


class _QuietFile:
    """A log file whose write errors (a full disk) are dropped: a log must never stop a run."""

    def __init__(self, handle: TextIO):
        self.handle = handle

    def write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.handle.write(text)
            self.handle.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()


_sink: ContextVar[_QuietFile | None] = ContextVar("simad_log_sink", default=None)


class _ContextLogger:
    """Writes each rendered event to the current context's log file, if it has one."""

    def msg(self, message: str) -> None:
        sink = _sink.get()
        if sink is not None:
            sink.write(message + "\n")

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def default_log_file(home: Path) -> Path:
    return home / "logs" / f"simad-{datetime.now(UTC):%Y%m%d}.jsonl"


def _open(log_file: Path) -> _QuietFile | None:
    try:
        private_dir(log_file.parent)
        private_file(log_file)
        return _QuietFile(log_file.open("a", encoding="utf-8"))
    except OSError:
        return None  # no log rather than no run


@contextlib.contextmanager
def writing_to(log_file: Path | None) -> Iterator[None]:
    """Send the events of the block (in this context) to ``log_file``; None: nowhere."""
    sink = _open(log_file) if log_file is not None else None
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)
        if sink is not None:
            sink.close()


def configure(log_file: Path | None = None) -> None:
    """Send the current context's events to ``log_file`` from now on (None: nowhere). For the
    command line's one long context; library code uses ``writing_to``."""
    previous = _sink.get()
    _sink.set(_open(log_file) if log_file is not None else None)
    if previous is not None:
        previous.close()


structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
        # An unexpected error's traceback, as text: no local variables, which could hold
        # credentials or personal data.
        structlog.processors.format_exc_info,
        without_credentials,
        structlog.processors.JSONRenderer(ensure_ascii=False),
    ],
    logger_factory=lambda *args: _ContextLogger(),
    wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    cache_logger_on_first_use=False,
)
