"""Fix in place: workbooks opened once, corrected cell by cell and validated again after every
correction, then saved as the user's own file with only the corrected cells changed, or
reported. What the web app holds for a person between two clicks.

The open workbooks are also held on disk (``hold``), in an owner-only folder: a copy of each
file as it was opened and the list of corrections (``workbench.json``, replaced whole after
each correction, undo and download), so that a closed browser or a restarted app finds them
again (``restore_held``); they go only when the person closes or replaces the workbooks
(``forget_held``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.commands.validate import known_from_ledger, validation_report
from pipeline.core.context import Context
from pipeline.core.errors import InputFileError
from pipeline.core.i18n import language, t
from pipeline.core.private import OWNER_ONLY, private_dir
from pipeline.core.result import Result, plain
from pipeline.sheets.corrected import CellEdit, apply, typed, write_corrected
from pipeline.sheets.fields import Mapping
from pipeline.sheets.reader import Sheet, Workbook
from pipeline.sheets.report import prepare_report_path, write_report
from pipeline.sheets.validation import (
    ValidationRun,
    display,
    read_course_table,
    validate_books,
    validate_paths,
)
from schemas import codes


@dataclass
class Workspace(Result):
    """Workbooks open for correction. ``id`` names them: every correction, download and
    submission says which workbooks it is for, so that a page showing others is refused."""

    paths: list[Path]
    run: ValidationRun
    known: set[str]
    course_table: codes.CodeTable | None = None
    edits: list[CellEdit] = field(default_factory=list)
    seconds: float = 0.0  # how long the last validation took
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    downloaded: dict[int, int] = field(default_factory=dict)  # file → corrections at download

    def to_dict(self) -> dict[str, Any]:
        """The workbooks' validation as ``simad validate --json`` gives it, with what names
        them here: their id, paths and corrections."""
        return {
            "id": self.id,
            "paths": plain(self.paths),
            "edits": plain(self.edits),
            "seconds": self.seconds,
            **self.run.to_dict(),
        }

    @property
    def exit_code(self) -> int:
        """As ``simad validate``: 0 when every row is valid, 1 when some are not."""
        return 0 if self.run.ok else 1

    def file_of(self, edit: CellEdit) -> int:
        """Which of the files the corrected cell is in."""
        path = self.run.results[edit.sheet_no].sheet.path
        return self.paths.index(path) if path in self.paths else 0

    def unsaved(self) -> int:
        """Corrections no downloaded corrected copy holds: those made in a file after its
        corrected copy was last downloaded."""
        return sum(
            1 for n, e in enumerate(self.edits) if n >= self.downloaded.get(self.file_of(e), 0)
        )

    def cell(self, sheet_no: int, index: int, position: int) -> Sheet:
        """The sheet holding this cell; ``InputFileError`` when there is no such cell."""
        if 0 <= sheet_no < len(self.run.results):
            sheet = self.run.results[sheet_no].sheet
            if 0 <= index < len(sheet.rows) and 0 <= position < len(sheet.headers):
                return sheet
        raise InputFileError(t("ui_no_such_cell"))


def open_workspace(
    inputs: list[Path],
    *,
    target: str | None = None,
    kind: str | None = None,
    course_codes: Path | None = None,
    mapping: Mapping | None = None,
    ctx: Context = Context(),
) -> Workspace:
    """Read and validate ``inputs`` (no report is written); ``open_books`` for workbooks read
    already."""
    with ctx.applied():
        started = time.perf_counter()
        known = known_from_ledger(target)
        table = read_course_table(course_codes) if course_codes else None
        run = validate_paths(
            inputs,
            kind=kind,
            course_codes=course_codes,
            known_students=known,
            mapping=mapping,
        )
        return Workspace(list(inputs), run, known, table, seconds=time.perf_counter() - started)


def open_books(
    books: list[Workbook],
    *,
    target: str | None = None,
    course_codes: Path | None = None,
    ctx: Context = Context(),
) -> Workspace:
    """Validate workbooks read already (by a child process, in the web app) without reading
    them again (no report is written)."""
    with ctx.applied():
        started = time.perf_counter()
        known = known_from_ledger(target)
        table = read_course_table(course_codes) if course_codes else None
        run = validate_books(books, course_table=table, known_students=known)
        paths = [book.path for book in books]
        return Workspace(paths, run, known, table, seconds=time.perf_counter() - started)


def edit_cell(
    ws: Workspace, sheet_no: int, index: int, position: int, text: str, *, ctx: Context = Context()
) -> CellEdit | None:
    """Put ``text`` in one cell and validate every sheet again (duplicates span rows); None
    when ``text`` is the cell's value as it is shown (no correction: nothing recorded)."""
    with ctx.applied():
        sheet = ws.cell(sheet_no, index, position)
        row = sheet.rows[index]
        old = row[position] if position < len(row) else None
        edit = CellEdit(sheet_no, index, position, old, typed(sheet, position, text))
        if edit.new == old or edit.new == display(old):
            return None
        apply(ws.run, edit, edit.new)
        ws.edits.append(edit)
        revalidate(ws, ctx)
        return edit


