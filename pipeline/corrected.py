"""Corrections typed by a person, applied to the sheet in memory and written back into the
user's own file: only the corrected cells change; formatting, dropdowns and other sheets stay
(openpyxl keeps them; it drops pictures and charts, which office sheets do not carry).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputFileError, LocalStorageError
from .fields import fields
from .i18n import t
from .private import restrict
from .reader import Sheet, decode_csv
from .validation import ValidationRun

NUMERIC_TYPES = {"int", "year", "score60", "score30"}
WRITABLE_SUFFIXES = {".xlsx", ".xlsm", ".csv"}


@dataclass(frozen=True)
class CellEdit:
    """One corrected cell: the ``n``-th sheet of a run, a row's index in it, a column
    position; the value before and after."""

    sheet_no: int
    index: int
    position: int
    old: Any
    new: Any


def typed(sheet: Sheet, position: int, text: str) -> Any:
    """The value to store for ``text`` typed in a column: a number in a numeric field's
    column when it reads as one, else the text as typed (identifiers keep leading zeros)."""
    text = text.strip()
    field = next((name for name, p in sheet.columns.items() if p == position), None)
    kind = {f.name: f.type for f in fields(sheet.kind)}.get(field or "")
    if kind in NUMERIC_TYPES:
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return text


def apply(run: ValidationRun, edit: CellEdit, value: Any) -> None:
    """Put ``value`` in the cell ``edit`` names (in memory; the run must be validated again)."""
    row = run.results[edit.sheet_no].sheet.rows[edit.index]
    if edit.position >= len(row):
        row.extend([None] * (edit.position + 1 - len(row)))
    row[edit.position] = value


def write_corrected(run: ValidationRun, edits: list[CellEdit], path: Path, out: Path) -> Path:
    """The user's file ``path`` with the edits of its sheets applied, written to ``out``."""
    mine = [e for e in edits if run.results[e.sheet_no].sheet.path == path]
    suffix = path.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise InputFileError(t("corrected_unsupported", path=path.name))
    cells = {
        (
            run.results[e.sheet_no].sheet.name,
            run.results[e.sheet_no].sheet.row_numbers[e.index],
            e.position,
        ): e.new
        for e in mine
    }  # the last edit of a cell wins
    try:
        if suffix == ".csv":
            _write_csv(path, out, cells)
        else:
            _write_xlsx(path, out, cells, keep_vba=suffix == ".xlsm")
    except OSError as exc:
        raise LocalStorageError(t("file_not_written", path=out, reason=exc.strerror)) from exc
    restrict(out)
    return out


def _write_xlsx(
    path: Path, out: Path, cells: dict[tuple[str, int, int], Any], *, keep_vba: bool
) -> None:
    from openpyxl import load_workbook  # only when a corrected workbook is asked for

    book = load_workbook(path, keep_vba=keep_vba)
    for (sheet, row, position), value in cells.items():
        book[sheet].cell(row=row, column=position + 1).value = value
    book.save(out)


def _write_csv(path: Path, out: Path, cells: dict[tuple[str, int, int], Any]) -> None:
    text = decode_csv(path.read_bytes(), path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    for (_sheet, row, position), value in cells.items():
        line = rows[row - 1]
        if position >= len(line):
            line.extend([""] * (position + 1 - len(line)))
        line[position] = "" if value is None else str(value)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=dialect.delimiter).writerows(rows)
