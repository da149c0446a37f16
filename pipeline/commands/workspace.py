"""Fix in place: workbooks opened once, corrected cell by cell and validated again after every
correction, then saved as the user's own file with only the corrected cells changed, or
reported. What the web app holds for a person between two clicks.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.commands.validate import known_from_ledger, validation_report
from pipeline.core.context import Context
from pipeline.core.errors import InputFileError
from pipeline.core.i18n import language, t
from pipeline.core.private import private_dir
from pipeline.core.result import Result, plain
from pipeline.sheets.corrected import CellEdit, apply, typed, write_corrected
from pipeline.sheets.fields import Mapping
from pipeline.sheets.reader import Sheet, Workbook
from pipeline.sheets.report import prepare_report_path, write_report
from pipeline.sheets.validation import (
    ValidationRun,
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
) -> CellEdit:
    """Put ``text`` in one cell and validate every sheet again (duplicates span rows)."""
    with ctx.applied():
        sheet = ws.cell(sheet_no, index, position)
        row = sheet.rows[index]
        old = row[position] if position < len(row) else None
        edit = CellEdit(sheet_no, index, position, old, typed(sheet, position, text))
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
        revalidate(ws, ctx)
        return edit


def revalidate(ws: Workspace, ctx: Context = Context()) -> None:
    """Validate the workbooks in memory again (after a correction, or in another language)."""
    started = time.perf_counter()
    with language(ctx.lang):
        ws.run = validate_books(ws.run.books, course_table=ws.course_table, known_students=ws.known)
    ws.seconds = time.perf_counter() - started


def save_corrected(ws: Workspace, path: Path, out: Path, *, ctx: Context = Context()) -> Path:
    """The user's file ``path`` with only the corrected cells changed, written to ``out``."""
    with ctx.applied():
        return write_corrected(ws.run, ws.edits, path, out)


def corrected_inputs(ws: Workspace, folder: Path, *, ctx: Context = Context()) -> list[Path]:
    """The files to send: a corrected copy (in ``folder``, under the workspace's id) of each
    file with corrections, else the file itself."""
    with ctx.applied():
        changed = {ws.run.results[e.sheet_no].sheet.path for e in ws.edits}
        out = []
        for n, path in enumerate(ws.paths):
            if path in changed:
                copy = private_dir(folder / ws.id / str(n)) / path.name
                out.append(write_corrected(ws.run, ws.edits, path, copy))
            else:
                out.append(path)
        return out


def save_report(ws: Workspace, out: Path, *, ctx: Context = Context()) -> Path:
    """The validation report (B.6) of the workspace as it stands, corrections included."""
    with ctx.applied():
        target = prepare_report_path(out)
        write_report(validation_report(ws.run, ws.seconds, uuid.uuid4().hex[:12]), target)
        return target
