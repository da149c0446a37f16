"""A spreadsheet is measured before any reader that can allocate sees it.

python-calamine fills a dense rectangle from A1 to the last cell it finds, copies a shared
string into every cell that shows it, expands .ods repeat counts, reserves what a file
declares (the number of shared strings, an .xls sheet's dimensions), and aborts the whole
process (not an exception) when an allocation fails. What a workbook says about itself can
lie: the declared ``<dimension>`` of a sheet, the sizes in its zip directory. Nothing here
trusts them. Every zip member is unpacked as a stream, its size and packing ratio counted as
it comes; every sheet's extent is taken from the cells actually present (a cell holding only
formatting does not count: the reader drops it); every cell's text is measured, a shared
string once per cell that shows it. A file beyond a limit is refused with ``InputFileError``
naming the file, and the sheet, row and column where there is one, before it is opened.

Sheets as spreadsheet programs write them are measured by a vectorised scan of the XML bytes;
anything else in them (comments, CDATA, prefixed element names, cells placed by counting
rather than by reference) sends the sheet to an exact XML parse that places cells as the
reader does, slower.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree
from xml.parsers import expat

from pipeline.core.errors import InputFileError, UnusualMarkup
from pipeline.core.i18n import t

if TYPE_CHECKING:
    import numpy as np

MIB = 1 << 20

# Rows and columns of a sheet (the validation report must fit in Excel, and an office's sheet
# is a few thousand rows); a title may stand in the rows above the header row.
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
TITLE_ROWS = 10
# Cells of the rectangles the reader fills, from A1 to each sheet's last row and column with
# the empty cells between, over all the sheets of a file: our own submission report (17
# columns and 8 of results) at the row limit, with its title rows. Each costs 32 bytes in the
# reader, a reference in Python, and more once validated (BENCHMARKS.md, "Hostile inputs").
MAX_CELLS = 5_250_000
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
# The text of all the cells of a file in UTF-8 (markup left out), a shared string counted once
# per cell that shows it (the reader copies it into each). Validation holds each value in
# several forms: with every cell of 200,000 rows wrong and in Persian, each MB of text costs
# about 3.7 MB, and this keeps that worst case near 1.45 GB. 200,000 rows of an office hold
# about 32 MB.
MAX_TEXT_BYTES = 40 * MIB
# One zip member unpacked, and all of them: a sheet at the cell limit is about 200 MB of XML
# (inline strings); beyond is a different kind of file or a zip bomb.
MAX_PART_BYTES = 512 * MIB
MAX_UNPACKED_BYTES = 1024 * MIB
# Packing ratio of one member: real sheets pack 5–30:1, a sheet of nothing but the same
# formatted blank about 100:1, a zip bomb 1000:1. Members under 1 MiB are not held to it.
MAX_RATIO = 200
RATIO_FLOOR = MIB
# Members of one zip (a workbook has a dozen: one per sheet, image or table more), and the
# size of its directory, read before the zip library lists them.
MAX_PARTS = 10_000
MAX_DIRECTORY_BYTES = 4 * MIB
# The longest stretch of an XML part between two '<': a tag, or a run of text, which the XML
# reader holds whole. A cell of 32,767 characters takes at most 330 KB even as entities.
MAX_MARKUP_RUN = MIB
# An .xls (Excel 97–2003) is read whole by the reader; at most 65,536 rows fit in one.
MAX_XLS_BYTES = 64 * MIB

CHUNK = 4 * MIB


@dataclass
class SheetFacts:
    """What a sheet holds as the reader will see it."""

    label: str  # the sheet's name (or its part, if no sheet names it)
    rows: int = 0  # the last row holding a cell the reader keeps, 1-based (0: none)
    columns: int = 0  # the last column likewise
    cells: int = 0  # cells the reader keeps
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → '#N/A'


@dataclass
class Measured:
    """What a workbook holds as the reader will see it: each sheet (a part that holds cells,
    named by its sheet where one names it), and the Excel error values of each sheet."""

    sheets: list[SheetFacts] = field(default_factory=list)

    @property
    def errors(self) -> dict[str, dict[tuple[int, int], str]]:
        return {s.label: s.errors for s in self.sheets if s.errors}


@dataclass
class _Book:
    """The file being measured, and its totals over all sheets."""

    path: Path
    cells: int = 0  # rectangles the reader fills
    text: int = 0
    unpacked: int = 0

    def refuse(self, key: str, **values: Any) -> InputFileError:
        return InputFileError(t(key, path=self.path, **values))

    def add_text(self, nbytes: int) -> None:
        self.text += nbytes
        if self.text > MAX_TEXT_BYTES:
            raise self.refuse(
                "book_too_much_text", mb=self.text // MIB, limit=MAX_TEXT_BYTES // MIB
            )

    def add_sheet(self, facts: SheetFacts) -> None:
        """Refuse a sheet beyond the row or cell limits, then the file beyond the cell limit."""
        self.check_extent(facts.label, facts.rows, facts.columns)
        self.cells += facts.rows * facts.columns
        if self.cells > MAX_CELLS:
            raise self.refuse("book_too_many_cells", cells=self.cells, limit=MAX_CELLS)

    def check_extent(self, sheet: str, rows: int, columns: int) -> None:
        if rows > MAX_ROWS + TITLE_ROWS:
            raise self.refuse("sheet_too_long", sheet=sheet, rows=rows, limit=MAX_ROWS)
        if rows * columns > MAX_CELLS:
            raise self.refuse(
                "sheet_too_many_cells",
                sheet=sheet,
                row=rows,
                column=column_letter(max(columns, 1) - 1),
                cells=rows * columns,
                limit=MAX_CELLS,
            )

    def refuse_cell(self, sheet: str, row: int, column: int, chars: int) -> InputFileError:
        """A cell (``row``, ``column`` 1-based) beyond the per-cell limit."""
        return self.refuse(
            "cell_too_long",
            sheet=sheet,
            row=row,
            column=column_letter(column - 1),
            chars=chars,
            limit=MAX_CELL_CHARS,
        )


def column_letter(position: int) -> str:
    """Excel's name of a 0-based column position (0 → A, 27 → AB)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    """The 0-based position of an Excel column name (A → 0, AB → 27)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _number(book: _Book, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError as exc:
        raise book.refuse("file_unreadable", reason=f"{text[:20]!r}") from exc


# ---------------------------------------------------------------------------------------------
# .xlsx, .xlsm and .ods: the zip container


def check_workbook(path: Path, *, exact: bool = False) -> Measured:
    """Measure the .xlsx, .xlsm or .ods workbook at ``path``; refuse it beyond a limit. Its
    sheets as the reader will see them, and for .xlsx and .xlsm the cells holding an Excel
    error value ('#N/A'), which the reader gives as empty. ``exact``: every sheet by the exact
    parse, none by the fast scan."""
    book = _Book(path)
    _check_directory(book)
    try:
        with zipfile.ZipFile(path) as z, path.open("rb") as raw:
            infos = _check_members(book, z)
            if path.suffix.lower() == ".ods":
                return _check_ods(book, raw, infos)
            return _check_xlsx(book, z, raw, infos, exact)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise book.refuse("file_unreadable", reason=type(exc).__name__) from exc


