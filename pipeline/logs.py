"""Structured logs (structlog) to a JSON-lines file under ``SIMAD_HOME/logs``.

Secrets and personal data are dropped by a processor before anything is written: keys that
name a credential or a personal identifier are replaced, whatever the event.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

from .private import private_dir, private_file

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


class _QuietFile:
    """A log file whose write errors (a full disk) are dropped: a log must never stop a run."""

    def __init__(self, handle: TextIO):
        self.handle = handle

    def write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.handle.write(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.handle.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()


_handle: _QuietFile | None = None


def default_log_file(home: Path) -> Path:
    from datetime import UTC, datetime

    return home / "logs" / f"simad-{datetime.now(UTC):%Y%m%d}.jsonl"


def configure(log_file: Path | None = None, level: int = logging.INFO) -> None:
    """Send structlog events to ``log_file`` (JSON lines), or nowhere when None."""
    global _handle
    if _handle is not None:
        _handle.close()
        _handle = None
    if log_file is None:
        structlog.configure(
            processors=[redact, structlog.processors.JSONRenderer()],
            logger_factory=structlog.ReturnLoggerFactory(),
            wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL),
            cache_logger_on_first_use=False,
        )
        return
    try:
        private_dir(log_file.parent)
        private_file(log_file)
        _handle = _QuietFile(log_file.open("a", encoding="utf-8"))
    except OSError:
        configure(None)  # no log rather than no run
        return
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            # An unexpected error's traceback, as text: no local variables, which could hold
            # credentials or personal data.
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        logger_factory=structlog.WriteLoggerFactory(file=_handle),  # type: ignore[arg-type]
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )
