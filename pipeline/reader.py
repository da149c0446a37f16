"""Reading office spreadsheets: .xlsx, .xlsm, .ods (python-calamine) and .csv.

Every cell keeps the type the file gave it (text, number, date, boolean), so identifiers are
never guessed into numbers by a column-type sniffer; normalisation decides later. Each sheet's
kind (residents or upgrades) is recognised from its headers; other sheets are skipped and
listed. Every data row keeps the row number Excel shows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .errors import InputFileError
from .fields import KINDS, detect_kind, match_headers
from .i18n import t
from .normalize import is_blank

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEADER_SEARCH_ROWS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Sheet:
    """One recognised sheet: the user's headers and rows, and where each API field sits."""

    path: Path
    name: str
    kind: str
    headers: list[str]
    columns: dict[str, int]  # API field name → position in ``headers``
    rows: list[list[Any]]
    row_numbers: list[int]  # the row number Excel shows, per row

    @property
    def label(self) -> str:
        return f"{self.path.name} › {self.name}"


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_file(path: Path | str, kind: str | None = None) -> Workbook:
    """Read every sheet of ``path``; raise ``InputFileError`` with a clear reason if unusable."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise InputFileError(t("bad_kind", kinds=", ".join(KINDS)))
    if not path.is_file():
        raise InputFileError(t("file_not_found", path=path))
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        grids = [(path.stem, _read_csv(path))]
    elif suffix in EXCEL_SUFFIXES:
        grids = _read_workbook(path)
    else:
        raise InputFileError(t("file_type", path=path, suffix=suffix or "?"))
    book = Workbook(path)
    for name, grid in grids:
        sheet = _recognise(path, name, grid, kind)
        if sheet is None:
            book.skipped.append(name)
        else:
            book.sheets.append(sheet)
    if not book.sheets:
        if all(not any(not is_blank(c) for row in g for c in row) for _, g in grids):
            raise InputFileError(t("file_empty", path=path))
        raise InputFileError(t("file_no_sheet", path=path, sheets=", ".join(n for n, _ in grids)))
    return book


def _read_workbook(path: Path) -> list[tuple[str, list[list[Any]]]]:
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == OLE_MAGIC and path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise InputFileError(t("file_password", path=path))
    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = []
        for name in book.sheet_names:
            try:
                grids.append((name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)))
            except Exception as exc:
                raise InputFileError(
                    t("sheet_unreadable", path=path, sheet=name, reason=exc)
                ) from exc
        return grids
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(t("file_unreadable", path=path, reason=type(exc).__name__)) from exc


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1256 as Persian Excel exports it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1256", errors="replace")


def _read_csv(path: Path) -> list[list[Any]]:
    text = decode_csv(path.read_bytes())
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _recognise(path: Path, name: str, grid: list[list[Any]], kind: str | None) -> Sheet | None:
    """Find the header row among the first rows and build the sheet, or None if not ours."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if kind is not None:
            columns = match_headers(row, kind)
            found_kind: str | None = kind if len(columns) >= 3 else None
        else:
            found_kind, columns = detect_kind(row)
        if found_kind is None:
            continue
        headers = [_header_text(h, i) for i, h in enumerate(row)]
        width = len(headers)
        rows, numbers = [], []
        for offset, data in enumerate(grid[index + 1 :], start=index + 2):
            if all(is_blank(c) for c in data):
                continue
            if len(data) < width:
                data = [*data, *([""] * (width - len(data)))]
            rows.append(data[:width])
            numbers.append(offset)
        return Sheet(path, name, found_kind, headers, columns, rows, numbers)
    return None


def _header_text(value: Any, position: int) -> str:
    if is_blank(value):
        return f"column {position + 1}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
