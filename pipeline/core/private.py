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
import functools
import ntpath
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import ConfigError, LocalStorageError
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


NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p", "afs", "ncpfs"}
    | {"davfs", "fuse.davfs2", "ceph", "glusterfs", "fuse.glusterfs", "lustre", "gpfs"}
)
DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive


def network_share(
    path: Path,
    *,
    windows: bool = os.name == "nt",
    drive_type: Callable[[str], int] | None = None,
    mounts: str | None = None,
) -> str | None:
    """What network share ``path`` is on (``\\\\server\\share``, ``network drive Z:``, ``nfs4``
    …), or None for a local folder (or where it cannot be told: macOS, an unreadable mount
    table). The platform's answers can be given: ``drive_type`` (Windows' ``GetDriveTypeW``)
    and ``mounts`` (the text of Linux's ``/proc/mounts``)."""
    if windows:
        return _windows_share(str(path), drive_type or _drive_type)
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    return _mounted_from(os.path.realpath(path), mounts)


def _windows_share(text: str, drive_type: Callable[[str], int]) -> str | None:
    """A UNC path's ``\\\\server\\share``, or a mapped network drive's letter."""
    text = ntpath.abspath(text) if os.name == "nt" else text.replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        text = "\\" + text[7:]  # \\?\UNC\server\share → \\server\share
    elif text.startswith(("\\\\?\\", "\\\\.\\")):
        text = text[4:]  # a long local path: \\?\C:\…
    drive = ntpath.splitdrive(text)[0]
    if drive.startswith("\\\\"):
        return drive
    if len(drive) == 2 and drive[1] == ":" and drive_type(drive + "\\") == DRIVE_REMOTE:
        return t("network_drive", drive=drive.upper())
    return None


def _mounted_from(where: str, mounts: str) -> str | None:
    """The file system type of the longest mount point holding ``where``, if a network one."""
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = where == point or where.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2].lower()
    return kind if kind in NETWORK_FILESYSTEMS else None


def _drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    windll = getattr(ctypes, "windll", None)
    return int(windll.kernel32.GetDriveTypeW(root)) if windll is not None else 0


def refuse_network_share(folder: Path) -> None:
    """SQLite on a network share (a ``SIMAD_HOME`` shared by two clerks) is refused with a
    ``ConfigError`` (exit 2) saying why and what to do.

    Refused rather than run in another journal mode: WAL needs shared memory between the
    processes that use a database, which a network file system does not give (two PCs then
    corrupt it, silently); the rollback journal (``journal_mode=DELETE``) depends on the
    share's byte-range locks, which SMB and NFS implement unevenly, and SQLite's own advice is
    not to use it over a network at all. A ledger that quietly loses the record that a row was
    accepted sends it twice, so the one safe answer is a local folder per PC."""
    kind = _network_kind(str(folder))
    if kind is not None:
        raise ConfigError(t("home_on_network", path=folder, kind=kind))


@functools.lru_cache(maxsize=32)
def _network_kind(folder: str) -> str | None:
    return network_share(Path(folder))


def open_sqlite(path: Path | str, *, wal: bool = True) -> sqlite3.Connection:
    """An autocommit connection, usable from several threads (callers hold their own lock).
    ``ConfigError`` for a database on a network share (``refuse_network_share``)."""
    name = str(path)
    if name != ":memory:":
        file = Path(name)
        private_dir(file.parent)
        refuse_network_share(file.parent)
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
