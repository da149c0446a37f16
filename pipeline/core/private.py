"""Files the tool writes hold personal data: they are created owner-only, whatever the umask.

``open_sqlite`` opens a database so that its WAL and shared-memory files are owner-only too
(SQLite gives them the database file's permissions, so the file is created 0600 first) and
sets ``busy_timeout`` before anything else, so a second process waits instead of failing with
"database is locked".

``guard_folder``, ``guard_file`` and ``guard_tree`` check what the tool finds already there (a
shared PC, a folder another account created first): on POSIX it must belong to the current user
(refused otherwise) and be open to nobody else (made owner-only when it is not). Owners and
modes mean little on Windows, where the user's profile protects the data: there only the kind
of each entry (folder or file) is checked.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import LocalStorageError
from pipeline.core.i18n import t

OWNER_ONLY = 0o600
OWNER_ONLY_DIR = 0o700
POSIX = os.name == "posix"
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


def guard_folder(path: Path) -> None:
    """``path`` must be a folder of the current user, open to nobody else (made so when it
    is not); ``LocalStorageError`` naming it and what is wrong otherwise."""
    _guard(path, folder=True)


def guard_file(path: Path) -> None:
    """As ``guard_folder``, for a plain file."""
    _guard(path, folder=False)


def guard_tree(path: Path) -> None:
    """``guard_folder`` on ``path`` and everything in it (symbolic links are checked where
    they lead, and not followed further)."""
    _guard(path, folder=True)
    for root, folders, files in os.walk(path):
        for name in folders:
            _guard(Path(root, name), folder=True)
        for name in files:
            _guard(Path(root, name), folder=None)


def _guard(path: Path, *, folder: bool | None) -> None:
    """One entry: its kind (``folder``; None: any), its owner and its mode."""
    try:
        link = os.lstat(path)
        info = os.stat(path)  # where a symbolic link leads
    except OSError as exc:
        if not path.exists() and not path.is_symlink():
            return  # removed meanwhile (a session folder cleaned up)
        raise LocalStorageError(t("home_unusable", path=path, reason=exc.strerror or exc)) from exc
    # A symbolic link is named with where it leads.
    shown = f"{path} → {os.path.realpath(path)}" if stat.S_ISLNK(link.st_mode) else str(path)
    if folder is True and not stat.S_ISDIR(info.st_mode):
        raise LocalStorageError(t("home_not_folder", path=shown))
    if folder is False and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        # A pipe or a device would hang or harm whoever opens it. (A folder where a database
        # belongs is said by the database itself: it cannot be opened.)
        raise LocalStorageError(t("home_not_file", path=shown))
    if not POSIX:
        return
    me = os.geteuid()
    for seen in (link, info):
        if seen.st_uid != me:
            raise LocalStorageError(t("home_foreign", path=shown, owner=_owner(seen.st_uid)))
    if stat.S_IMODE(info.st_mode) & 0o077:
        wanted = OWNER_ONLY_DIR if stat.S_ISDIR(info.st_mode) else OWNER_ONLY
        try:
            os.chmod(path, wanted)
            still_open = stat.S_IMODE(os.stat(path).st_mode) & 0o077
        except OSError as exc:
            raise LocalStorageError(
                t("home_open_to_others", path=shown, reason=exc.strerror or exc)
            ) from exc
        if still_open:
            raise LocalStorageError(t("home_open_to_others", path=shown, reason=oct(still_open)))


def _owner(uid: int) -> str:
    """A user's name where the system knows it, else the number."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


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
        # SQLite may have rolled back already (a full disk): the first error is the one to say.
        with contextlib.suppress(sqlite3.Error):
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