def undo(ws: Workspace, *, ctx: Context = Context()) -> CellEdit | None:
    """Take the last correction back; None when there is none."""
    with ctx.applied():
        if not ws.edits:
            return None
        edit = ws.edits.pop()
        apply(ws.run, edit, edit.old)
        ws.downloaded = {n: min(count, len(ws.edits)) for n, count in ws.downloaded.items()}
        revalidate(ws, ctx)
        return edit


def revalidate(ws: Workspace, ctx: Context = Context()) -> None:
    """Validate the workbooks in memory again (after a correction, or in another language)."""
    started = time.perf_counter()
    with language(ctx.lang):
        ws.run = validate_books(ws.run.books, course_table=ws.course_table, known_students=ws.known)
    ws.seconds = time.perf_counter() - started


def save_corrected(ws: Workspace, path: Path, out: Path, *, ctx: Context = Context()) -> Path:
    """The user's file ``path`` with only the corrected cells changed, written to ``out``;
    its corrections count as downloaded from now on."""
    with ctx.applied():
        written = write_corrected(ws.run, ws.edits, path, out)
        if path in ws.paths:
            ws.downloaded[ws.paths.index(path)] = len(ws.edits)
        return written


def corrected_inputs(
    ws: Workspace, folder: Path, *, ctx: Context = Context(), every: bool = False
) -> list[Path]:
    """The files to send: a corrected copy (in ``folder``, under the workspace's id) of each
    file with corrections, else the file itself. ``every``: ``folder`` is the run's own
    (``folder/<n>/<name>``) and holds a copy of every file, corrected or not, so that the
    run can be reported again after the workbooks are closed."""
    with ctx.applied():
        changed = {ws.run.results[e.sheet_no].sheet.path for e in ws.edits}
        out = []
        for n, path in enumerate(ws.paths):
            place = folder / str(n) if every else folder / ws.id / str(n)
            if path in changed:
                copy = private_dir(place) / path.name
                out.append(write_corrected(ws.run, ws.edits, path, copy))
            elif every:
                copy = private_dir(place) / path.name
                shutil.copyfile(path, copy)
                os.chmod(copy, OWNER_ONLY)
                out.append(copy)
            else:
                out.append(path)
        return out


def save_report(ws: Workspace, out: Path, *, ctx: Context = Context()) -> Path:
    """The validation report (B.6) of the workspace as it stands, corrections included."""
    with ctx.applied():
        target = prepare_report_path(out)
        write_report(validation_report(ws.run, ws.seconds, uuid.uuid4().hex[:12]), target)
        return target


HELD = "workbench.json"  # the corrections of the workbooks held, beside their files
HELD_VERSION = 1
_HELD_ID = re.compile(r"[0-9a-f]{1,32}")


def hold(ws: Workspace, folder: Path) -> None:
    """Keep the open workbooks in ``folder`` (owner-only; what it held before is replaced):
    a copy of each file as opened, and its corrections (``save_held``)."""
    if not all(p.is_relative_to(folder) for p in ws.paths):  # not the ones held already
        forget_held(folder)
        files = private_dir(private_dir(folder) / "files")
        for n, path in enumerate(ws.paths):
            copy = private_dir(files / str(n)) / path.name
            shutil.copyfile(path, copy)
            os.chmod(copy, OWNER_ONLY)
    save_held(ws, folder)


