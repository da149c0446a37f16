"""What one run of ``simad ui`` holds in memory: the workbooks being fixed, the credentials
typed in the page (never written anywhere), and the long jobs (a submission, a pull) that go
on in a thread of their own whether or not a page is watching.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from ..commands.workspace import Workspace
from ..config import Credentials
from ..engine import FAILED_ROW, SENT, Engine
from ..errors import SimadError
from ..i18n import t
from ..private import private_dir

log = structlog.get_logger("simad.ui")
RATE_WINDOW = 5.0  # seconds of progress the current rate is measured over


@dataclass
class Job:
    """A long action in a thread: its progress as the engine (or a pull) reports it."""

    id: str
    kind: str  # submit | pull
    title: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    engine: Engine | None = None
    result: Any = None
    error: str | None = None  # what stopped it, for a person
    stop_asked: bool = False
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=200))
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.stop_asked = True
        if self.engine is not None:
            self.engine.stop()

    def rate(self) -> float:
        """Rows per second over the last ``RATE_WINDOW`` seconds."""
        now = time.monotonic()
        self.samples.append((now, self.done))
        recent = [s for s in self.samples if now - s[0] <= RATE_WINDOW]
        if len(recent) < 2 or recent[-1][0] == recent[0][0]:
            return 0.0
        return (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])

    def snapshot(self) -> dict[str, Any]:
        """The job's state for a page: numbers, and the words to show them with."""
        pace = None
        if self.engine is not None:
            progress = self.engine.progress
            pace = progress.pace
            self.total, self.done = progress.total, progress.done
            self.counts = dict(progress.counts)
            self.failures = list(progress.failures)
        rate = self.rate()
        remaining = max(self.total - self.done, 0)
        return {
            "id": self.id,
            "state": "done" if self.finished else "stopping" if self.stop_asked else "running",
            "total": self.total,
            "done": self.done,
            "sent": self.counts.get(SENT, 0),
            "failed": self.counts.get(FAILED_ROW, 0),
            "remaining": remaining,
            "rate": round(rate, 1),
            "pace": round(pace, 1) if pace is not None else None,
            "eta": round(remaining / rate) if rate > 0 and not self.finished else None,
            "elapsed": round((self.finished or time.monotonic()) - self.started),
            "failures": [
                {"where": where, "row": row, "message": message}
                for where, row, message in self.failures
            ],
            "error": self.error,
        }


class State:
    """The app's memory. One person uses one running app (the secret says so), but requests
    arrive on several threads: the lock keeps a correction and a page of the same workbook
    apart."""

    def __init__(self, home: Path, lang: str, target: str | None) -> None:
        self.folder = private_dir(home / "ui" / uuid.uuid4().hex[:12])
        self.lang = lang
        self.target = target  # chosen on the start page; None until chosen
        self.workspace: Workspace | None = None
        self.view: dict[str, str] = {}  # the check page's sheet, filter and page last shown
        self.credentials: dict[str, Credentials] = {}
        self.jobs: dict[str, Job] = {}
        self.lock = threading.RLock()

    def upload_path(self, name: str) -> Path:
        folder = private_dir(self.folder / uuid.uuid4().hex[:8])
        return folder / Path(name).name

    def out_path(self, name: str) -> Path:
        """Where a workbook made for a download goes (removed with the session)."""
        return private_dir(self.folder / "out") / name

    def latest(self, kind: str) -> Job | None:
        found = [j for j in self.jobs.values() if j.kind == kind]
        return found[-1] if found else None

    def start(self, kind: str, title: str, work: Callable[[Job], Any]) -> Job:
        """Run ``work`` in a thread of its own; a job of the same kind running is refused."""
        running = self.latest(kind)
        if running is not None and running.finished is None:
            raise SimadError(t("ui_job_running"))
        job = Job(uuid.uuid4().hex[:10], kind, title)

        def go() -> None:
            try:
                job.result = work(job)
            except SimadError as exc:
                job.error = str(exc)
            except Exception as exc:  # shown as a sentence, logged without data
                log.exception("ui_job_failed", kind=kind)
                job.error = t("internal_error", error=type(exc).__name__)
            finally:
                job.finished = time.monotonic()

        job.thread = threading.Thread(target=go, name=f"simad-{kind}", daemon=True)
        self.jobs[job.id] = job
        job.thread.start()
        return job

    def close(self, wait: float = 60.0) -> None:
        """The end of the session: running jobs stop (rows in flight finish and the report is
        written), credentials are forgotten and the uploads removed."""
        for job in self.jobs.values():
            if job.finished is None:
                job.stop()
        for job in self.jobs.values():
            if job.thread is not None:
                job.thread.join(wait)
        self.credentials.clear()
        self.workspace = None
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
