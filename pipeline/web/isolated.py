"""Reading an uploaded spreadsheet in a child process, so that a file made to harm the reader
ends the child and never the web app.

A spreadsheet reader written in native code can abort the whole process on a hostile file
(a sheet whose stated size makes it allocate hundreds of gigabytes aborts; it does not raise),
and a zip bomb can drive memory up until the machine swaps. The web app therefore never reads
an upload itself: ``python -m pipeline.web.isolated REQUEST ANSWER`` reads one file in a fresh
process and hands back what it read, the same ``Workbook`` the command line reads, pickled
into the session's owner-only folder. The parent only unpickles what its own child wrote and
validates it in memory (validation is plain Python and pandas on values already read).

Why a ``subprocess`` of ``python -m`` rather than ``multiprocessing``: the child imports little
more than the reader (0.3 s), the command line to start it is explicit and the same on Windows (no
re-import of the app's main module, which a console-script launcher makes fragile), and its
stderr, where a native abort prints its backtrace, goes nowhere near the user's console.
Nothing secret is on its command line or in its environment: two file paths under SIMAD_HOME.

Bounds: one file per child; ``READ_SECONDS`` of wall time; on POSIX an address-space limit of
``CHILD_MEMORY`` (reading a 190,000-row workbook takes 0.6 GB of it); at most
``MAX_CELLS`` cells in a workbook, so that what comes back cannot swamp the app either.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import InputFileError
from pipeline.core.i18n import current_lang, language, t
from pipeline.core.private import private_dir, restrict
from pipeline.sheets.reader import Workbook, read_file, read_grids

READ_SECONDS = 300
CHILD_MEMORY = 2 * 2**30
MAX_CELLS = 6_000_000  # 200,000 rows of 30 columns
_SECRET_WORDS = ("PASS", "SECRET", "TOKEN", "KEY", "CREDENTIAL")
OK, REFUSED, NO_MEMORY = "ok", "refused", "memory"


@dataclass(frozen=True)
class Request:
    """What the child is asked: ``mode`` "book" (read it as residents/upgrades sheets: the
    ``Workbook``) or "grids" (only check that the reader can read every sheet: nothing back)."""

    mode: str
    path: Path
    lang: str
    kind: str | None = None
    mapping: dict[str, str] | None = None
    memory: int = CHILD_MEMORY


def read_book(
    path: Path,
    *,
    scratch: Path,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Workbook:
    """The ``Workbook`` read from ``path`` by a child process; ``InputFileError`` with a
    sentence naming the file when the child refused it, ran out of memory or time, or died.
    The child reads it by its name in its folder, so that its sentences name the file as the
    user does; the paths in what comes back are made whole again here. The child speaks the
    caller's language (``i18n.current_lang()``)."""
    book = _in_child(Request("book", path, current_lang(), kind, mapping, CHILD_MEMORY), scratch)
    if not isinstance(book, Workbook):
        raise InputFileError(t("ui_read_failed", name=path.name))
    book.path = path
    for sheet in book.sheets:
        sheet.path = path
    return book


def check_readable(path: Path, *, scratch: Path) -> None:
    """Whether the reader can read every sheet of ``path``, found out in a child process
    (``InputFileError`` when not), before this process reads it for itself."""
    _in_child(Request("grids", path, current_lang(), memory=CHILD_MEMORY), scratch)


def _in_child(request: Request, scratch: Path) -> Any:
    with language(request.lang):
        return _ask_child(request, scratch)


def _ask_child(request: Request, scratch: Path) -> Any:
    folder = private_dir(scratch)
    stem = uuid.uuid4().hex[:12]
    asked, answered = folder / f"{stem}.ask", folder / f"{stem}.answer"
    name = request.path.name
    try:
        asked.write_bytes(pickle.dumps(request))
        restrict(asked)
        try:
            process = subprocess.run(
                [sys.executable, "-m", "pipeline.web.isolated", str(asked), str(answered)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a native abort's backtrace is nobody's business
                cwd=_package_root(),
                env=_child_environment(),
                timeout=READ_SECONDS,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise InputFileError(t("ui_read_slow", name=name, seconds=READ_SECONDS)) from exc
        except OSError as exc:  # no interpreter to start: a fault of the installation
            raise InputFileError(t("ui_read_failed", name=name)) from exc
        answer = _answer(answered)
        if answer is not None and answer[0] == OK and process.returncode == 0:
            return answer[1]
        if answer is not None and answer[0] == REFUSED:
            raise InputFileError(str(answer[1]))
        if answer is not None and answer[0] == NO_MEMORY:
            raise InputFileError(t("ui_read_memory", name=name))
        raise InputFileError(t("ui_read_failed", name=name))
    finally:
        for path in (asked, answered):
            with contextlib.suppress(OSError):
                path.unlink()


def _answer(path: Path) -> tuple[str, Any] | None:
    try:
        with path.open("rb") as handle:
            answer = pickle.load(handle)  # written by our own child, in an owner-only folder
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return answer if isinstance(answer, tuple) and len(answer) == 2 else None


def _package_root() -> str:
    """The folder holding the ``pipeline`` package, so that ``-m`` finds this very copy."""
    return str(Path(__file__).resolve().parents[2])


def _child_environment() -> dict[str, str]:
    """The environment without anything that looks like a credential: the child reads one
    file and needs none."""
    return {
        name: value
        for name, value in os.environ.items()
        if not any(word in name.upper() for word in _SECRET_WORDS)
    }


# -- the child ---------------------------------------------------------------------------------


def _limit_memory(limit: int) -> None:
    """On POSIX, allocations beyond ``limit`` bytes fail in this process (a MemoryError or
    an abort) before the machine runs short."""
    try:
        import resource
    except ImportError:  # Windows: the reader's own limits on sizes apply
        return
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _work(request: Request) -> Any:
    """Read the file by its name, in its folder (the sentences then name it as the user does)."""
    os.chdir(request.path.parent)
    name = Path(request.path.name)
    if request.mode == "grids":
        read_grids(name)
        return None
    book = read_file(name, request.kind, request.mapping)
    cells = sum(len(s.rows) * max(len(s.headers), 1) for s in book.sheets)
    if cells > MAX_CELLS:
        raise InputFileError(t("ui_too_many_cells", name=request.path.name, limit=MAX_CELLS))
    return book


def _write(path: Path, answer: tuple[str, Any]) -> None:
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # no memo: rows of plain values, and four times faster
        pickler.dump(answer)
    restrict(partial)
    os.replace(partial, path)


def main(argv: list[str]) -> int:
    """``python -m pipeline.web.isolated REQUEST ANSWER``: 0 read, 2 refused (the sentence is
    in the answer), 3 out of memory."""
    asked, answered = Path(argv[0]), Path(argv[1])
    request: Request = pickle.loads(asked.read_bytes())
    _limit_memory(request.memory)
    with language(request.lang):
        try:
            answer, code = (OK, _work(request)), 0
        except InputFileError as exc:
            answer, code = (REFUSED, str(exc)), 2
        except MemoryError:
            answer, code = (NO_MEMORY, None), 3
    try:
        _write(answered, answer)
    except MemoryError:
        return 3
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