def _check_directory(book: _Book) -> None:
    """The number of members and the size of the zip directory, from its end record, before
    the zip library builds its list of members."""
    with book.path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 65_557))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise book.refuse("file_unreadable", reason="zip")
        count, directory = struct.unpack_from("<HI", tail, at + 10)
        locator = tail[at - 20 : at] if at >= 20 else b""
        if (count == 0xFFFF or directory == 0xFFFFFFFF) and locator[:4] == b"PK\x06\x07":
            f.seek(struct.unpack_from("<Q", locator, 8)[0])
            record = f.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                count, directory = struct.unpack_from("<QQ", record, 32)
    if count > MAX_PARTS or directory > MAX_DIRECTORY_BYTES:
        raise book.refuse("file_too_many_parts", count=count, limit=MAX_PARTS)


def _check_members(book: _Book, z: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """What the directory says of each member: its size and ratio, and their sum."""
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise book.refuse("file_too_many_parts", count=len(infos), limit=MAX_PARTS)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise book.refuse("file_password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise book.refuse("file_unreadable", reason=f"compression {info.compress_type}")
        _check_part_size(book, info.filename, info.file_size, info.compress_size)
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise book.refuse("file_unpacked_too_big", limit=MAX_UNPACKED_BYTES // MIB)
    return infos


def _check_part_size(book: _Book, part: str, unpacked: int, packed: int) -> None:
    if unpacked > MAX_PART_BYTES:
        raise book.refuse("file_part_too_big", part=part, limit=MAX_PART_BYTES // MIB)
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        ratio = unpacked // max(packed, 1)
        raise book.refuse("file_part_ratio", part=part, ratio=ratio, limit=MAX_RATIO)


_LOCAL_HEADER = struct.Struct("<4s22xHH")


def _unpack(book: _Book, raw: IO[bytes], info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """The member ``info`` unpacked from its own bytes, in chunks, counted as it comes:
    refused as soon as it passes the size or ratio limits, whatever the directory said, and
    if it does not end as the directory says. (Its checksum is the reader's to check: it
    unpacks the same bytes.)"""
    raw.seek(info.header_offset)
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if magic != b"PK\x03\x04":
        raise book.refuse("file_part_damaged", part=info.filename, reason="header")
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    out = packed = 0
    pending = b""
    while inflate is None or not inflate.eof:
        if not pending:
            pending = raw.read(min(left, 256 * 1024)) if left > 0 else b""
            left -= len(pending)
            packed += len(pending)
            if not pending:
                break  # the packed bytes ended
        if inflate is None:
            data, pending = pending, b""
        else:
            data = inflate.decompress(pending, CHUNK)
            pending = inflate.unconsumed_tail
        if data:
            out += len(data)
            if out > info.file_size:  # more than the directory says: refused at once
                reason = f"> {info.file_size} bytes"
                raise book.refuse("file_part_damaged", part=info.filename, reason=reason)
            _check_part_size(book, info.filename, out, packed - len(pending))
            book.unpacked += len(data)
            if book.unpacked > MAX_UNPACKED_BYTES:
                raise book.refuse("file_unpacked_too_big", limit=MAX_UNPACKED_BYTES // MIB)
            yield data
    if inflate is not None and not inflate.eof:
        raise book.refuse("file_part_damaged", part=info.filename, reason="truncated")
    if out != info.file_size:
        reason = f"{out} bytes, not {info.file_size}"
        raise book.refuse("file_part_damaged", part=info.filename, reason=reason)


class _Markup:
    """Watches the stretches between two '<' of an XML part as its bytes go by."""

    def __init__(self, book: _Book, part: str) -> None:
        self.book, self.part = book, part
        self.seen = 0  # bytes so far
        self.last = 0  # offset of the last '<'

    def feed(self, data: bytes | int, lt: np.ndarray | None = None) -> None:
        """The next bytes (or their length, with where their '<' are)."""
        import numpy as np

        if lt is None:
            assert isinstance(data, bytes)
            lt = np.flatnonzero(np.frombuffer(data, np.uint8) == 60)
        size = data if isinstance(data, int) else len(data)
        if lt.size:
            inner = int(np.diff(lt).max()) if lt.size > 1 else 0
            gap = max(int(lt[0]) + self.seen - self.last, inner)
            self.last = self.seen + int(lt[-1])
        else:
            gap = self.seen + size - self.last
        self.seen += size
        if gap > MAX_MARKUP_RUN:
            mb, limit = max(1, gap // MIB), MAX_MARKUP_RUN // MIB
            raise self.book.refuse("file_markup_run", part=self.part, mb=mb, limit=limit)

    def close(self) -> None:
        self.feed(b"")


def _looks_xml(first: bytes) -> bool:
    start = first[:64]
    return start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or start[:2] in (
        b"\xff\xfe",
        b"\xfe\xff",
    )


def _watched(book: _Book, raw: IO[bytes], info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """The member unpacked, its markup stretches watched."""
    markup = _Markup(book, info.filename)
    for data in _unpack(book, raw, info):
        markup.feed(data)
        yield data
    markup.close()


def _parse(
    book: _Book,
    chunks: Iterator[bytes],
    part: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None],
) -> None:
    """An XML parse of ``chunks`` with these handlers; no document type, so no entities."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text

    def no_doctype(*_: Any) -> None:
        raise book.refuse("file_part_damaged", part=part, reason="DOCTYPE")

    parser.StartDoctypeDeclHandler = no_doctype
    try:
        for data in chunks:
            parser.Parse(data, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise book.refuse("file_part_damaged", part=part, reason=f"XML: {exc}") from exc


# Helpers of the vectorised scans ---------------------------------------------------------------

_DECLARED = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _plain_start(first: bytes) -> bool:
    """Whether an XML part is plainly UTF-8: no other byte-order mark, no other declared
    encoding, no NUL (UTF-16 without a mark)."""
    body = first[3:] if first.startswith(b"\xef\xbb\xbf") else first
    if b"\0" in body or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    declared = _DECLARED.match(body.lstrip())
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


_PAD = b"\0" * 40


def _cut(chunks: Iterator[bytes], closer: bytes) -> Iterator[tuple[bytes, int]]:
    """``chunks`` cut again into pieces that end right after ``closer`` (whole elements),
    each followed by 40 NUL bytes (so that reading a few bytes past any offset stays inside),
    with its length. A part that is not plain UTF-8, or a stretch of 8 MB without
    ``closer``, is not what the fast scan follows."""
    carry, first = b"", True
    for block in chunks:
        if first and not _plain_start(block[:256]):
            raise UnusualMarkup
        first = False
        cut = block.rfind(closer)
        if cut < 0:
            carry += block
            if len(carry) > 2 * CHUNK:
                raise UnusualMarkup
            continue
        cut += len(closer)
        yield b"".join((carry, block[:cut], _PAD)), len(carry) + cut
        carry = block[cut:]
    if carry:
        yield carry + _PAD, len(carry)


@functools.cache
def _name_end() -> np.ndarray:
    """By byte: whether it ends an element's name (tab, newlines, space, '/', '>')."""
    import numpy as np

    table = np.zeros(256, bool)
    table[[9, 10, 13, 32, 47, 62]] = True
    return table


def _words(padded: bytes) -> np.ndarray:
    """The 8 bytes starting at each offset of ``padded``, as little-endian integers."""
    import numpy as np

    return np.ndarray((len(padded) - 7,), "<u8", padded, 0, (1,))


def _at(values: np.ndarray, index: np.ndarray, default: int) -> np.ndarray:
    """``values[index]``, or ``default`` where ``index`` is past the end."""
    import numpy as np

    if values.size == 0:
        return np.full(index.shape, default, np.int64)
    return np.where(index < values.size, values[np.minimum(index, values.size - 1)], default)


def _tags(a: np.ndarray, lt: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each '<' of a piece (``lt``, ``n`` bytes): the first '>' after it (its tag's end,
    -1 if none before the next '<'), the last '>' before the next '<', and the bytes of text
    from the first to the next '<'. One pass when every stretch holds one '>' (text without
    a '>' in it), a search otherwise."""
    import numpy as np

    gt = np.flatnonzero(a[:n] == 62)
    following = np.append(lt[1:], n)
    if gt.size == lt.size and (gt > lt).all() and (gt < following).all():
        first = last = gt
    else:
        first = _at(gt, np.searchsorted(gt, lt), -1)
        first = np.where(first < following, first, -1)
        before = np.searchsorted(gt, following) - 1
        last = np.where(before >= 0, _at(gt, np.maximum(before, 0), -1), -1)
        last = np.where(last > lt, last, -1)
    runs = np.where(first >= 0, following - first - 1, 0)
    return first, last, runs


def _exact_chars(element: bytes) -> int:
    """The characters of the text of an XML element (tags left out, entities resolved)."""
    text = re.sub(rb"<[^>]*>", b"", element).decode("utf-8", "replace")
    return len(html.unescape(text))


def _lookup(lengths: np.ndarray, index: np.ndarray) -> int:
    """The sum of ``lengths[index]``, an index past the end counting nothing."""
    import numpy as np

    if lengths.size == 0 or index.size == 0:
        return 0
    inside = index < lengths.size
    return int(np.where(inside, lengths[np.minimum(index, lengths.size - 1)], 0).sum())


# ---------------------------------------------------------------------------------------------
# .xlsx and .xlsm


def _check_xlsx(
    book: _Book, z: zipfile.ZipFile, raw: IO[bytes], infos: list[zipfile.ZipInfo], exact: bool
) -> Measured:
    """The shared strings first, then every part the reader can read as a sheet: those the
    workbook names, found as the reader finds them, and any part that looks like one (every
    XML part, if the workbook cannot be followed). The other parts the reader parses are held
    to the markup limit; the rest is only unpacked, for its size and ratio."""
    found = _workbook_parts(z)
    sheets, parsed = found if found is not None else ({}, set())
    shared_parts = [i for i in infos if _normal(i.filename).endswith("sharedstrings.xml")]
    shared = _shared_lengths(book, raw, shared_parts, exact)
    measured = Measured()
    for info in infos:
        name = _normal(info.filename)
        if info in shared_parts and name not in sheets:
            continue
        chunks = _unpack(book, raw, info)
        first = next(chunks, b"")
        looks = _looks_xml(first)
        if name not in sheets and not (looks and (found is None or b"sheetData" in first)):
            if name in parsed and looks:
                chunks.close()
                chunks = _watched(book, raw, info)
            for _ in chunks:  # never read as a sheet: its size, ratio (and markup) only
                pass
            continue
        chunks.close()
        facts = _sheet_facts(book, raw, info, sheets.get(name, info.filename), shared, exact)
        if facts.cells:
            book.add_sheet(facts)
            measured.sheets.append(facts)
    return measured


def _normal(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace."""
    return name.rsplit("}", 1)[-1]


def _workbook_parts(z: zipfile.ZipFile) -> tuple[dict[str, str], set[str]] | None:
    """The parts the reader reads as sheets (normalised part → sheet name) and the other
    parts it parses, found as it finds them: the workbook's folder from the package's
    relationships, the sheets from the workbook and its relationships, names compared
    without their namespace, parts without case. None if the workbook cannot be followed
    (then the reader refuses it, or every part is measured as a sheet)."""
    members = {_normal(n): n for n in z.namelist()}

    def read(name: str) -> ElementTree.Element:
        info = z.getinfo(members[_normal(name)])
        if info.file_size > 16 * MIB:
            raise KeyError(name)  # not followed: every part is then measured as a sheet
        return ElementTree.fromstring(z.read(info))

    def relationships(root: ElementTree.Element) -> list[ElementTree.Element]:
        return [r for r in root.iter() if _local(r.tag) == "Relationship"]

    try:
        package = read("_rels/.rels")
        target = next(
            r.get("Target", "")
            for r in relationships(package)
            if r.get("Type", "").endswith("/officeDocument")
        )
        folder = target[: target.rfind("/") + 1].lstrip("/")
        workbook = read(f"{folder}workbook.xml")
        rels = read(f"{folder}_rels/workbook.xml.rels")
    except (KeyError, StopIteration, ElementTree.ParseError, ValueError, zipfile.BadZipFile):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in relationships(rels)}
    sheets = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        ids = [value for key, value in sheet.attrib.items() if _local(key) == "id"]
        named = targets.get(ids[-1]) if ids else None
        if named:
            part = named[1:] if named.startswith("/") else folder + named
            sheets[_normal(part)] = sheet.get("name", "")
    others = ("_rels/.rels", "workbook.xml", "_rels/workbook.xml.rels", "styles.xml")
    parsed = {_normal(part if part.startswith("_rels/.") else folder + part) for part in others}
    return sheets, parsed


# Shared strings -----------------------------------------------------------------------------

_UNIQUE_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*[\"']\s*([0-9]+)")
_PREFIXED_SHARED = re.compile(rb":(?:si|sst)[\s/>]")


def _shared_lengths(
    book: _Book, raw: IO[bytes], infos: list[zipfile.ZipInfo], exact: bool
) -> np.ndarray:
    """The bytes of every shared string (the longest of several such parts), each refused
    beyond the per-cell limit. (They count in the file's text once per cell that shows them;
    the part itself is held to the size limit of a part.)"""
    import numpy as np

    best = np.zeros(0, np.int64)
    for info in infos:
        try:
            if exact:
                raise UnusualMarkup
            lengths = _shared_fast(book, _unpack(book, raw, info), info.filename)
        except UnusualMarkup:
            lengths = _shared_exact(book, _watched(book, raw, info), info.filename)
        if lengths.size < best.size:
            lengths, best = best, lengths
        lengths[: best.size] = np.maximum(lengths[: best.size], best)
        best = lengths
    return best


def _check_unique_count(book: _Book, count: int, part: str) -> None:
    """The reader reserves room for ``uniqueCount`` strings before reading any."""
    if count > MAX_CELLS:
        raise book.refuse("text_count", part=part, count=count, limit=MAX_CELLS)


def _shared_fast(book: _Book, chunks: Iterator[bytes], part: str) -> np.ndarray:
    """The bytes of the text of each ``si`` (of all its runs), markup left out."""
    import numpy as np

    out: list[np.ndarray] = []
    total = 0
    markup = _Markup(book, part)
    for padded, n in _cut(chunks, b"</si>"):
        if not out and not total:
            found = _UNIQUE_COUNT.search(padded[:4096])
            _check_unique_count(book, int(found.group(1)) if found else 0, part)
        a = np.frombuffer(padded, np.uint8)
        lt = np.flatnonzero(a[:n] == 60)
        if (a[lt + 1] == 33).any() or _PREFIXED_SHARED.search(padded, 0, n):
            raise UnusualMarkup
        markup.feed(n, lt)
        opens = np.flatnonzero((a[lt + 1] == 115) & (a[lt + 2] == 105) & _name_end()[a[lt + 3]])
        if opens.size == 0:
            continue
        closes = np.flatnonzero(
            (a[lt + 1] == 47) & (a[lt + 2] == 115) & (a[lt + 3] == 105) & (a[lt + 4] == 62)
        )
        first, last, runs = _tags(a, lt, n)
        if (first[opens] < 0).any() or (first[opens] != last[opens]).any():
            raise UnusualMarkup
        close_of = _at(closes, np.searchsorted(closes, opens), lt.size)
        before = np.concatenate(([0], np.cumsum(runs)))
        selfclosing = a[first[opens] - 1] == 47
        lengths = np.where(selfclosing, 0, before[close_of] - before[opens])
        for i in np.flatnonzero(lengths > MAX_CELL_CHARS):
            end = int(lt[close_of[i]]) if close_of[i] < lt.size else n
            chars = _exact_chars(padded[int(lt[opens[i]]) : end])
            if chars > MAX_CELL_CHARS:
                raise book.refuse("text_too_long", part=part, chars=chars, limit=MAX_CELL_CHARS)
        out.append(lengths.astype(np.int64))
        total += lengths.size
        if total > MAX_CELLS:
            raise book.refuse("text_count", part=part, count=f"> {MAX_CELLS}", limit=MAX_CELLS)
    markup.close()
    return np.concatenate(out) if out else np.zeros(0, np.int64)


class _SharedExact:
    """The bytes and characters of every ``si`` of a shared-strings part, by an XML parse."""

    def __init__(self, book: _Book, part: str) -> None:
        self.book, self.part = book, part
        self.lengths: list[int] = []
        self.level = 0
        self.inside = 0  # the level of the si being read
        self.bytes = self.chars = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.level += 1
        local = name.rsplit(":", 1)[-1]
        if local == "sst" and "uniqueCount" in attrs:
            _check_unique_count(self.book, _number(self.book, attrs["uniqueCount"]), self.part)
        elif local == "si" and not self.inside:
            self.inside, self.bytes, self.chars = self.level, 0, 0

    def end(self, name: str) -> None:
        if self.inside == self.level:
            self.inside = 0
            self.lengths.append(self.bytes)
            if len(self.lengths) > MAX_CELLS:
                count = f"> {MAX_CELLS}"
                raise self.book.refuse("text_count", part=self.part, count=count, limit=MAX_CELLS)
        self.level -= 1

    def text(self, data: str) -> None:
        if self.inside:
            self.bytes += len(data.encode())
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                chars = f"> {MAX_CELL_CHARS}"
                raise self.book.refuse(
                    "text_too_long", part=self.part, chars=chars, limit=MAX_CELL_CHARS
                )


def _shared_exact(book: _Book, chunks: Iterator[bytes], part: str) -> np.ndarray:
    import numpy as np

    scan = _SharedExact(book, part)
    _parse(book, chunks, part, scan.start, scan.end, scan.text)
    return np.array(scan.lengths, np.int64)


# Sheets -------------------------------------------------------------------------------------

_PREFIXED = re.compile(rb":(?:c|row|sheetData)[\s/>]")
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\st="e"[^>]*>(?:<f[^>]*?/>|<f[^>]*>.*?</f>)?<v>([^<]*)</v>'
)
_SHARED_CELL = re.compile(rb'<c r="[A-Z]+[0-9]+"[^>]*?\st="s"[^>]*>.*?<v>\s*([0-9]*)\s*</v>', re.S)
_ODD_TYPE = re.compile(rb"\st\s*=\s*'|\st\s+=|\st=\s")
_CELL_START = int.from_bytes(b'<c r="', "little")
_V_OPEN = int.from_bytes(b"<v>", "little")
_IS_OPEN = int.from_bytes(b"<is>", "little")
_C_CLOSE = int.from_bytes(b"</c>", "little")
_SHARED_TYPE = int.from_bytes(b' t="s"', "little")


def _sheet_facts(
    book: _Book,
    raw: IO[bytes],
    info: zipfile.ZipInfo,
    label: str,
    shared: np.ndarray,
    exact: bool = False,
) -> SheetFacts:
    """What the member ``info`` holds as a sheet (nothing, if it is another part). A member
    that is not XML is unpacked to check its size and checksum only: the reader never parses
    it."""
    chunks = _unpack(book, raw, info)
    first = next(chunks, b"")
    if not _looks_xml(first):
        for _ in chunks:
            pass
        return SheetFacts(label)
    try:
        if exact:
            raise UnusualMarkup
        return _sheet_fast(book, itertools.chain([first], chunks), label, shared, info.filename)
    except UnusualMarkup:
        chunks.close()
    scan = _SheetExact(book, label, shared)
    _parse(book, _watched(book, raw, info), info.filename, scan.start, scan.end, scan.text)
    return scan.facts


def _sheet_fast(
    book: _Book, chunks: Iterator[bytes], label: str, shared: np.ndarray, part: str
) -> SheetFacts:
    """A sheet as spreadsheet programs write it: every cell ``<c r="A1" …>``. Any other form
    raises ``UnusualMarkup``. A cell's text is measured as the bytes from the end of its tag to the
    next cell (the markup of an inline string, the end of the row); a cell whose value is an
    integer may show the shared string it names, and is counted with it."""
    import numpy as np

    facts = SheetFacts(label)
    markup = _Markup(book, part)
    for padded, n in _cut(chunks, b"</c>"):
        a = np.frombuffer(padded, np.uint8)
        lt = np.flatnonzero(a[:n] == 60)
        b1 = a[lt + 1]
        if (b1 == 33).any() or _PREFIXED.search(padded, 0, n):
            raise UnusualMarkup  # a comment, CDATA, a document type; a prefixed name
        markup.feed(n, lt)
        index = np.flatnonzero(b1 == 99)
        index = index[_name_end()[a[lt[index] + 2]]]
        if index.size == 0:
            continue
        cp = lt[index]
        words = _words(padded)
        col, numbers = _cell_places(words, cp)
        width, key = _row_numbers(numbers)
        first, last, runs = _tags(a, lt, n)
        tag_end = last[index]  # where each cell's tag ends: the last '>' before the next '<'
        if (tag_end <= cp).any() or (first[index] != tag_end).any():
            raise UnusualMarkup
        content = words[tag_end + 1]
        # A self-closing cell, or <c …></c>, holds formatting only: the reader drops it.
        kept = (a[tag_end - 1] != 47) & ((content & 0xFFFFFFFF) != _C_CLOSE)
        if not kept.any():
            continue
        # A cell's text: from its tag to the next cell's, markup left out.
        before = np.concatenate(([0], np.cumsum(runs)))
        following_cell = np.append(index[1:], lt.size)
        text = np.where(kept, before[following_cell] - before[index], 0)
        for i in np.flatnonzero(text > MAX_CELL_CHARS):
            end = int(lt[following_cell[i]]) if following_cell[i] < lt.size else n
            chars = _exact_chars(padded[int(cp[i]) : end])
            if chars > MAX_CELL_CHARS:
                row = _largest_row(numbers[i : i + 1], width[i : i + 1], key[i : i + 1])
                raise book.refuse_cell(label, row, int(col[i]), chars)
        facts.rows = max(facts.rows, _largest_row(numbers[kept], width[kept], key[kept]))
        facts.columns = max(facts.columns, int(col[kept].max()))
        facts.cells += int(kept.sum())
        book.check_extent(label, facts.rows, facts.columns)
        value = kept & ((content & 0xFFFFFF) == _V_OPEN)
        other = kept & ~value & ((content & 0xFFFFFFFF) != _IS_OPEN)  # a formula first …
        added = int(text.sum())
        if shared.size:
            # A shared string is copied into each cell that shows it: counted once per cell.
            typed = kept & ((words[tag_end - 6] & 0xFFFFFFFFFFFF) == _SHARED_TYPE)
            plain = typed & value
            if plain.sum() == typed.sum() == padded.count(b't="s"', 0, n):
                added += _shared_shown(words, tag_end[plain] + 4, shared)
            else:
                added += _shared_references(padded[:n], shared)
        book.add_text(added)
        if (other.any() or (value & (a[tag_end + 4] == 35)).any()) and b't="e"' in padded:
            _error_cells(padded, n, facts)
    markup.close()
    return facts


def _cell_places(words: np.ndarray, cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The column numbers of the cells whose tags start at ``cp``, and the 8 bytes where their
    row numbers start: references of one to three capital letters, else ``UnusualMarkup``."""
    import numpy as np

    first = words[cp]  # '<c r="' and the first two letters
    if ((first & 0xFFFFFFFFFFFF) != _CELL_START).any():
        raise UnusualMarkup  # a cell without its reference first: placed by counting
    second = words[cp + 8]
    letters = [(first >> 48) & 0xFF, first >> 56, second & 0xFF, (second >> 8) & 0xFF]
    upper = [(x >= 65) & (x <= 90) for x in letters]
    if not upper[0].all() or (upper[1] & upper[2] & upper[3]).any():
        raise UnusualMarkup
    two, three = upper[1], upper[1] & upper[2]
    col = letters[0].astype(np.int64) - 64
    col = np.where(two, col * 26 + letters[1].astype(np.int64) - 64, col)
    col = np.where(three, col * 26 + letters[2].astype(np.int64) - 64, col)
    return col, words[cp + 7 + two + three]


def _error_cells(padded: bytes, n: int, facts: SheetFacts) -> None:
    """The error values (#N/A, #DIV/0! …) of a chunk's cells, by place, into ``facts``."""
    for m in _ERROR_CELL.finditer(padded, 0, n):  # '#' starts an error value: #N/A
        place = (int(m.group(2)) - 1, _column_number(m.group(1).decode()))
        facts.errors[place] = m.group(3).decode("utf-8", "replace")


_BYTES = {b: int.from_bytes(bytes([b]) * 8, "little") for b in (0x01, 0x06, 0x0F, 0x10, 0x22)}
_BYTES.update({0x30: int.from_bytes(b"0" * 8, "little"), 0x80: _BYTES[0x10] << 3})


def _row_numbers(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For 8-byte words that start with a row number and its closing quote: how many digits
    each has, and a key that orders the numbers (the words, masked to their digits, read
    big-endian). A word without a quote, a digit, or with a leading zero is ``UnusualMarkup``."""
    import numpy as np

    u = np.uint64
    x = words ^ u(_BYTES[0x22])  # the quote becomes a zero byte
    zero = (x - u(_BYTES[0x01])) & ~x & u(_BYTES[0x80])  # the lowest flag is exact
    if (zero == 0).any():
        raise UnusualMarkup
    lowest = zero & (~zero + u(1))
    width = (np.log2(lowest.astype(np.float64)).astype(np.int64) - 7) // 8
    mask = np.where(width > 0, (u(1) << (u(8) * width.astype(np.uint64))) - u(1), u(0))
    digits = words & mask
    low = digits & u(_BYTES[0x0F])
    if (
        (width == 0).any()
        or ((digits & ~u(_BYTES[0x0F])) != (u(_BYTES[0x30]) & mask)).any()
        or (((low + u(_BYTES[0x06])) & u(_BYTES[0x10]) & mask) != 0).any()
        or ((width > 1) & ((words & u(0xFF)) == u(0x30))).any()
    ):
        raise UnusualMarkup
    return width, digits.byteswap()


def _largest_row(words: np.ndarray, width: np.ndarray, key: np.ndarray) -> int:
    """The largest row number among ``words`` (as ``_row_numbers`` measured them)."""
    import numpy as np

    widest = width == width.max()
    at = int(np.flatnonzero(widest)[np.argmax(key[widest])])
    return int(int(words[at]).to_bytes(8, "little")[: int(width[at])])


def _shared_shown(words: np.ndarray, starts: np.ndarray, shared: np.ndarray) -> int:
    """The bytes of the shared strings shown by the cells whose value starts at ``starts``:
    the string its integer names, or the first string, which the reader takes for an index
    it cannot read."""
    import numpy as np

    if starts.size == 0:
        return 0
    pair = np.empty((starts.size, 2), np.uint64)
    pair[:, 0], pair[:, 1] = words[starts], words[starts + 8]
    digits = pair.view(np.uint8).reshape(starts.size, 16)[:, :11]
    width = np.argmin((digits >= 48) & (digits <= 57), axis=1)  # 11 digits: no index
    plain = (digits[np.arange(starts.size), width] == 60) & (width > 0)  # then '<' of </v>
    index = np.zeros(starts.size, np.int64)
    for j in range(min(int(width.max()), 10)):
        index = np.where(j < width, index * 10 + digits[:, j] - 48, index)
    return _lookup(shared, np.where(plain, index, 0))


def _shared_references(piece: bytes, shared: np.ndarray) -> int:
    """The bytes of the shared strings shown by the cells of ``piece``, each reference found
    by its type wherever it stands (after a formula, before other attributes), or
    ``UnusualMarkup`` if the types are written in a way this does not follow."""
    import numpy as np

    found = _SHARED_CELL.findall(piece)
    if len(found) != piece.count(b't="s"') or _ODD_TYPE.search(piece):
        raise UnusualMarkup
    index = np.array([int(i) if i else 0 for i in found], np.int64)
    return _lookup(shared, index)


class _SheetExact:
    """A sheet by an XML parse that places cells as the reader does: by their reference, or
    one column after the previous cell, in the row after the previous row."""

    def __init__(self, book: _Book, label: str, shared: np.ndarray) -> None:
        self.book, self.label, self.shared = book, label, shared
        self.facts = SheetFacts(label)
        self.state = 0  # 0 before sheetData, 1 in it, 2 after
        self.row = 0  # 0-based, as the reader counts
        self.col = 0
        self.depth = 0
        self.cell: _Cell | None = None
        self.child = ""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        local = name.rsplit(":", 1)[-1]
        if self.state != 1:
            if self.state == 0 and local == "sheetData":
                self.state = 1
            return
        cell = self.cell
        if cell is not None:
            self.child = local
            if local == "is" or (
                local == "v" and cell.kind not in (None, "n", "s", "b", "e", "inlineStr", "is")
            ):
                cell.kept = True  # an inline string, or str or d: a string even when empty
        elif local == "row" and "r" in attrs:
            self.row = _number(self.book, attrs["r"]) - 1
        elif local == "c":
            if "r" in attrs:
                found = re.fullmatch(r"\s*([A-Z]+)([0-9]+)\s*", attrs["r"])
                if not found:
                    raise self.book.refuse("sheet_unreadable", sheet=self.label, reason="r")
                self.col = _column_number(found.group(1))
                row = int(found.group(2)) - 1
            else:
                row = self.row
            self.cell = _Cell(row, self.col, attrs.get("t"), self.depth)

    def end(self, name: str) -> None:
        cell = self.cell
        if cell is not None and self.depth == cell.depth:
            self._close(cell)
            self.cell = None
            self.col += 1
        elif cell is not None:
            self.child = ""
        elif self.state == 1:
            local = name.rsplit(":", 1)[-1]
            if local == "row":
                self.row += 1
                self.col = 0
            elif local == "sheetData":
                self.state = 2
        self.depth -= 1

    def text(self, data: str) -> None:
        cell = self.cell
        if cell is None:
            return
        if self.child == "v":
            if cell.kind in (None, "n", "s", "b", "e") and data:
                cell.kept = True
            if len(cell.value) < 64:
                cell.value += data
        cell.bytes += len(data.encode())
        cell.chars += len(data)
        if cell.chars > MAX_CELL_CHARS:
            raise self.book.refuse_cell(self.label, cell.row + 1, cell.col + 1, cell.chars)

    def _close(self, cell: _Cell) -> None:
        if not cell.kept:
            return
        facts = self.facts
        nbytes = cell.bytes
        if cell.kind == "s":
            value = cell.value.strip()
            index = int(value) if value.isdigit() else 0
            nbytes += _lookup(self.shared, _array([index]))
        elif cell.kind == "e":
            facts.errors[(cell.row, cell.col)] = cell.value.strip()
        facts.cells += 1
        facts.rows = max(facts.rows, cell.row + 1)
        facts.columns = max(facts.columns, cell.col + 1)
        self.book.add_text(nbytes)
        self.book.check_extent(self.label, facts.rows, facts.columns)


@dataclass
class _Cell:
    row: int
    col: int
    kind: str | None  # its t attribute
    depth: int
    kept: bool = False  # whether the reader keeps it (it holds a value)
    bytes: int = 0
    chars: int = 0
    value: str = ""


def _array(values: list[int]) -> np.ndarray:
    import numpy as np

    return np.array(values, np.int64)


# ---------------------------------------------------------------------------------------------
# .ods


def _check_ods(book: _Book, raw: IO[bytes], infos: list[zipfile.ZipInfo]) -> Measured:
    """content.xml by an exact parse; the other members for their size and markup."""
    measured = Measured()
    for info in infos:
        if _normal(info.filename) == "content.xml":
            scan = _OdsExact(book)
            _parse(book, _watched(book, raw, info), info.filename, scan.start, scan.end, scan.text)
            measured.sheets.extend(scan.measured)
            continue
        chunks = _unpack(book, raw, info)
        first = next(chunks, b"")
        markup = _Markup(book, info.filename) if _looks_xml(first) else None
        for data in itertools.chain([first], chunks):
            if markup is not None:
                markup.feed(data)
    return measured


_ODS_VALUES = (
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
)
_ODS_COLUMNS = 16_384  # the reader caps a row at this many columns
_ODS_ROWS = 1_048_576  # and a sheet at this many rows


class _OdsExact:
    """content.xml of an .ods by an XML parse following the reader: repeated rows and cells
    expanded, a row's trailing empty cells and a sheet's last empty rows not kept, spaces
    (``text:s``) expanded. The reader reads every sheet when it opens the file, so the cells
    of all sheets are counted together, and the cells of each row element before its repeats
    (the reader keeps those too)."""

    def __init__(self, book: _Book) -> None:
        self.book = book
        self.sheet: str | None = None
        self.depth = 0
        self.table_depth = 0
        self.rows = 0  # rows so far in this sheet, repeats expanded
        self.last_row = 0  # rows up to the last one holding a value
        self.columns = 0  # columns of the widest row holding a value
        self.row_width = 0  # cells the reader keeps for the current row element
        self.row_repeats = 1
        self.row_values = 0  # the columns of the current row up to its last value
        self.pending = 0  # empty cells kept only if another cell follows them
        self.cell: _OdsCell | None = None
        self.note = 0  # the depth of an office:annotation, whose text the reader leaves out
        self.elements = 0  # row elements of the file
        self.measured: list[SheetFacts] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.sheet is None:
            if name == "table:table" and "table:name" in attrs:
                self.sheet, self.table_depth = attrs["table:name"], self.depth
                self.rows = self.last_row = self.columns = 0
            return
        cell = self.cell
        if cell is not None:
            if name == "office:annotation" and not self.note:
                self.note = self.depth
            elif cell.from_content and not self.note and name in ("text:s", "text:p"):
                count = _number(self.book, attrs.get("text:c", "1")) if name == "text:s" else 1
                self._add(cell, count, count)
        elif name == "table:table-row":
            self.elements += 1
            if self.elements > MAX_CELLS:
                raise self.book.refuse("book_too_many_cells", cells=self.elements, limit=MAX_CELLS)
            repeats = _number(self.book, attrs.get("table:number-rows-repeated", "1"))
            self.row_repeats = min(repeats, max(_ODS_ROWS - self.rows, 0))
            self.row_width, self.row_values, self.pending = 0, 0, 0
        elif name in ("table:table-cell", "table:covered-table-cell"):
            repeats = _number(self.book, attrs.get("table:number-columns-repeated", "1"))
            values = [attrs[k] for k in _ODS_VALUES if k in attrs]
            formula = attrs.get("table:formula", "")
            from_content = attrs.get("office:value-type") == "string" and not values
            cell = _OdsCell(repeats, bool(values) or from_content or bool(formula))
            cell.from_content = from_content
            cell.depth = self.depth
            self.cell = cell
            longest = max([len(v) for v in values] + [len(formula)])
            self._add(cell, sum(len(v.encode()) for v in [*values, formula]), longest)

    def text(self, data: str) -> None:
        cell = self.cell
        if cell is not None and cell.from_content and not self.note:
            self._add(cell, len(data.encode()), len(data))

    def _add(self, cell: _OdsCell, nbytes: int, chars: int) -> None:
        cell.bytes += nbytes
        cell.chars += chars
        if cell.chars > MAX_CELL_CHARS:
            column = min(self.row_width + self.pending, _ODS_COLUMNS - 1) + 1
            raise self.book.refuse_cell(self.sheet or "", self.rows + 1, column, cell.chars)

    def end(self, name: str) -> None:
        if self.note and self.depth == self.note:
            self.note = 0
        elif self.cell is not None:
            if self.depth == self.cell.depth:
                self._close_cell(self.cell)
                self.cell = None
        elif self.sheet is not None and name == "table:table-row":
            self._close_row()
        elif self.sheet is not None and self.depth == self.table_depth:
            if self.last_row:
                self.measured.append(SheetFacts(self.sheet, self.last_row, self.columns))
            self.book.cells += self.last_row * self.columns
            self.sheet = None
        self.depth -= 1

    def _close_cell(self, cell: _OdsCell) -> None:
        self.row_width += min(self.pending, max(_ODS_COLUMNS - self.row_width, 0))
        self.pending = 0
        repeats = min(cell.repeats, max(_ODS_COLUMNS - self.row_width, 0))
        if not cell.has_value:
            self.pending = repeats
            return
        self.row_width += repeats
        self.row_values = self.row_width
        # The sheet reaches at least this far: refused before its text is counted.
        self._check(self.rows + self.row_repeats, max(self.columns, self.row_values))
        # The reader keeps the value and formula once per repeat, per repeat of the row.
        self.book.add_text(cell.bytes * repeats * max(self.row_repeats, 1))

    def _close_row(self) -> None:
        self.book.cells += self.row_width  # kept once per row element, before its repeats
        self.rows += self.row_repeats
        if self.row_values:
            self.last_row = self.rows
            self.columns = max(self.columns, self.row_values)
        self._check(self.last_row, self.columns)

    def _check(self, rows: int, columns: int) -> None:
        """The sheet so far (its rectangle), then the file: the rectangles of the sheets
        before, the cells of every row element, and this sheet's rectangle."""
        self.book.check_extent(self.sheet or "", rows, columns)
        if self.book.cells + rows * columns > MAX_CELLS:
            cells = self.book.cells + rows * columns
            raise self.book.refuse("book_too_many_cells", cells=cells, limit=MAX_CELLS)


@dataclass
class _OdsCell:
    repeats: int
    has_value: bool
    from_content: bool = False  # a string whose text is the cell's content
    depth: int = 0
    bytes: int = 0
    chars: int = 0


# ---------------------------------------------------------------------------------------------
# .xls (Excel 97–2003): a compound file holding a BIFF8 record stream

_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA
_DIFSECT = 0xFFFFFFFC
# The records the reader makes cells of: number, label, rich label, boolean or error, RK,
# label of a shared string, several RKs, formula, and the text a formula gave.
_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x0006, 0x0207})


def check_xls(path: Path) -> Measured:
    """Measure the .xls workbook at ``path`` as the reader will read it: the compound file's
    chains (a loop would grow the reader's buffers without end), every sheet's declared and
    real extent, and the text of its cells (a shared string once per cell)."""
    book = _Book(path)
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise book.refuse("file_too_big", mb=size // MIB, limit=MAX_XLS_BYTES // MIB)
    data = path.read_bytes()
    try:
        stream = _Compound(book, data).workbook()
        return _Biff(book, stream).check()
    except (IndexError, struct.error) as exc:
        raise book.refuse("file_unreadable", reason="xls") from exc


class _Compound:
    """The compound-file container, followed as the reader follows it."""

    def __init__(self, book: _Book, data: bytes) -> None:
        self.book, self.data = book, data
        if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise book.refuse("file_unreadable", reason="OLE2")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise book.refuse("file_unreadable", reason="OLE2")
        self.size = 1 << shift
        self.sectors = len(data) // self.size  # the reader's last sector number
        fat_length, self.dir_start = struct.unpack_from("<II", data, 44)
        self.mini_start, self.mini_length, difat_start = struct.unpack_from("<III", data, 60)
        # The reader reserves room for this many entries, as it reads them from the header.
        reserved = struct.unpack_from("<I", data, 62)[0]
        if fat_length > self.sectors + 1 or reserved > (1 << 24):
            raise self._damaged("header")
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < _RESERVED:  # the reader follows this chain without looking for a loop
            if sector in seen:
                raise self._damaged("chain")
            seen.add(sector)
            difat.extend(self._words(sector))
            sector = difat.pop()
        fat_sectors = [sector for sector in difat if sector < _DIFSECT]
        # The reader copies each listed sector, however often it is listed.
        if len(fat_sectors) > self.sectors * 4 // self.size + 2:
            raise self._damaged("FAT")
        self.fat = [entry for sector in fat_sectors for entry in self._words(sector)]
        self.mini_fat: list[int] = []

    def _damaged(self, what: str) -> InputFileError:
        return self.book.refuse("file_unreadable", reason=f"OLE2 {what}")

    def _sector(self, number: int) -> bytes:
        if number > self.sectors:
            raise self._damaged("sector")
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def _words(self, number: int) -> tuple[int, ...]:
        block = self._sector(number)
        return struct.unpack_from(f"<{len(block) // 4}I", block)

    def _chain(self, sector: int, length: int, mini: bytes | None = None) -> bytes:
        """At most ``length`` bytes of a chain of sectors (of the mini stream if given); a
        chain that loops or leaves the file is refused (the reader would grow without end,
        or fail)."""
        fat = self.mini_fat if mini is not None else self.fat
        pieces, total, seen = [], 0, set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise self._damaged("chain")
            seen.add(sector)
            block = mini[sector * 64 : sector * 64 + 64] if mini is not None else b""
            block = block if mini is not None else self._sector(sector)
            if not block:
                raise self._damaged("chain")
            pieces.append(block[: length - total])
            total += len(pieces[-1])
            if total >= length:
                break
            if sector >= len(fat):
                raise self._damaged("chain")
            sector = fat[sector]
        return b"".join(pieces)

    def workbook(self) -> bytes:
        """The Workbook stream, as the reader finds it."""
        directory = self._chain(self.dir_start, len(self.data))
        entries = []
        for at in range(0, len(directory) - 127, 128):
            name = directory[at : at + 64].decode("utf-16-le", "replace").split("\0", 1)[0]
            start = struct.unpack_from("<I", directory, at + 116)[0]
            wide = "<I" if self.size == 512 else "<Q"
            entries.append((name, start, struct.unpack_from(wide, directory, at + 120)[0]))
        if not entries:
            raise self._damaged("directory")
        mini = b""
        if self.mini_length > 0:
            mini = self._chain(entries[0][1], entries[0][2])
            table = self._chain(self.mini_start, self.mini_length * self.size)
            self.mini_fat = list(struct.unpack_from(f"<{len(table) // 4}I", table))
        for wanted in ("Workbook", "Book", "WORKBOOK", "BOOK"):
            for name, start, length in entries:
                if name == wanted:
                    return self._chain(start, length, mini if length < 4096 else None)
        raise self.book.refuse("file_unreadable", reason="Workbook")


class _Biff:
    """The records of the Workbook stream, as the reader reads them: the globals (shared
    strings, sheet positions), then each sheet from its position to its end, all kept."""

    def __init__(self, book: _Book, stream: bytes) -> None:
        self.book, self.stream = book, stream
        self.shared: list[int] = []  # bytes of each shared string in the reader (UTF-8)

    def records(self, at: int) -> Iterator[tuple[int, bytes, list[bytes]]]:
        """(type, data, continuations) from offset ``at``."""
        stream, end = self.stream, len(self.stream)
        while at + 4 <= end:
            kind, length = struct.unpack_from("<HH", stream, at)
            data = stream[at + 4 : at + 4 + length]
            at += 4 + length
            more = []
            while at + 4 <= end and struct.unpack_from("<H", stream, at)[0] == 0x003C:
                length = struct.unpack_from("<H", stream, at + 2)[0]
                more.append(stream[at + 4 : at + 4 + length])
                at += 4 + length
            yield kind, data, more

    def check(self) -> Measured:
        sheets = []
        for kind, data, more in self.records(0):
            if kind == 0x002F and data[:2] != b"\0\0":
                raise self.book.refuse("file_password")
            if kind == 0x0809 and data[:2] not in (b"\x00\x06", b"\0\0"):
                raise self.book.refuse("file_old_biff")
            if kind == 0x0085:
                sheets.append((struct.unpack_from("<I", data)[0], _short_name(data[6:])))
            elif kind == 0x00FC:
                self.shared = _shared_xls(self.book, data, more)
            elif kind == 0x000A:
                break
        measured = Measured()
        for at, name in sheets:
            if at > len(self.stream):
                raise self.book.refuse("sheet_unreadable", sheet=name, reason="position")
            measured.sheets.append(self._sheet(at, name))
        return measured

    # One loop over a sheet's records, per record, kept whole: the hot path of an .xls.
    def _sheet(self, at: int, name: str) -> SheetFacts:  # noqa: C901 - see the line above
        """A sheet's records from ``at`` to its end (those of an embedded chart skipped, as
        the reader skips them): its extent, cells and text, and its formulas' extent (the
        reader keeps a second rectangle of them)."""
        stream, end, unpack = self.stream, len(self.stream), struct.unpack_from
        shared, known = self.shared, len(self.shared)
        rows = columns = cells = formula_rows = formula_columns = text = 0
        depth, seen_bof = 0, False
        while at + 4 <= end:
            kind, length = unpack("<HH", stream, at)
            data, at = at + 4, at + 4 + length
            if depth:
                depth += 1 if kind == 0x0809 else -1 if kind == 0x000A else 0
                continue
            if kind == 0x0809:
                depth, seen_bof = (depth + 1 if seen_bof else depth), True
                continue
            if kind == 0x000A:
                break
            if kind == 0x0200:
                self._dimensions(name, stream[data:at])
                continue
            if kind not in _CELLS or length < 6 or at > end:
                continue  # not a cell, or one the reader refuses the file for
            if kind == 0x0207:  # the text of the formula before, at its place
                text += 2 * unpack("<H", stream, data)[0]
                continue
            row, col = unpack("<HH", stream, data)
            last = col
            if kind == 0x00BD:  # several numbers in a row
                last = unpack("<H", stream, at - 2)[0]
                if last < col:
                    continue
            elif kind == 0x00FD:
                if length < 10:
                    continue
                index = unpack("<I", stream, data + 6)[0]
                if index >= known:
                    continue  # the reader keeps no cell for it
                text += shared[index]
            elif kind in (0x0204, 0x00D6):
                text += 2 * unpack("<H", stream, data + 6)[0]
            elif kind == 0x0006:
                text += 8 * length  # the formula, written out as text
                formula_rows, formula_columns = (
                    max(formula_rows, row + 1),
                    max(formula_columns, col + 1),
                )
            cells += last - col + 1
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        self.book.add_text(text)
        facts = SheetFacts(name, rows, columns, cells)
        for sheet in (facts, SheetFacts(name, formula_rows, formula_columns, formula_rows)):
            if sheet.rows:
                self.book.add_sheet(sheet)
        return facts

    def _dimensions(self, name: str, data: bytes) -> None:
        """The reader reserves room for the cells a sheet declares, as it computes them."""
        if len(data) == 10:
            first, last, left, right = struct.unpack_from("<HHHH", data)
        elif len(data) == 14:
            first, last, left, right = struct.unpack_from("<IIHH", data)
        else:
            return  # the reader refuses the file
        if left > 0xFF or right < left:
            left = 0
        end_row, end_col = (last - 1, right - 1) if last >= 1 and right >= 1 else (first, left)
        rows = (end_row - first + 1) % (1 << 32)
        columns = (end_col - left + 1) % (1 << 32)
        if rows * columns > MAX_CELLS:
            self.book.check_extent(name, rows, columns)
            raise self.book.refuse("book_too_many_cells", cells=rows * columns, limit=MAX_CELLS)


def _short_name(data: bytes) -> str:
    """A sheet's name in a BoundSheet8 record (ShortXLUnicodeString)."""
    if len(data) < 2:
        return "?"
    count, wide = data[0], data[1] & 1
    raw = data[2 : 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


# One walk of the string table, kept whole: a string may go on in the next continuation.
def _shared_xls(book: _Book, data: bytes, more: list[bytes]) -> list[int]:  # noqa: C901
    """An estimate of the UTF-8 bytes of each string of an SST record and its continuations
    (2 per character), walked as the reader walks them: a string's characters may go on in
    the next continuation, which then starts with a new flag byte. A string beyond the
    per-cell limit is refused."""
    if len(data) < 8:
        raise IndexError
    pieces = [data[8:], *more]
    part = at = 0
    lengths: list[int] = []

    def room() -> int:
        return len(pieces[part]) - at

    def next_piece() -> bool:
        nonlocal part, at
        if part + 1 >= len(pieces):
            return False
        part, at = part + 1, 0
        return True

    while room() > 0 or next_piece():
        if room() == 0:
            lengths.append(0)  # an empty continuation: the reader reads an empty string
            continue
        if room() < 3:
            raise IndexError
        count, flags = struct.unpack_from("<HB", pieces[part], at)
        at += 3
        runs = extra = 0
        if flags & 0x8:
            runs = struct.unpack_from("<H", pieces[part], at)[0]
            at += 2
        if flags & 0x4:
            extra = struct.unpack_from("<i", pieces[part], at)[0]
            at += 4
        if count > MAX_CELL_CHARS:
            raise book.refuse("text_too_long", part="SST", chars=count, limit=MAX_CELL_CHARS)
        left, wide = count, flags & 1
        while left > 0:
            taken = min(room() // 2 if wide else room(), left)
            at += 2 * taken if wide else taken
            left -= taken
            if left > 0:
                if not next_piece():
                    raise IndexError
                wide, at = pieces[part][0] & 1, 1
        skip = runs * 4 + extra
        if skip < 0:
            raise IndexError
        while skip > 0:
            if room() == 0 and not next_piece():
                raise IndexError
            step = min(skip, room())
            at, skip = at + step, skip - step
        lengths.append(2 * count)
        if len(lengths) > MAX_CELLS:
            raise book.refuse("text_count", part="SST", count=len(lengths), limit=MAX_CELLS)
    return lengths