def save_held(ws: Workspace, folder: Path) -> None:
    """The workbooks' corrections written beside their held copies: written whole to a new
    file, then put in place of the old one (never half-written, even when the app is killed)."""
    record = {
        "version": HELD_VERSION,
        "id": ws.id,
        "files": [p.name for p in ws.paths],
        "edits": [[e.sheet_no, e.index, e.position, _plain_value(e.new)] for e in ws.edits],
        "downloaded": {str(n): count for n, count in ws.downloaded.items()},
    }
    fresh = private_dir(folder) / f".{HELD}.{os.getpid()}"
    flags = os.O_CREAT | os.O_TRUNC | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(fresh, flags, OWNER_ONLY), "w", encoding="utf-8") as out:
        json.dump(record, out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    os.replace(fresh, folder / HELD)


def _plain_value(value: Any) -> Any:
    """A corrected value as JSON keeps it (a correction is a number or a text)."""
    return value if isinstance(value, str | int | float) or value is None else str(value)


def held_names(folder: Path) -> list[str]:
    """The names of the files held in ``folder`` (found on disk: the list of corrections may
    be what is damaged)."""
    with contextlib.suppress(OSError):
        held = [p for p in (folder / "files").glob("*/*") if p.parent.name.isdigit()]
        return [p.name for p in sorted(held, key=lambda p: int(p.parent.name))]
    return []


def restore_held(
    folder: Path,
    read: Callable[[list[Path]], list[Workbook]],
    *,
    target: str | None = None,
    ctx: Context = Context(),
) -> Workspace | None:
    """The workbooks held in ``folder`` (None when none are), read (``read``) and validated
    again, with their corrections made again; ``InputFileError`` when they cannot be."""
    if not (folder / HELD).is_file():
        return None
    with ctx.applied():
        record = _held_record(folder / HELD)
        paths = [folder / "files" / str(n) / name for n, name in enumerate(record["files"])]
        for path in paths:
            if not path.is_file():
                raise InputFileError(t("ui_held_missing", name=path.name))
        ws = open_books(read(paths), target=target, ctx=ctx)
        ws.id = record["id"]
        for sheet_no, index, position, new in record["edits"]:
            sheet = ws.cell(sheet_no, index, position)
            row = sheet.rows[index]
            old = row[position] if position < len(row) else None
            edit = CellEdit(sheet_no, index, position, old, new)
            apply(ws.run, edit, new)
            ws.edits.append(edit)
        ws.downloaded = {int(n): count for n, count in record["downloaded"].items()}
        if ws.edits:
            revalidate(ws, ctx)
        return ws


def _held_record(path: Path) -> dict[str, Any]:
    """``workbench.json`` read and checked, part by part; ``InputFileError`` when damaged."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(t("ui_held_damaged")) from exc
    files, edits = record.get("files"), record.get("edits") if isinstance(record, dict) else None
    sound = (
        isinstance(record, dict)
        and record.get("version") == HELD_VERSION
        and isinstance(record.get("id"), str)
        and _HELD_ID.fullmatch(record["id"]) is not None
        and isinstance(files, list)
        and bool(files)
        and all(
            isinstance(f, str) and f not in ("", ".", "..") and Path(f).name == f for f in files
        )
        and isinstance(edits, list)
        and all(_sound_edit(e) for e in edits)
        and isinstance(record.get("downloaded"), dict)
        and all(
            k.isdigit() and isinstance(v, int) and not isinstance(v, bool)
            for k, v in record["downloaded"].items()
        )
    )
    if not sound:
        raise InputFileError(t("ui_held_damaged"))
    return dict(record)


def _sound_edit(edit: Any) -> bool:
    return (
        isinstance(edit, list)
        and len(edit) == 4
        and all(isinstance(n, int) and not isinstance(n, bool) for n in edit[:3])
        and (edit[3] is None or isinstance(edit[3], str | int | float))
    )


def forget_held(folder: Path) -> None:
    """Delete the workbooks held in ``folder`` and their corrections."""
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)


def set_aside(folder: Path, aside: Path) -> None:
    """Move what ``folder`` holds to ``aside`` (replacing what was set aside before), so
    that a held workbook that cannot be opened again is kept, not opened at every start."""
    with contextlib.suppress(OSError):
        if aside.exists():
            shutil.rmtree(aside)
        os.replace(folder, aside)
