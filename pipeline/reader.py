"""Reading office spreadsheets: .xlsx, .xlsm, .ods (python-calamine) and .csv.

Every cell keeps the type the file gave it (text, number, date, boolean), so identifiers are
never guessed into numbers by a column-type sniffer; normalisation decides later. Each sheet's
kind (residents or upgrades) is recognised from its headers; other sheets are skipped and
listed. Every data row keeps the row number Excel shows.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from .errors import InputFileError
from .fields import (
    KINDS,
    LISTS_SHEET,
    Mapping,
    detect_kind,
    header_index,
    header_key,
    match_headers,
)
from .i18n import MESSAGES, t
from .ledger import ROW_FIELDS
from .normalize import is_blank

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEADER_SEARCH_ROWS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Limits that keep memory bounded (validation stays under 1.5 GB below them) and the report
# within Excel's 16,384 columns. An office's sheet is a few thousand rows.
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_CELLS_LOADED = 30_000_000  # a wider sheet is trimmed of empty columns only below this


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
    header_row: int = 1  # the row number of the headers

    @property
    def label(self) -> str:
        return f"{self.path.name} › {self.name}"


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_file(
    path: Path | str, kind: str | None = None, mapping: Mapping | None = None
) -> Workbook:
    """Read every sheet of ``path``; raise ``InputFileError`` with a clear reason if unusable.
    ``mapping`` says what headers the tool does not know mean (``--map``)."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise InputFileError(t("bad_kind", kinds=", ".join(KINDS)))
    grids = read_grids(path)
    book = Workbook(path)
    for name, grid in grids:
        sheet = _recognise(path, name, grid, kind, mapping)
        if sheet is not None:
            book.sheets.append(sheet)
        elif header_key(name) not in _our_titles("sheet_summary", "template_guide", LISTS_SHEET):
            book.skipped.append(name)  # our own summary, guide and lists are passed over
    if not book.sheets:
        if all(not any(not is_blank(c) for row in g for c in row) for _, g in grids):
            raise InputFileError(t("file_empty", path=path))
        raise InputFileError(t("file_no_sheet", path=path, sheets=", ".join(n for n, _ in grids)))
    return book


