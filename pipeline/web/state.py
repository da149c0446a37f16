"""What one run of ``simad ui`` holds in memory: the workbooks being fixed, the credentials
typed in the page (never written anywhere), and the long jobs (a submission, a pull) that go
on in a thread of their own whether or not a page is watching.

Its files live in one owner-only session folder under SIMAD_HOME: ``uploads/`` (one folder per
uploaded file), ``corrected/`` (the corrected copies a submission sends; ``compared/``, those a
reconciliation reads), ``out/`` (workbooks made for a download) and ``scratch/`` (what a child
process reading an upload hands back).
An upload that is refused is deleted at once; the uploads of workbooks no longer open (and no
longer sent by a running job) are deleted when another is opened; the session keeps at most
``MAX_SESSION_BYTES`` (a new upload beyond it is refused with a sentence); the whole folder is
removed when the app stops. The open workbooks and their corrections are also held outside it,
in SIMAD_HOME's ``workbench/`` (``pipeline.web.workbench``), until the person closes them; what
a submission sends is kept in SIMAD_HOME's ``runs/<run id>/``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import structlog

from pipeline.commands.submit import Control, SubmitOptions, run_submit
from pipeline.commands.workspace import Workspace
from pipeline.core.config import SANDBOX, Credentials, describe_target
from pipeline.core.context import Context
from pipeline.core.errors import (
    AuthError,
    ConfigError,
    InputFileError,
    RunLocked,
    SimadError,
    StaleWorkbook,
)
from pipeline.core.i18n import Said, again, said, t
from pipeline.core.private import private_dir
from pipeline.core.redact import scrub
from pipeline.core.status import Submission

log = structlog.get_logger("simad.ui")
RATE_WINDOW = 5.0  # seconds of progress the current rate is measured over
MAX_SESSION_BYTES = 300 * 2**20  # what one session keeps on disk at most: uploads, copies, outs
MAX_NAME = 80  # characters of an uploaded file's stem kept in the name it is stored under
_NOT_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10))}
_RESERVED |= {f"LPT{n}" for n in range(10)}


def stored_name(name: str) -> str:
    """A name an uploaded file can be kept under on any system: the user's name without
    folders, characters Windows refuses or a reserved name, and not longer than ``MAX_NAME``
    characters before its suffix (a path stays within what every file system allows)."""
    base = _NOT_IN_NAMES.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix[:10]
    stem = stem[:MAX_NAME].strip(" .") or "upload"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return f"{stem}.{suffix}" if suffix else stem


def forget_run(options: SubmitOptions) -> None:
    """Remove the folder kept for a run that never started (``runs/<run id>/``)."""
    for path in options.inputs:  # runs/<run id>/<n>/<name>
        folder = Path(path).parent.parent
        if options.run_id and folder.name == options.run_id and folder.parent.name == "runs":
            shutil.rmtree(folder, ignore_errors=True)


def kept(exc: BaseException | None) -> str | None:
    """What stopped a job, to be said in the language of the page reading it later: the
    catalogue's words kept with their values (``told`` writes them), else the text itself."""
    if exc is None:
        return None
    if not isinstance(exc, SimadError):
        return said("internal_error", error=type(exc).__name__)
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Said) else scrub(exc)


def told(text: str | None) -> str:
    """``kept`` words in the current language, never a secret."""
    return scrub(again(text))


def eta(remaining: int, rate: float) -> int | None:
    """Seconds until ``remaining`` rows are done at ``rate`` rows a second: None until a rate
    is known or when nothing remains, and never 0 while rows remain."""
    if rate <= 0 or remaining <= 0:
        return None
    return max(1, math.ceil(remaining / rate))


