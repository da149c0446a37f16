"""Reading office spreadsheets: .xlsx, .xlsm, .ods, .xls (python-calamine) and .csv.

Every cell keeps the type the file gave it (text, number, date, boolean), so identifiers are
never guessed into numbers by a column-type sniffer; normalisation decides later. Each sheet's
kind (residents or upgrades) is recognised from its headers; other sheets are skipped and
listed. Every data row keeps the row number Excel shows.

A workbook is measured by ``spreadsheet_guard`` before python-calamine opens it (calamine
aborts the process when an allocation fails); a CSV is read as a stream, its limits enforced
as its rows arrive.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import itertools
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from python_calamine import CalamineWorkbook

from pipeline.core.errors import InputFileError
from pipeline.core.i18n import MESSAGES, t
from pipeline.sheets.fields import (
    KINDS,
    LISTS_SHEET,
    ROW_FIELDS,
    Mapping,
    detect_kind,
    header_index,
    header_key,
    match_headers,
)
from pipeline.sheets.guard import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TEXT_BYTES,
    check_workbook,
    check_xls,
    column_letter,
)
from pipeline.sheets.guard import TITLE_ROWS as HEADER_SEARCH_ROWS
from pipeline.sheets.normalize import is_blank

__all__ = ["HEADER_SEARCH_ROWS", "MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "column_letter"]

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_FILE_BYTES = 512 * 1024 * 1024
# The longest physical line of a CSV: 1,000 columns of 8 KB. A longer one is refused (a field
# beyond the per-cell limit in it is named first).
CSV_LINE_BYTES = 8 * 1024 * 1024


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
    grids = read_grids(path, lambda first: _header_width(first, kind, mapping))
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


Keep = Callable[[list[list[Any]]], "int | None"]


def read_grids(path: Path, keep: Keep | None = None) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of ``path`` as (name, rows of cells), each cell as the file typed it;
    ``InputFileError`` with a clear reason if the file is unusable. ``keep``, given a sheet's
    first rows, says how many columns of the rows after them are wanted (None: all); the
    cells beyond are never held (a report fed back carries long result columns)."""
    _check_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv" or suffix == ".txt":
            return [(path.stem, _read_csv(path, keep))]
        if suffix in EXCEL_SUFFIXES:
            return _read_workbook(path, keep)
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


def _read_workbook(path: Path, keep: Keep | None) -> list[tuple[str, list[list[Any]]]]:
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
    if suffix == ".xlsb":
        raise InputFileError(t("file_xlsb", path=path))
    if suffix in {".xlsx", ".xlsm", ".ods"} and magic[:4] != ZIP_MAGIC:
        raise InputFileError(t("file_not_spreadsheet", path=path, suffix=suffix))
    if suffix == ".xls" and magic != OLE_MAGIC:
        raise InputFileError(t("file_not_spreadsheet", path=path, suffix=suffix))
    # Measured before the reader sees it: it must not be able to allocate beyond the limits.
    errors = (check_xls(path) if suffix == ".xls" else check_workbook(path)).errors
    try:
        book = CalamineWorkbook.from_path(str(path))
    except BaseException as exc:
        if not _reader_fault(exc):
            raise
        reason = type(exc).__name__
        raise InputFileError(t("file_unreadable", path=path, reason=reason)) from exc
    grids = []
    for name in book.sheet_names:
        try:
            grid = _sheet_rows(book.get_sheet_by_name(name), errors.get(name, {}), keep)
        except BaseException as exc:
            if not _reader_fault(exc):
                raise
            reason = type(exc).__name__
            raise InputFileError(
                t("sheet_unreadable", path=path, sheet=name, reason=reason)
            ) from exc
        grid = _trim_columns(grid)
        _check_size(path, name, len(grid), max((len(r) for r in grid), default=0))
        grids.append((name, grid))
    return grids