def read_grids(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of ``path`` as (name, rows of cells), each cell as the file typed it;
    ``InputFileError`` with a clear reason if the file is unusable."""
    _check_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv" or suffix == ".txt":
            return [(path.stem, _read_csv(path))]
        if suffix in EXCEL_SUFFIXES:
            return _read_workbook(path)
    except OSError as exc:  # only reading the file the user named becomes an input error
        raise InputFileError(t("file_unreadable", path=path, reason=exc.strerror or exc)) from exc
    raise InputFileError(t("file_type", path=path, suffix=suffix or "?"))


def _check_path(path: Path) -> None:
    """A readable regular file of a sane size, or a message saying what it is instead."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == getattr(errno, "ELOOP", -1):
            raise InputFileError(t("file_link_loop", path=path)) from exc
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputFileError(t("file_not_found", path=path)) from exc
        raise InputFileError(t("file_unreadable", path=path, reason=exc.strerror)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(t("file_is_folder", path=path))
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(t("file_not_regular", path=path))
    if info.st_size > MAX_FILE_BYTES:
        raise InputFileError(
            t("file_too_big", path=path, mb=info.st_size // 2**20, limit=MAX_FILE_BYTES // 2**20)
        )
    if not os.access(path, os.R_OK):
        raise InputFileError(t("file_unreadable", path=path, reason="permission denied"))


def _ole_kind(path: Path) -> str:
    """An OLE2 container holds either an encrypted (password-protected) Office Open XML
    workbook or an old Excel 97–2003 workbook: tell which from its stream names."""
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "other"


def _read_workbook(path: Path) -> list[tuple[str, list[list[Any]]]]:
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = path.suffix.lower()
    if magic == OLE_MAGIC and suffix != ".xls":
        kind = _ole_kind(path)
        if kind == "encrypted":
            raise InputFileError(t("file_password", path=path))
        if kind == "xls":
            raise InputFileError(t("file_old_xls", path=path))
        raise InputFileError(t("file_unreadable", path=path, reason="OLE2"))
    if suffix in {".xlsx", ".xlsm", ".ods"} and magic[:4] != ZIP_MAGIC:
        raise InputFileError(t("file_not_spreadsheet", path=path, suffix=suffix))
    errors: dict[str, dict[tuple[int, int], str]] = {}
    if suffix in {".xlsx", ".xlsm"}:
        errors = _xlsx_sheet_facts(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputFileError(t("file_unreadable", path=path, reason=type(exc).__name__)) from exc
    grids = []
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
            _check_size(path, name, sheet.height, sheet.width, loaded=False)
            grid = sheet.to_python(skip_empty_area=False)
        except InputFileError:
            raise
        except Exception as exc:
            raise InputFileError(
                t("sheet_unreadable", path=path, sheet=name, reason=type(exc).__name__)
            ) from exc
        for (r, c), text in errors.get(name, {}).items():
            if r < len(grid) and c < len(grid[r]):
                grid[r][c] = text
        grid = _trim_columns(grid)
        _check_size(path, name, len(grid), max((len(r) for r in grid), default=0), loaded=True)
        grids.append((name, grid))
    return grids


def _check_size(path: Path, sheet: str, rows: int, columns: int, *, loaded: bool) -> None:
    """Refuse a sheet beyond the limits. Before loading, only what cannot be trimmed: too many
    rows, or so many cells that loading them would be the problem."""
    if rows > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise InputFileError(t("sheet_too_long", path=path, sheet=sheet, rows=rows, limit=MAX_ROWS))
    if columns > MAX_COLUMNS and (loaded or rows * columns > MAX_CELLS_LOADED):
        raise InputFileError(
            t("sheet_too_wide", path=path, sheet=sheet, columns=columns, limit=MAX_COLUMNS)
        )


def _trim_columns(grid: list[list[Any]]) -> list[list[Any]]:
    """Drop empty columns at the right (formatting often reaches column XFD)."""
    width = max((len(r) for r in grid), default=0)
    if width <= MAX_COLUMNS:
        return grid
    used = 0
    for row in grid:
        for c in range(len(row) - 1, used - 1, -1):
            if not is_blank(row[c]):
                used = c + 1
                break
    return [row[:used] for row in grid]


_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\st="e"[^>]*>(?:<f[^>]*?/>|<f[^>]*>.*?</f>)?<v>([^<]*)</v>'
)
ERROR_CELL = b't="e"'
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]*[0-9]*:?([A-Z]{1,3})([0-9]+)"')


def column_number(letters: bytes) -> int:
    """The 0-based position of an Excel column name in ASCII capitals (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_sheet_facts(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the cells that hold an Excel error value ((row, column) → '#N/A'),
    which the fast reader would otherwise give as empty; and a refusal of a sheet whose
    declared size is beyond the limits, before it is loaded."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            for name, member in _xlsx_sheet_members(z).items():
                with z.open(member) as handle:
                    head = handle.read(4096)
                    found = _DIMENSION.search(head)
                    if found:
                        rows, cols = int(found.group(2)), column_number(found.group(1)) + 1
                        _check_size(path, name, rows, cols, loaded=False)
                    if not _holds(handle, head, ERROR_CELL):
                        continue  # the usual case: scanned in chunks, never held whole
                data = z.read(member)
                out[name] = {
                    (int(m.group(2)) - 1, column_number(m.group(1))): m.group(3).decode()
                    for m in _CELL.finditer(data)
                }
    except InputFileError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
        return {}  # the reader says what is wrong with the file
    return out


def _holds(handle: IO[bytes], head: bytes, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether the rest of the stream (after ``head``) or ``head`` holds ``needle``."""
    tail = head
    while True:
        if needle in tail:
            return True
        block = handle.read(chunk)
        if not block:
            return False
        tail = tail[-len(needle) :] + block


def _xlsx_sheet_members(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part, from the workbook and its relationships."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out[sheet.get("name", "")] = member
    return out


def decode_csv(raw: bytes, path: Path | None = None) -> str:
    """UTF-8 (with or without BOM), else Windows-1256 as Persian Excel exports it.

    A file that is UTF-8 in parts and something else in others (two exports pasted together)
    is refused, naming the first line that is not UTF-8: guessing would garble the rest.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if path is not None and _has_utf8_text(raw[: exc.start]):
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputFileError(t("csv_mixed_encoding", path=path, line=line)) from exc
        return raw.decode("cp1256", errors="replace")


def _has_utf8_text(raw: bytes) -> bool:
    """Whether ``raw`` holds multi-byte UTF-8 characters (Persian letters, say)."""
    return any(b >= 0x80 for b in raw) and raw.decode("utf-8", errors="ignore") != raw.decode(
        "ascii", errors="ignore"
    )


def _read_csv(path: Path) -> list[list[Any]]:
    text = decode_csv(path.read_bytes(), path)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(row) > MAX_COLUMNS:
                raise InputFileError(
                    t(
                        "sheet_too_wide",
                        path=path,
                        sheet=path.stem,
                        columns=len(row),
                        limit=MAX_COLUMNS,
                    )
                )
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InputFileError(
                    t(
                        "sheet_too_long",
                        path=path,
                        sheet=path.stem,
                        rows=f"> {MAX_ROWS}",
                        limit=MAX_ROWS,
                    )
                )
    except csv.Error as exc:
        line = reader.line_num
        raise InputFileError(
            t(
                "csv_bad_field",
                path=path,
                line=line,
                column=_long_field_column(text, line, dialect.delimiter),
                reason=exc,
            )
        ) from exc
    return rows


def _long_field_column(text: str, line: int, delimiter: str) -> str:
    """The column letter of the longest field on ``line`` (1-based), where a CSV field broke."""
    lines = io.StringIO(text)
    for _ in range(line - 1):
        lines.readline()
    parts = lines.readline().split(delimiter)
    longest = max(range(len(parts)), key=lambda i: len(parts[i])) if parts else 0
    return column_letter(longest)


def _recognise(
    path: Path, name: str, grid: list[list[Any]], kind: str | None, mapping: Mapping | None
) -> Sheet | None:
    """Find the header row among the first rows and build the sheet, or None if not ours."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        row = row[: _results_start(row)]
        if kind is not None:
            columns = match_headers(row, kind, mapping)
            found_kind: str | None = kind if len(columns) >= 3 else None
        else:
            found_kind, columns = detect_kind(row, mapping)
        if found_kind is None:
            continue
        headers = [_header_text(h, i) for i, h in enumerate(row)]
        _refuse_duplicate_headers(path, name, index + 1, row, found_kind)
        rows, numbers = data_rows(grid, index, len(headers))
        return Sheet(path, name, found_kind, headers, columns, rows, numbers, index + 1)
    return None


def data_rows(grid: list[list[Any]], header: int, width: int) -> tuple[list[list[Any]], list[int]]:
    """The rows under the header row (0-based ``header``) that are not blank, each cut or
    padded to ``width`` cells, and the row number Excel shows for each."""
    rows, numbers = [], []
    for number, data in enumerate(grid[header + 1 :], start=header + 2):
        if all(is_blank(c) for c in data):
            continue
        if len(data) < width:
            data = [*data, *([""] * (width - len(data)))]
        rows.append(data[:width])
        numbers.append(number)
    return rows, numbers


# Our result columns, as a report names them after the user's columns: a report fed back as
# input (the office fixed its red cells) is read without them.
RESULT_COLUMNS = (
    "row",
    *ROW_FIELDS,
)  # a submission report's; a validation report's are the first three


@cache
def _our_titles(*keys: str) -> frozenset[str]:
    """The folded titles of our messages ``col_<name>`` (or ``keys``) in every language."""
    titles = set()
    for key in keys:
        entry = MESSAGES.get(key) or MESSAGES.get(f"col_{key}", {})
        titles |= {header_key(text) for text in entry.values()}
        titles.add(header_key(key))
    return frozenset(titles)


def _results_start(row: list[Any]) -> int:
    """Where a report's result columns begin in a header row (``row``, ``status``, … to the
    last filled header), or the row's length when it has none."""
    keys = [header_key(h) if not is_blank(h) else "" for h in row]
    end = len(keys)
    while end and not keys[end - 1]:
        end -= 1
    ours = _our_titles(*RESULT_COLUMNS)
    for start in range(end - 2):
        if (
            keys[start] in _our_titles("row")
            and keys[start + 1] in _our_titles("status")
            and all(k in ours for k in keys[start:end])
        ):
            return start
    return len(row)


def column_letter(position: int) -> str:
    """Excel's name of a 0-based column position (0 → A, 27 → AB)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse_duplicate_headers(path: Path, sheet: str, row: int, headers: list[Any], kind: str):
    """Two columns naming the same field: which one is meant cannot be guessed."""
    index = header_index(kind)
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = index.get(header_key(header)) if not is_blank(header) else None
        if name is None:
            continue
        if name in seen:
            raise InputFileError(
                t(
                    "duplicate_header",
                    path=path.name,
                    sheet=sheet,
                    row=row,
                    first=column_letter(seen[name]),
                    second=column_letter(position),
                    header=str(header).strip(),
                )
            )
        seen[name] = position


def _header_text(value: Any, position: int) -> str:
    if is_blank(value):
        return f"column {position + 1}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
