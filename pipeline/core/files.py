"""Files a person opens: reports, exports, templates. Written whole or not at all, and never
lost because the last one is still open in Excel.

Every such file is written to a part file in its own folder (so the move is a rename on one
file system), flushed to disk, then moved into place with ``os.replace``: a reader sees the old
file or the new one, never half of one. On Windows a file open in Excel cannot be replaced
(``PermissionError``): the new file is then put beside it as ``name (2).xlsx`` (then ``(3)``
…), and the person is told where (``tell``), never an error for it.

``check_writable`` is asked before any work is done (before anything is sent): an output path
that cannot be written is the user's to fix (``ConfigError``, exit 2), not a failure found after
the run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import structlog

from pipeline.core.errors import ConfigError, LocalStorageError
from pipeline.core.i18n import t

OWNER_ONLY = 0o600
MAX_BESIDE = 99  # name (2) … name (99): beyond that the first refusal is the answer

log = structlog.get_logger("simad")


def _log_only(text: str) -> None:
    log.warning("file_was_open")  # the sentence names paths: it stays out of the log


_tell: Callable[[str], None] = _log_only


def tell_with(say: Callable[[str], None] | None) -> None:
    """Where the sentence «the file is open; written to …» goes (the command line: its error
    stream). None: only a line in the log (the web app, whose files are its own)."""
    global _tell
    _tell = say or _log_only


def check_writable(path: Path | str, *, suffixes: Iterable[str] = ()) -> Path:
    """``path`` (user's ``~`` expanded) if a file can be written there: not a folder, one of
    ``suffixes`` (any when empty), and a folder (created if missing) that accepts a new file.
    ``ConfigError`` (exit 2) naming what is wrong otherwise."""
    path = Path(path).expanduser()
    allowed = tuple(s.lower() for s in suffixes)
    shown = " / ".join(allowed)
    if path.is_dir():
        raise ConfigError(t("out_is_dir", path=path, suffixes=shown or "-"))
    if allowed and path.suffix.lower() not in allowed:
        raise ConfigError(t("out_bad_suffix", path=path, suffix=path.suffix or "-", suffixes=shown))
    check_folder(path.parent)
    return path


def check_folder(folder: Path) -> None:
    """``folder`` exists (created if missing) and accepts a new file; ``ConfigError``
    otherwise (a file where the folder should be, no permission, a read-only drive)."""
    for above in (folder, *folder.parents):
        if os.path.lexists(above):
            if not above.is_dir():
                raise ConfigError(t("out_folder_is_file", folder=above))
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(
            t("report_folder_unusable", folder=folder, reason=exc.strerror or exc)
        ) from exc


def part_file(path: Path) -> Path:
    """A new, empty, owner-only part file beside ``path`` (``OSError`` if none can be made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=f"{path.suffix}.part", dir=path.parent
    )
    os.close(fd)
    return Path(name)


def place(part: Path, path: Path) -> Path:
    """Move the complete ``part`` to ``path``; where the file there is held open (Windows:
    Excel has it), to the first free ``name (n).ext`` beside it, said with ``tell``. Returns
    where the file is. ``OSError`` (the part file kept for the caller to remove) otherwise."""
    with contextlib.suppress(OSError):
        os.chmod(part, OWNER_ONLY)
    try:
        os.replace(part, path)
        return path
    except PermissionError as exc:
        held = exc
    for n in range(2, MAX_BESIDE + 1):
        beside = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if os.path.lexists(beside):
            continue  # an earlier one: kept, maybe open too
        try:
            os.replace(part, beside)
        except PermissionError:
            continue
        _tell(t("file_was_open", path=path, written=beside))
        return beside
    raise held


def write_atomically(path: Path | str, write: Callable[[BinaryIO], object]) -> Path:
    """Write a file with ``write(handle)`` into a part file, flush it to disk and ``place`` it.
    Returns where it is (``path``, or beside it when ``path`` is held open). ``OSError`` when
    it cannot be written; no part file is left behind then."""
    path = Path(path)
    part = part_file(path)
    try:
        with part.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        return place(part, path)
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


def write_output(path: Path | str, write: Callable[[BinaryIO], object]) -> Path:
    """``write_atomically`` for a file the user asked for: one that cannot be written is a
    ``LocalStorageError`` naming it and the system's reason."""
    try:
        return write_atomically(path, write)
    except OSError as exc:
        raise LocalStorageError(
            t("out_write_failed", path=path, reason=exc.strerror or exc)
        ) from exc
