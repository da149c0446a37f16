"""Corrections typed by a person, applied to the sheet in memory and written back into the
user's own file: only the corrected cells change; formatting, dropdowns and other sheets stay
(openpyxl keeps them; it drops pictures and charts, which office sheets do not carry).

A typed value is data, never a formula. In a corrected workbook a text value is a text cell
(and one that starts like a formula, with ``=``, ``+``, ``-`` or ``@``, is also marked "quote
prefix", as Excel marks text typed after an apostrophe), so it shows as typed and is sent as
typed. In a corrected CSV, where a cell has no type, such a value gets a leading apostrophe
(the usual defence against formula injection): a spreadsheet program opening the file shows
text instead of running it. The fields corrected here are identifiers, names, dates, codes
and scores; a number typed into a numeric field (a score, a year) is written as a number, and
a text that is only a signed number (``+989121234567``, ``-``) is left as it is, since it
cannot call anything. Characters no cell can hold (control characters) are dropped as typed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import InputFileError, LocalStorageError
from pipeline.core.i18n import t
from pipeline.core.private import restrict
from pipeline.core.result import Result
from pipeline.sheets.fields import fields
from pipeline.sheets.reader import Sheet, decode_csv
from pipeline.sheets.validation import ValidationRun

WRITABLE_SUFFIXES = {".xlsx", ".xlsm", ".csv"}
# What openpyxl is given to rewrite a workbook: its parts as stored, uncompressed. Excel keeps
# at most 64,000 cell formats (a few MB of styles); a styles part far beyond that is a file
# built to make the rewrite take minutes and gigabytes.
MAX_STYLES_BYTES = 16 * 2**20
MAX_PART_BYTES = 400 * 2**20
MAX_PACKAGE_BYTES = 800 * 2**20
FORMULA_START = tuple("=+-@")
_CANNOT_HOLD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SIGNED_NUMBER = re.compile(r"[+-]?[0-9\u06f0-\u06f9\u0660-\u0669 .,/+-]*")


@dataclass(frozen=True)
class CellEdit(Result):
    """One corrected cell (what a correction or its undoing did): the ``n``-th sheet of a
    run, a row's index in it, a column position; the value before and after."""

    sheet_no: int
    index: int
    position: int
    old: Any
    new: Any


def typed(sheet: Sheet, position: int, text: str) -> Any:
    """The value to store for ``text`` typed in a column: a number in a numeric field's
    column when it reads as one, else the text as typed (identifiers keep leading zeros),
    without characters no cell can hold."""
    text = _CANNOT_HOLD.sub("", text).strip()
    name = next((name for name, p in sheet.columns.items() if p == position), None)
    if any(f.numeric for f in fields(sheet.kind) if f.name == name):
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return text


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet program could take ``value`` for a formula: it starts (after
    blanks) with ``=``, ``+``, ``-`` or ``@`` and is not just a signed number."""
    text = value.lstrip(" \t\r\n\x0b\x0c")
    return text.startswith(FORMULA_START) and (
        text.startswith(("=", "@")) or not _SIGNED_NUMBER.fullmatch(text)
    )


def csv_text(value: Any) -> str:
    """``value`` as a CSV cell: a formula-like text behind an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and looks_like_formula(text) else text


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
            _check_package(path)
            _write_xlsx(path, out, cells, keep_vba=suffix == ".xlsm")
    except OSError as exc:
        raise LocalStorageError(t("file_not_written", path=out, reason=exc.strerror)) from exc
    restrict(out)
    return out


def _write_xlsx(
    path: Path, out: Path, cells: dict[tuple[str, int, int], Any], *, keep_vba: bool
) -> None:
    from openpyxl import load_workbook  # only when a corrected workbook is asked for

    try:
        book = load_workbook(path, keep_vba=keep_vba)
    except OSError:
        raise
    except Exception as exc:  # a workbook the reader read but openpyxl cannot rewrite
        raise InputFileError(
            t("corrected_unreadable", path=path.name, reason=type(exc).__name__)
        ) from exc
    for (sheet, row, position), value in cells.items():
        cell = book[sheet].cell(row=row, column=position + 1)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
            if looks_like_formula(value):
                cell.quotePrefix = True
    book.save(out)


def _check_package(path: Path) -> None:
    """Refuse, before openpyxl loads it, a workbook whose parts are far beyond what an
    office workbook holds (a styles part of 100 MB from a 400 KB file)."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputFileError(t("corrected_unreadable", path=path.name, reason="zip")) from exc
    total = 0
    for part in parts:
        total += part.file_size
        limit = MAX_STYLES_BYTES if part.filename.endswith("styles.xml") else MAX_PART_BYTES
        if part.file_size > limit or total > MAX_PACKAGE_BYTES:
            raise InputFileError(
                t(
                    "corrected_too_large",
                    path=path.name,
                    part=part.filename,
                    mb=max(part.file_size, total) // 2**20,
                )
            )


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
        line[position] = csv_text(value)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=dialect.delimiter).writerows(rows)
