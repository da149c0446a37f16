"""Files the tool writes hold personal data: they are created owner-only, whatever the umask.

``open_sqlite`` opens a database so that its WAL and shared-memory files are owner-only too
(SQLite gives them the database file's permissions, so the file is created 0600 first) and
sets ``busy_timeout`` before anything else, so a second process waits instead of failing with
"database is locked".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OWNER_ONLY = 0o600
BUSY_TIMEOUT_MS = 10_000


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as an owner-only folder if it does not exist."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and owner-only if missing; make an existing one owner-only."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | getattr(os, "O_BINARY", 0), OWNER_ONLY)
    os.close(fd)
    restrict(path)
    return path


def restrict(path: Path) -> None:
    """chmod 0600 where the platform supports it (on Windows the user's profile protects it)."""
    with contextlib.suppress(OSError):
        os.chmod(path, OWNER_ONLY)


def open_sqlite(path: Path | str, *, wal: bool = True) -> sqlite3.Connection:
    """An autocommit connection, usable from several threads (callers hold their own lock)."""
    name = str(path)
    if name != ":memory:":
        file = Path(name)
        private_dir(file.parent)
        private_file(file)
        for suffix in ("-wal", "-shm", "-journal"):
            side = file.with_name(file.name + suffix)
            if side.exists():
                restrict(side)
    db = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if wal and name != ":memory:":
        _wal(db)
    db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process
    return db


@contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back if the block fails."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def run_script(db: sqlite3.Connection, script: str) -> None:
    """The statements of ``script`` one by one, inside the caller's transaction
    (``executescript`` would commit first)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _wal(db: sqlite3.Connection) -> None:
    """Switch to WAL. Changing the journal mode does not wait on the busy handler, so while
    another process is creating the same database it is retried for up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """OWASP's rule for CSV meant for a spreadsheet: a text cell that starts like a formula
    gets a leading apostrophe, so Excel shows it as text and never evaluates it."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value