@dataclass
class Job:
    """A long action in a thread: its progress as the engine (``control``, a submission's)
    or a pull (``done``, ``total``) reports it."""

    id: str
    kind: str  # submit | pull
    title: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    control: Control | None = None  # a submission's handle: its counters and its stop
    result: Any = None
    error: str | None = None  # what stopped it, for a person (``told`` in the page's language)
    stop_asked: bool = False
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=200))
    thread: threading.Thread | None = None
    files: list[Path] = field(default_factory=list)  # what it reads while it runs
    login_refused: bool = False  # a submission the target refused to log in: nothing sent
    target: str = ""  # a submission's target
    began: float = field(default_factory=time.time)  # when it started, on the wall clock

    @property
    def heading(self) -> str:
        """What the job's card is titled with, in the language of the page reading it: a
        submission names its target anew each time (never in the language it started in)."""
        if self.kind == "submit" and self.target:
            return describe_target(self.target, short=True)
        return told(self.title)

    def stopped_text(self) -> str | None:
        """Why a finished submission stopped (its result's fault), in the current language."""
        fault = getattr(self.result, "fatal", None)
        return told(kept(fault)) if fault is not None else None

    def average(self) -> float | None:
        """A finished job's rows a second over its whole run (None: nothing done)."""
        took = (self.finished or time.monotonic()) - self.started
        return round(self.done / took, 1) if self.done and took > 0 else None

    def stop(self, *, closing: bool = False) -> None:
        """No new row starts; ``closing``: the app is closing (its run is interrupted), not
        the clerk's Stop."""
        self.stop_asked = True
        if self.control is not None:
            self.control.stop(closing=closing)

    def rate(self) -> float | None:
        """Rows per second over the last ``RATE_WINDOW`` seconds; None until a second of the
        run has been seen (a rate of 0 at the start would read as a stalled run)."""
        now = time.monotonic()
        self.samples.append((now, self.done))
        recent = [s for s in self.samples if now - s[0] <= RATE_WINDOW]
        if len(recent) < 2 or recent[-1][0] - recent[0][0] < 1.0:
            return None
        return (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])

    def snapshot(self) -> dict[str, Any]:
        """The job's state for a page: numbers, and the words to show them with."""
        pace = None
        if self.control is not None:
            progress = self.control
            pace = progress.pace
            self.total, self.done = progress.total, progress.done
            self.counts = dict(progress.counts)
            self.failures = list(progress.failures)
        rate = self.rate()
        remaining = max(self.total - self.done, 0)
        # No time left is told while stopping: the rows left will not be sent.
        going = not (self.finished or self.stop_asked)
        return {
            "id": self.id,
            "state": "done" if self.finished else "stopping" if self.stop_asked else "running",
            "total": self.total,
            "done": self.done,
            "sent": self.counts.get(Submission.SENT, 0),
            "failed": self.counts.get(Submission.FAILED, 0),
            "remaining": remaining,
            "rate": self.average() if self.finished else None if rate is None else round(rate, 1),
            "pace": round(pace, 1) if pace is not None else None,
            "eta": eta(remaining, rate) if rate is not None and going else None,
            "elapsed": round((self.finished or time.monotonic()) - self.started),
            "failures": [
                {"where": where, "row": row, "message": message}
                for where, row, message in self.failures
            ],
            "error": told(self.error) if self.error else None,
            "photos": self.control.photos if self.control is not None else 0,
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
        self.refused: dict[str, str] = {}  # target → why it refused the login (until new ones)
        self._refused_logins: set[tuple[str, Credentials]] = set()  # never tried again
        self.jobs: dict[str, Job] = {}
        self.terminologies: list[str] = []  # the MAXA service's list, kept once it answered
        self.lock = threading.RLock()
        self.budget = MAX_SESSION_BYTES
        self.pending: set[Path] = set()  # uploads kept, not yet open nor refused
        self.bench = home / "workbench"  # the open workbooks held on disk (``workbench``)
        self.waiting: list[Path] = []  # uploads waiting for an answer: replace unsaved work?
        self.note: str | None = None  # why the workbooks held last time were not opened
        self.files_lock = threading.RLock()  # the session folder's uploads, counted and tidied

    @property
    def scratch(self) -> Path:
        """Where child processes hand back what they read (files removed once read)."""
        return private_dir(self.folder / "scratch")

    @property
    def photos(self) -> Path:
        """The photos dropped in the page (``sheets.photos``: matched to the open workbook's
        residents by their names), added to by each drop, held with the open workbook in
        SIMAD_HOME's ``workbench/photos`` (``pipeline.web.workbench``)."""
        return private_dir(private_dir(self.bench) / "photos")

    @property
    def incoming(self) -> Path:
        """The photos of a drop that brings workbooks too, in the session folder until those
        workbooks are opened (then held with them) or not (then deleted)."""
        return private_dir(self.folder / "photos")

    def upload_path(self, name: str) -> Path:
        """A new owner-only folder for one upload, and the path to keep it at (pending until
        it is opened or discarded)."""
        with self.files_lock:
            folder = private_dir(private_dir(self.folder / "uploads") / uuid.uuid4().hex[:8])
            path = folder / stored_name(name)
            self.pending.add(path)
            return path

    @contextlib.contextmanager
    def room_for(self, size: int) -> Iterator[None]:
        """Keep a file of ``size`` bytes in the block, if the session has room for it once
        tidied (``InputFileError`` if not); one at a time, so the total stays bounded."""
        with self.files_lock:
            self.tidy()
            if self.used_bytes() + size > self.budget:
                raise InputFileError(t("ui_session_full", mb=self.budget // 2**20))
            yield

    def opened(self, ws: Workspace) -> None:
        """``ws`` is the open workspace from now on; its uploads are no longer pending."""
        with self.lock:
            self.workspace = ws
            self.view = {}
        with self.files_lock:
            self.pending.difference_update(ws.paths)

    def discard(self, paths: list[Path]) -> None:
        """Delete uploads (their folders) that were refused or are done with."""
        uploads = self.folder / "uploads"
        with self.files_lock:
            for path in paths:
                self.pending.discard(path)
                if path.parent.parent == uploads:
                    with contextlib.suppress(OSError):
                        shutil.rmtree(path.parent)

    def workspace_for(self, ws_id: object) -> Workspace:
        """The open workspace when ``ws_id`` names it; else ``StaleWorkbook`` (a page of
        another workbook: nothing may be applied to the open one)."""
        ws = self.workspace
        if ws is None:
            raise InputFileError(t("ui_no_workbook"))
        if not isinstance(ws_id, str) or ws_id != ws.id:
            raise StaleWorkbook(t("ui_stale_workbook", names=", ".join(p.name for p in ws.paths)))
        return ws

    def in_use(self) -> set[Path]:
        """Files the session must keep: the open workbooks, uploads being read, and what
        running jobs read."""
        kept = set(self.workspace.paths) if self.workspace is not None else set()
        kept |= set(self.pending)
        for job in list(self.jobs.values()):
            if job.finished is None:
                kept.update(job.files)
        return kept

    def tidy(self) -> None:
        """Delete uploads and corrected copies that nothing uses any more."""
        with self.files_lock:
            self._tidy()

    def _tidy(self) -> None:
        kept = self.in_use()
        folders = {p.parent for p in kept}
        ws_ids = {self.workspace.id} if self.workspace is not None else set()
        corrected, compared = self.folder / "corrected", self.folder / "compared"
        ws_ids |= {p.relative_to(corrected).parts[0] for p in kept if p.is_relative_to(corrected)}
        for base, keep in ((self.folder / "uploads", folders), (corrected, None), (compared, None)):
            if not base.is_dir():
                continue
            for child in base.iterdir():
                used = child in keep if keep is not None else child.name in ws_ids
                if not used:
                    with contextlib.suppress(OSError):
                        shutil.rmtree(child)

    def used_bytes(self) -> int:
        """Bytes of files the session folder holds now."""
        total = 0
        for path in self.folder.rglob("*"):
            with contextlib.suppress(OSError):
                if path.is_file():
                    total += path.stat().st_size
        return total

    def out_path(self, name: str) -> Path:
        """Where a workbook made for a download goes (removed with the session)."""
        return private_dir(self.folder / "out") / name

    def sign_in(self, target: str, login: Credentials) -> None:
        """Hold ``login`` for ``target`` (in memory only); ``ConfigError`` when the target
        already refused exactly these: a refused login is never tried again."""
        with self.lock:
            if (target, login) in self._refused_logins:
                raise ConfigError(t("ui_login_same_refused"))
            self.credentials[target] = login
            self.refused.pop(target, None)

    def checked_login(self, target: str, login: Credentials) -> Credentials:
        """``login``, unless ``target`` refused it already (``ConfigError``: asked again)."""
        if (target, login) in self._refused_logins:
            raise ConfigError(t("ui_login_again"))
        return login

    def login_refused(self, target: str, login: Credentials | None, reason: str | None) -> None:
        """``target`` refused ``login``: forgotten, remembered as refused, and the reason kept
        for the page that asks for new ones."""
        with self.lock:
            if login is not None:
                self._refused_logins.add((target, login))
                if self.credentials.get(target) == login:
                    del self.credentials[target]
            self.refused[target] = reason or ""

    def needs_login(self, target: str | None) -> bool:
        """Whether the page must ask for credentials before sending to ``target``: a ministry
        target without them, or any target that refused the last ones."""
        if target is None:
            return False
        return target in self.refused or (target != SANDBOX and target not in self.credentials)

    def latest(self, kind: str) -> Job | None:
        found = [j for j in self.jobs.values() if j.kind == kind]
        return found[-1] if found else None

    def submit(
        self,
        title: str,
        options: SubmitOptions,
        credentials: Credentials | None,
        ctx: Context,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Job:
        """Start a submission in a thread of its own (refused while one runs); its job reads
        the run's counters and can stop it (``Job.stop``). Its inputs are kept until it
        ends. ``transport``: how the target is reached instead of the usual way (the slow
        sandbox)."""
        control = Control()
        target = options.target or ""
        send = run_submit if transport is None else partial(run_submit, transport=transport)

        def work(job: Job) -> Any:
            try:
                result = send(options, credentials=credentials, control=control, ctx=ctx)
            except RunLocked:  # refused before it started: what it would have sent goes
                forget_run(options)
                raise
            except AuthError as exc:
                job.login_refused = True
                self.login_refused(target, credentials, kept(exc))
                raise
            if isinstance(result.fatal, AuthError):  # a login refused (first, or on renewal)
                job.login_refused = True
                self.login_refused(target, credentials, kept(result.fatal))
            return result

        job = self.start("submit", title, work, list(options.inputs), control=control)
        job.target = target
        return job

    def start(
        self,
        kind: str,
        title: str,
        work: Callable[[Job], Any],
        files: list[Path] | None = None,
        *,
        control: Control | None = None,
    ) -> Job:
        """Run ``work`` in a thread of its own; a job of the same kind running is refused.
        ``files``: what it reads, kept until it ends; ``control``: a submission's handle."""
        running = self.latest(kind)
        if running is not None and running.finished is None:
            raise SimadError(t("ui_job_running"))
        job = Job(uuid.uuid4().hex[:10], kind, title, files=list(files or []), control=control)

        def go() -> None:
            try:
                job.result = work(job)
            except SimadError as exc:
                job.error = kept(exc)  # as on the command line: no secret echoed
            except Exception as exc:  # shown as a sentence, logged without data
                log.exception("ui_job_failed", kind=kind)
                job.error = said("internal_error", error=type(exc).__name__)
            finally:
                job.finished = time.monotonic()

        # In the starter's context: the job speaks its language and its face (the page's).
        job.thread = threading.Thread(
            target=contextvars.copy_context().run, args=(go,), name=f"simad-{kind}", daemon=True
        )
        self.jobs[job.id] = job
        job.thread.start()
        return job

    def cut_short(self) -> list[tuple[str, int]]:
        """The submissions the app's closing interrupted: (run id, rows not sent)."""
        cut = []
        for job in self.jobs.values():
            result = job.result
            closing = job.control is not None and job.control.closing
            if job.kind == "submit" and closing and getattr(result, "interrupted", False):
                cut.append((str(result.run_id), int(result.counts.get("not_sent", 0))))
        return cut

    def close(self, wait: float = 60.0) -> None:
        """The end of the session: running jobs stop (rows in flight finish and the report is
        written), credentials are forgotten and the uploads removed."""
        for job in self.jobs.values():
            if job.finished is None:
                job.stop(closing=True)
        for job in self.jobs.values():
            if job.thread is not None:
                job.thread.join(wait)
        self.credentials.clear()
        self.refused.clear()
        self._refused_logins.clear()
        self.workspace = None
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