def _sheet_rows(
    sheet: Any, errors: dict[tuple[int, int], str], keep: Keep | None
) -> list[list[Any]]:
    """A sheet's rows from A1 (the empty rows and columns before its first cell included, so
    that every row keeps the number Excel shows), each cell as the file typed it and an error
    value as its text; after the first rows, only the columns ``keep`` wants."""
    top, left = sheet.start or (0, 0)
    rows: list[list[Any]] = [[] for _ in range(top)]
    width: int | None = None
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in errors.items():
        by_row.setdefault(r, []).append((c, text))
    replaced: list[tuple[list[Any], int, Any]] = []  # (row, column, the value written over)
    for number, row in enumerate(sheet.iter_rows(), start=top):
        if left:
            row = [""] * left + row
        if width is not None:
            row = row[:width]
        for c, text in by_row.get(number, ()):
            if c < len(row):
                replaced.append((row, c, row[c]))
                row[c] = text
        rows.append(row)
        if keep is not None and len(rows) == HEADER_SEARCH_ROWS:
            width = keep(rows)
    # An .ods whose leading rows hold only formulas without a value: the range starts below
    # them, yet its rows come from the first one, so they were padded for twice (and every
    # row number after them was off by as many).
    surplus = len(rows) - (sheet.end[0] + 1) if sheet.end else 0
    if 0 < surplus <= top:
        for row, c, value in replaced:  # error values put in the rows they were not in
            row[c] = value
        del rows[:surplus]
        for (r, c), text in errors.items():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = text
    return rows


