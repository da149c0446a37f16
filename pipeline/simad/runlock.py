"""One submission at a time per ``SIMAD_HOME`` and target.

Two windows, a double click or a scheduled task overlapping a manual run would otherwise send
every row twice. The lock is an operating-system file lock (``filelock``: ``fcntl`` on POSIX,
``msvcrt`` on Windows), so it dies with its process: a ``kill -9`` or a power cut never
leaves it held.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.core.private import private_dir


def lock_path(home: Path, target: str) -> Path:
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return private_dir(home / "locks") / f"submit-{digest}.lock"


@contextmanager
def run_lock(
    home: Path, target: str, *, busy: Callable[[], Exception], wait: bool = False
) -> Iterator[None]:
    """Hold the target's lock for the block. When another process holds it, raise what
    ``busy()`` returns at once, or wait for the lock with ``wait``."""
    lock = FileLock(str(lock_path(home, target)), timeout=-1 if wait else 0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise busy() from None
    try:
        yield
    finally:
        lock.release()


def is_running(home: Path, target: str) -> bool:
    """Whether a live process holds the target's lock (a run is under way)."""
    lock = FileLock(str(lock_path(home, target)), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False