def _reader_fault(exc: BaseException) -> bool:
    """Whether the reader's exception says the file cannot be read: its own errors, and a
    panic of its Rust code (pyo3's PanicException, not an Exception); not an interrupt."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _check_size(path: Path, sheet: str, rows: int, columns: int) -> None:
    """Refuse a loaded sheet beyond the limits once its empty columns are trimmed."""
    if rows > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise InputFileError(t("sheet_too_long", path=path, sheet=sheet, rows=rows, limit=MAX_ROWS))
    if columns > MAX_COLUMNS:
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


def column_number(letters: bytes) -> int:
    """The 0-based position of an Excel column name in ASCII capitals (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


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


def _read_csv(path: Path, keep: Keep | None = None) -> list[list[Any]]:
    """The rows of a CSV, read as a stream: decoded line by line, each field held to the
    per-cell limit by the csv module itself, rows, columns, cells and text counted as they
    arrive, so that a file beyond a limit is refused after reading little of it."""
    text = [0]  # UTF-8 bytes of the lines read so far
    with path.open("rb") as raw:
        lines = _csv_lines(raw, path, text)
        head: list[str] = []
        for line in lines:
            head.append(line)
            if sum(map(len, head)) >= 8192:
                break
        sample = "".join(head)[:8192]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(itertools.chain(head, lines), dialect)
        rows: list[list[Any]] = []
        cells = 0
        width: int | None = None
        with _field_limit(MAX_CELL_CHARS):
            try:
                for row in reader:
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
                    rows.append(row if width is None else row[:width])
                    if keep is not None and len(rows) == HEADER_SEARCH_ROWS:
                        width = keep(rows)
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
                    cells += len(row)
                    if cells > MAX_CELLS:
                        raise InputFileError(
                            t(
                                "csv_too_many_cells",
                                path=path,
                                line=reader.line_num,
                                cells=cells,
                                limit=MAX_CELLS,
                            )
                        )
                    if text[0] > MAX_TEXT_BYTES:
                        raise InputFileError(
                            t(
                                "book_too_much_text",
                                path=path,
                                mb=text[0] // 2**20,
                                limit=MAX_TEXT_BYTES // 2**20,
                            )
                        )
            except csv.Error as exc:
                number = reader.line_num
                raise InputFileError(
                    t(
                        "csv_bad_field",
                        path=path,
                        line=number,
                        column=_long_field_column(path, number, dialect.delimiter),
                        reason=exc,
                    )
                ) from exc
    return rows


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's longest field (a process-wide setting), for the time of one read."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_lines(raw: IO[bytes], path: Path, size: list[int] | None = None) -> Iterator[str]:
    """The lines of a CSV (split at \\n, as csv expects), each at most ``CSV_LINE_BYTES``.

    UTF-8 (with or without BOM), else Windows-1256 as Persian Excel exports it; UTF-16 with
    its BOM. A file that is UTF-8 in parts and something else in others (two exports pasted
    together) is refused, naming the first line that is not UTF-8: guessing would garble the
    rest. A line longer than the limit is refused once the csv module asks for the next (a
    field beyond the per-cell limit in it is named first). ``size[0]`` counts the UTF-8 bytes
    of the lines read."""
    size = size if size is not None else [0]
    start = raw.read(3)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-16", newline="")
        pieces: Iterator[str] = iter(lambda: text.readline(CSV_LINE_BYTES // 2), "")
        for piece in _bounded(pieces, CSV_LINE_BYTES // 2, path):
            size[0] += len(piece.encode("utf-8", "replace"))
            yield piece
        return
    if start != b"\xef\xbb\xbf":
        raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_text = False  # whether a line so far held UTF-8 beyond ASCII
    cp1256 = False
    number = 0
    for data in _bounded(iter(lambda: raw.readline(CSV_LINE_BYTES), b""), CSV_LINE_BYTES, path):
        number += 1
        if cp1256:
            line = data.decode("cp1256", errors="replace")
            size[0] += len(data) if line.isascii() else len(line.encode())
            yield line
            continue
        try:
            line = decoder.decode(data)
        except UnicodeDecodeError as exc:
            if utf8_text or _has_utf8_text(data[: exc.start]):
                raise InputFileError(t("csv_mixed_encoding", path=path, line=number)) from exc
            cp1256 = True
            decoder.reset()
            line = data.decode("cp1256", errors="replace")
            size[0] += len(line.encode())
            yield line
            continue
        if not utf8_text and not line.isascii():
            utf8_text = True
        size[0] += len(data)
        yield line


def _bounded(pieces: Iterator[Any], limit: int, path: Path) -> Iterator[Any]:
    """``pieces`` (lines of at most ``limit``), refused after a line that reached ``limit``
    without its end, once the next is asked for."""
    for number, piece in enumerate(pieces, start=1):
        yield piece
        if len(piece) >= limit and not piece.endswith(("\n", b"\n")):
            raise InputFileError(t("csv_line_too_long", path=path, line=number, mb=limit // 2**20))


def _long_field_column(path: Path, line: int, delimiter: str) -> str:
    """The column letter of the longest field on ``line`` (1-based), where a CSV field broke,
    from the line read again (its first ``CSV_LINE_BYTES``)."""
    text = ""
    with contextlib.suppress(InputFileError), path.open("rb") as raw:
        for number, piece in enumerate(_csv_lines(raw, path), start=1):
            if number == line:
                text = piece
                break
    parts = text.split(delimiter)
    longest = max(range(len(parts)), key=lambda i: len(parts[i])) if parts else 0
    return column_letter(longest)


def _recognise(
    path: Path, name: str, grid: list[list[Any]], kind: str | None, mapping: Mapping | None
) -> Sheet | None:
    """Find the header row among the first rows and build the sheet, or None if not ours."""
    found = _header_row(grid, kind, mapping)
    if found is None:
        return None
    index, row, found_kind, columns = found
    headers = [_header_text(h, i) for i, h in enumerate(row)]
    _refuse_duplicate_headers(path, name, index + 1, row, found_kind)
    rows, numbers = data_rows(grid, index, len(headers))
    return Sheet(path, name, found_kind, headers, columns, rows, numbers, index + 1)


def _header_row(
    grid: list[list[Any]], kind: str | None, mapping: Mapping | None
) -> tuple[int, list[Any], str, dict[str, int]] | None:
    """The header row among the first rows (0-based, its cells up to our result columns),
    the kind of sheet it heads and where each field is; None if no row is a header."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        row = row[: _results_start(row)]
        if kind is not None:
            columns = match_headers(row, kind, mapping)
            found_kind: str | None = kind if len(columns) >= 3 else None
        else:
            found_kind, columns = detect_kind(row, mapping)
        if found_kind is not None:
            return index, row, found_kind, columns
    return None


def _header_width(first: list[list[Any]], kind: str | None, mapping: Mapping | None) -> int | None:
    """The columns a sheet's data rows are read to: as many as its header row has (our
    result columns left out), or all if none of ``first`` rows is a header."""
    found = _header_row(first, kind, mapping)
    return None if found is None else len(found[1])


def data_rows(grid: list[list[Any]], header: int, width: int) -> tuple[list[list[Any]], list[int]]:
    """The rows under the header row (0-based ``header``) that are not blank, each cut or
    padded to ``width`` cells, and the row number Excel shows for each."""
    rows, numbers = [], []
    for number, data in enumerate(grid[header + 1 :], start=header + 2):
        if all(is_blank(c) for c in data):
            continue
        if len(data) < width:
            data = [*data, *([""] * (width - len(data)))]
        rows.append(data if len(data) == width else data[:width])  # no copy when it fits
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


def _refuse_duplicate_headers(
    path: Path, sheet: str, row: int, headers: list[Any], kind: str
) -> None:
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
