"""Spreadsheets made to take the process down: every one is refused with one line naming the
file (and the sheet, row and column where there is one), exit 2, before the reader can
allocate.

Each hostile file is generated here. `simad validate` runs on all of them in one child process
(its command-line entry point, once per file): a native abort of the reader (exit 134, not an
exception) fails these tests instead of taking pytest down, and the child's peak memory is
read for each file from /proc where there is one. ``read_file`` is also checked in-process.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from pipeline.core import i18n
from pipeline.core.errors import InputFileError
from pipeline.sheets.fields import fields
from pipeline.sheets.guard import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PARTS,
    MAX_RATIO,
    MAX_ROWS,
    check_workbook,
    column_letter,
)
from pipeline.sheets.reader import read_file, read_grids

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship '
        f'Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}">'
        '<sheets><sheet name="residents" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship '
        f'Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"
CHILD_PEAK_MB = 600  # a refusal reads little: generous, far below what these files once took


@pytest.fixture(autouse=True)
def english():
    i18n.set_lang("en")
    yield
    i18n.set_lang("fa")


# -------------------------------------------------------------------------------------------
# Writing workbooks by hand


def header_row() -> str:
    """Row 1: the residents headers, so that the sheet is one the tool would read."""
    cells = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr"><is><t>{f.label_fa}</t></is></c>'
        for i, f in enumerate(fields("residents"))
    )
    return f'<row r="1">{cells}</row>'


def sheet(rows: str = "", head: str = "", root: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"{root}>{head}'
        f"<sheetData>{header_row()}{rows}</sheetData></worksheet>"
    )


def xlsx(
    path: Path, sheet_xml: str | Iterable[bytes], shared: str | None = None, *, level: int = 6
) -> Path:
    """A workbook of one sheet named residents; the sheet's XML may come in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        if shared is not None:
            z.writestr(SHARED, shared)
        if isinstance(sheet_xml, str):
            z.writestr(SHEET, sheet_xml)
        else:
            with z.open(SHEET, "w", force_zip64=True) as part:
                for piece in sheet_xml:
                    part.write(piece)
    return path


def shared_strings(*items: str) -> str:
    body = "".join(f"<si>{item}</si>" for item in items)
    return f'<sst xmlns="{MAIN}" count="{len(items)}" uniqueCount="{len(items)}">{body}</sst>'


def letters(n: int, seed: int = 1) -> str:
    """``n`` random letters: text that does not pack much."""
    return "".join(random.Random(seed).choices("abcdefghijklmnopqrstuvwxyz", k=n))


def raw_zip(path: Path, parts: dict[str, str], lies: dict[str, dict[str, int]]) -> Path:
    """A zip written by hand, so that its directory can say what is not so: for a part in
    ``lies``, ``size`` (unpacked) and ``padding`` (bytes after its packed data, counted in
    its packed size)."""
    files, directory = b"", b""
    for name, text in parts.items():
        data = text.encode()
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        lie = lies.get(name, {})
        packed += b"\0" * lie.get("padding", 0)
        size, crc, raw_name = lie.get("size", len(data)), zlib.crc32(data), name.encode()
        fixed = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(packed), size)
        directory += b"PK\x01\x02" + struct.pack("<H", 20) + fixed
        directory += struct.pack("<HHHHHII", len(raw_name), 0, 0, 0, 0, 0, len(files))
        directory += raw_name
        files += b"PK\x03\x04" + fixed + struct.pack("<HH", len(raw_name), 0) + raw_name + packed
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(files), 0
    )
    path.write_bytes(files + directory + end)
    return path


def ods(path: Path, table: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="residents">{table}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff(cells: list[tuple[int, int, str]], dimensions=None, sheets: int = 1) -> bytes:
    """A BIFF8 Workbook stream: shared strings and one sheet of string cells (LabelSst)."""
    strings = sorted({text for _, _, text in cells})
    number = {text: i for i, text in enumerate(strings)}
    body = b"".join(
        record(0x00FD, struct.pack("<HHHI", r, c, 0, number[text])) for r, c, text in cells
    )
    rows = max((r for r, _, _ in cells), default=0) + 1
    columns = min(max((c for _, c, _ in cells), default=0) + 1, 255)
    first, last, left, right = dimensions or (0, rows, 0, columns)
    bof = struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0)
    worksheet = record(0x0809, bof) + record(
        0x0200, struct.pack("<IIHHH", first, last, left, right, 0)
    )
    worksheet += body + record(0x000A)

    def book_globals(at: int) -> bytes:
        out = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
        for i in range(sheets):
            name = ("residents" if i == 0 else f"copy {i:04d}").encode("utf-16-le")
            out += record(0x0085, struct.pack("<IBBBB", at, 0, 0, len(name) // 2, 1) + name)
        return out + _sst(strings) + record(0x000A)

    return book_globals(len(book_globals(0))) + worksheet


def _sst(strings: list[str]) -> bytes:
    """An SST record and its continuations, a string's characters running on into the next
    one after a flag byte."""
    limit, pieces = 8224, []
    current = struct.pack("<II", len(strings), len(strings))
    for text in strings:
        if len(current) + 5 > limit:
            pieces.append(current)
            current = b""
        current += struct.pack("<HB", len(text), 1)
        data = text.encode("utf-16-le")
        while data:
            room = (limit - len(current)) // 2 * 2
            if room <= 0:
                pieces.append(current)
                current = b"\x01"
                continue
            current, data = current + data[:room], data[room:]
    pieces.append(current)
    return record(0x00FC, pieces[0]) + b"".join(record(0x003C, p) for p in pieces[1:])


def compound(stream: bytes) -> bytes:
    """A compound file of 512-byte sectors holding ``stream`` as its Workbook."""
    stream += b"\0" * max(0, 4096 - len(stream))
    stream += b"\0" * (-len(stream) % 512)
    count = len(stream) // 512
    fats = 1
    while fats * 128 < fats + 1 + count:
        fats += 1
    first = fats + 1
    fat = [0xFFFFFFFD] * fats + [0xFFFFFFFE] + [first + i + 1 for i in range(count - 1)]
    fat += [0xFFFFFFFE] + [0xFFFFFFFF] * (fats * 128 - fats - 1 - count)

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        head = raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
        return (
            head
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\0" * 36
            + (struct.pack("<IQ", start, size))
        )

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    directory += entry("Workbook", 2, first, len(stream))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<9I", 0, fats, fats, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", *range(fats), *([0xFFFFFFFF] * (109 - fats)))
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory.ljust(512, b"\0") + stream


def xls(path: Path, stream: bytes) -> Path:
    path.write_bytes(compound(stream))
    return path


HEADERS = [(0, c, f.label_fa) for c, f in enumerate(fields("residents"))]


def csv_header() -> str:
    return ",".join(f.label_fa for f in fields("residents")) + "\n"


# -------------------------------------------------------------------------------------------
# The hostile files: each refused, its message holding these words

CASES: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {}


def hostile(*words: str) -> Callable[[Callable[[Path], Path]], Callable[[Path], Path]]:
    def register(make: Callable[[Path], Path]) -> Callable[[Path], Path]:
        CASES[make.__name__] = (make, words)
        return make

    return register


@hostile("residents", "1048576 rows", str(MAX_ROWS))
def lying_dimension_and_a_cell_at_xfd1048576(folder: Path) -> Path:
    """6 KB: the sheet declares A1:Q6 and holds one more cell, at XFD1048576."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx(folder / "lying.xlsx", sheet(far, head='<dimension ref="A1:Q6"/>'))


@hostile("residents", "1048576 rows")
def a_cell_at_xfd1048576_without_a_dimension(folder: Path) -> Path:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(folder / "far.xlsx", sheet(far))


@hostile("residents", "30000000 rows")
def a_cell_claiming_row_30_million(folder: Path) -> Path:
    far = '<row r="30000000"><c r="A30000000"><v>1</v></c></row>'
    return xlsx(folder / "claim.xlsx", sheet(far, head='<dimension ref="A1:Q6"/>'))


@hostile(SHEET, "512 MB")
def thirty_million_rows_under_a_small_dimension(folder: Path) -> Path:
    """4.5 MB on disk: 30 million rows of one cell, none numbered, under A1:Q6."""
    block = b"<row><c><v>1</v></c></row>" * 40_000
    head = sheet(head='<dimension ref="A1:Q6"/>').split("</sheetData>")[0].encode()
    pieces = [head, *([block] * 750), b"</sheetData></worksheet>"]
    return xlsx(folder / "rows.xlsx", pieces, level=1)


@hostile("residents", "rows", str(MAX_ROWS))
def rows_without_numbers_counted_as_the_reader_counts_them(folder: Path) -> Path:
    rows = "".join(f"<row><c><v>{i}</v></c></row>" for i in range(MAX_ROWS + 20))
    return xlsx(folder / "counted.xlsx", sheet(rows))


@hostile("residents", "column XFD", str(MAX_CELLS))
def cells_without_references_placed_far_right(folder: Path) -> Path:
    """A cell without a reference goes after the one before it: after formatting at XFC, at
    XFD. 400 such rows reach beyond the cell limit."""
    row = '<row><c r="XFC{r}" s="1"/><c><v>1</v></c></row>'
    rows = "".join(row.format(r=r) for r in range(2, 402))
    return xlsx(folder / "counting.xlsx", sheet(rows))


def unusual(name: str, cell: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        rows = f'<row r="1048576">{cell}</row>'
        return xlsx(folder / f"{name}.xlsx", sheet(rows, root=f' xmlns:x="{MAIN}"'))

    make.__name__ = f"unusual_xml_{name}"
    return hostile("residents", "1048576")(make)


unusual("prefixed", '<x:c r="XFD1048576"><x:v>1</x:v></x:c>')  # the reader ignores prefixes
unusual("comment", '<!-- a comment --><c r="XFD1048576"><v>1</v></c>')
unusual("reference_not_first", '<c t="n" r="XFD1048576"><v>1</v></c>')
unusual("single_quotes", "<c r='XFD1048576'><v>1</v></c>")


@hostile("residents", "row 400", "column XFD", "delete them")
def a_wide_sheet_of_values(folder: Path) -> Path:
    cells = "".join(
        f'<c r="{column_letter(c)}2"><v>1</v></c>' for c in [*range(0, 16_383, 7), 16_383]
    )
    rows = f'<row r="2">{cells}</row><row r="400"><c r="A400"><v>1</v></c></row>'
    return xlsx(folder / "wide.xlsx", sheet(rows))


@hostile(SHEET, "damaged")
def a_part_larger_than_its_directory_says(folder: Path) -> Path:
    rows = '<row r="2"><c r="A2"><v>1</v></c></row>'
    return raw_zip(folder / "lies.xlsx", {**PARTS, SHEET: sheet(rows)}, {SHEET: {"size": 100}})


@hostile(SHEET, f"{MAX_RATIO}:1")
def a_part_packed_a_thousand_to_one(folder: Path) -> Path:
    blanks = " " * (5 * 2**20)
    return xlsx(folder / "ratio.xlsx", sheet(f'<row r="2">{blanks}<c r="A2"><v>1</v></c></row>'))


@hostile(SHEET, f"{MAX_RATIO}:1")
def a_ratio_the_directory_hides(folder: Path) -> Path:
    """The directory says the part is packed into 1 MB (5:1); its packed data are 5 KB and
    padding: the ratio is of what unpacking consumes."""
    rows = f'<row r="2">{" " * (5 * 2**20)}<c r="A2"><v>1</v></c></row>'
    lie = {SHEET: {"padding": 2**20}}
    return raw_zip(folder / "padded.xlsx", {**PARTS, SHEET: sheet(rows)}, lie)


@hostile(str(MAX_PARTS))
def ten_thousand_parts(folder: Path) -> Path:
    path = xlsx(folder / "parts.xlsx", sheet())
    with zipfile.ZipFile(path, "a") as z:
        for i in range(MAX_PARTS + 1):
            z.writestr(f"x/{i}", b"")
    return path


@hostile(SHARED, "50000 characters", str(MAX_CELL_CHARS))
def a_huge_shared_string(folder: Path) -> Path:
    """50,000 characters in ten formatting runs: a cell holds at most 32,767."""
    runs = "".join(f"<r><t>{letters(5_000, seed)}</t></r>" for seed in range(10))
    rows = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return xlsx(folder / "shared.xlsx", sheet(rows), shared_strings(runs))


@hostile("residents", "row 3, column B", "40000 characters")
def a_huge_inline_string(folder: Path) -> Path:
    rows = f'<row r="3"><c r="B3" t="inlineStr"><is><t>{letters(40_000)}</t></is></c></row>'
    return xlsx(folder / "inline.xlsx", sheet(rows))


@hostile("MB of text")
def a_long_string_shown_by_every_cell(folder: Path) -> Path:
    """A shared string of 30,000 characters shown by 10,000 cells: each cell gets its own
    copy in the reader, 300 MB of text from a file of 100 KB."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, 10_002))
    shared = shared_strings(f"<t>{letters(30_000)}</t>")
    return xlsx(folder / "copies.xlsx", sheet(rows), shared)


@hostile(SHARED, "texts", str(MAX_CELLS))
def a_shared_string_count_that_reserves_gigabytes(folder: Path) -> Path:
    shared = f'<sst xmlns="{MAIN}" count="1" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    return xlsx(folder / "count.xlsx", sheet(), shared)


@hostile(SHEET, "without markup")
def an_error_cell_then_megabytes_of_blanks(folder: Path) -> Path:
    """Blanks that do not pack much (spaces, tabs and newlines mixed): a run of 3 MB
    without markup, which the XML reader would hold whole."""
    blanks = "".join(random.Random(3).choices(" \t\r\n", k=3 * 2**20))
    rows = f'<row r="2"><c r="A2" t="e"><v>#N/A</v></c>{blanks}</row>'
    return xlsx(folder / "blanks.xlsx", sheet(rows))


@hostile("residents", "row 5000", "column XFD")
def ods_repeat_counts_expanding_to_millions_of_cells(folder: Path) -> Path:
    table = (
        '<table:table-row table:number-rows-repeated="5000"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )
    return ods(folder / "repeats.ods", table)


@hostile("residents", "row 1, column A", str(MAX_CELL_CHARS))
def ods_spaces_expanding_to_a_gigabyte(folder: Path) -> Path:
    table = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
        '<text:s text:c="1000000000"/></text:p></table:table-cell></table:table-row>'
    )
    return ods(folder / "spaces.ods", table)


@hostile("residents", "rows")
def xls_declaring_four_billion_rows(folder: Path) -> Path:
    """The reader reserves room for the declared cells before reading any: 40 TB."""
    stream = biff(HEADERS, dimensions=(0, 0xFFFFFFFF, 0, 255))
    return xls(folder / "dimensions.xls", stream)


@hostile("residents", "rows")
def xls_declaring_rows_backwards(folder: Path) -> Path:
    return xls(folder / "backwards.xls", biff(HEADERS, dimensions=(5, 2, 0, 17)))


@hostile("residents", "row 65536", str(MAX_CELLS))
def xls_with_a_cell_at_the_last_row_and_column(folder: Path) -> Path:
    return xls(folder / "far.xls", biff([*HEADERS, (65535, 255, "x")], (0, 1, 0, 17)))


@hostile("MB of text")
def xls_with_one_long_string_in_every_cell(folder: Path) -> Path:
    text = letters(30_000)
    return xls(folder / "copies.xls", biff([*HEADERS, *[(r, 0, text) for r in range(1, 4_000)]]))


@hostile("OLE2")
def xls_whose_directory_chain_loops(folder: Path) -> Path:
    """The reader would follow the loop, growing its buffer until memory ran out."""
    data = bytearray(compound(biff(HEADERS)))
    struct.pack_into("<I", data, 512 + 4, 1)  # the directory's sector points to itself
    path = folder / "loop.xls"
    path.write_bytes(bytes(data))
    return path


@hostile(str(MAX_CELLS))
def xls_with_one_sheet_under_many_names(folder: Path) -> Path:
    """Every name is read, and kept, however many names share the sheet's records."""
    return xls(folder / "names.xls", biff([*HEADERS, (1999, 19, "x")], sheets=140))


@hostile("binary", ".xlsx")
def xlsb(folder: Path) -> Path:
    path = folder / "binary.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return path


@hostile("line 2, column A", str(MAX_CELL_CHARS))
def a_big_one_field_csv(folder: Path) -> Path:
    """30 MB in one field."""
    path = folder / "one-field.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(csv_header())
        for _ in range(30):
            out.write("a" * 2**20)
        out.write("\n")
    return path


@hostile("cells", str(MAX_CELLS))
def a_wide_csv(folder: Path) -> Path:
    path = folder / "wide.csv"
    row = ",".join(["ab"] * 999) + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(csv_header())
        out.write(row * (MAX_CELLS // 999 + 10))
    return path


@hostile(str(MAX_COLUMNS))
def a_csv_line_of_millions_of_fields(folder: Path) -> Path:
    path = folder / "line.csv"
    path.write_text("a," * 5 * 2**20, encoding="utf-8")
    return path


@hostile(str(MAX_COLUMNS + 1), str(MAX_COLUMNS))
def a_csv_with_too_many_columns(folder: Path) -> Path:
    path = folder / "columns.csv"
    path.write_text(",".join(["x"] * (MAX_COLUMNS + 1)) + "\n", encoding="utf-8")
    return path


# -------------------------------------------------------------------------------------------
# One child process runs `simad validate` on each

CHILD = """
import json, sys
from typer.testing import CliRunner
from pipeline.cli import app

def peak():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except OSError:
        return None

runner = CliRunner()
for name, path, report in json.loads(sys.argv[1]):
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the high-water mark starts again from here
    except OSError:
        pass
    done = runner.invoke(app, ["--lang", "en", "validate", path, "--report", report])
    print(json.dumps({"name": name, "code": done.exit_code, "stderr": done.stderr,
                      "stdout": done.stdout, "peak": peak()}), flush=True)
"""


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: make(folder) for name, (make, _) in CASES.items()}


@pytest.fixture(scope="module")
def verdicts(hostile_files, tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("verdicts")
    jobs = [[name, str(path), str(folder / f"{name}.xlsx")] for name, path in hostile_files.items()]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(jobs)],
        env={**os.environ, "SIMAD_HOME": str(folder / "home")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    found = {v["name"]: v for v in map(json.loads, done.stdout.splitlines())}
    for name, _, _ in jobs:  # what the child never answered: it died on the file before
        found.setdefault(name, {"code": done.returncode, "stderr": done.stderr[-3000:]})
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_simad_validate_refuses(verdicts, hostile_files, name):
    verdict, words, path = verdicts[name], CASES[name][1], hostile_files[name]
    said = verdict["stderr"].strip().splitlines()
    assert verdict["code"] == 2, verdict
    assert "Traceback" not in verdict["stderr"] + verdict.get("stdout", "")
    assert len(said) == 1 and said[0].startswith("Error: ") and path.name in said[0], said
    for word in words:
        assert word in said[0], said[0]
    if verdict["peak"] is not None:
        assert verdict["peak"] / 1024 < CHILD_PEAK_MB, verdict["peak"]


@pytest.mark.parametrize("name", list(CASES))
def test_read_file_refuses(hostile_files, name):
    with pytest.raises(InputFileError) as info:
        read_file(hostile_files[name])
    assert info.value.exit_code == 2 and hostile_files[name].name in str(info.value)


def test_simad_validate_as_a_command(tmp_path):
    """The whole command in its own process: the 6 KB file that made the reader abort."""
    path = lying_dimension_and_a_cell_at_xfd1048576(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "validate",
            str(path),
            "--report",
            str(tmp_path / "r.xlsx"),
        ],
        env={**os.environ, "SIMAD_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines() == [
        f"Error: {path} › residents: the sheet has 1048576 rows; more than {MAX_ROWS} are not "
        "accepted. Split it into several files."
    ]


# -------------------------------------------------------------------------------------------
# What must still be read


def test_formatting_to_column_xfd_on_every_row_is_read(tmp_path):
    """Formatting-only cells reaching XFD on 2,000 rows: trimmed, never loaded."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>9812{r:04d}</t></is></c>'
        f'<c r="XFD{r}" s="1"/></row>'
        for r in range(2, 2_002)
    )
    [(_, grid)] = read_grids(xlsx(tmp_path / "formatted.xlsx", sheet(rows)))
    assert len(grid) == 2_001 and max(len(row) for row in grid) == 17


def test_error_values_are_still_read_as_text(tmp_path):
    rows = (
        '<row r="2"><c r="C2" t="e"><v>#N/A</v></c>'
        '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    )
    [(_, grid)] = read_grids(xlsx(tmp_path / "errors.xlsx", sheet(rows)))
    assert grid[1][2:4] == ["#N/A", "#DIV/0!"]


def test_ods_formatting_to_the_last_row_and_column_is_read(tmp_path):
    """As LibreOffice writes every sheet: the empty rest repeated to the last row."""
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{f.label_fa}</text:p>'
        "</table:table-cell>"
        for f in fields("residents")
    )
    table = (
        f"<table:table-row>{cells}"
        '<table:table-cell table:number-columns-repeated="16367"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    [(_, grid)] = read_grids(ods(tmp_path / "formatted.ods", table))
    assert len(grid) == 1 and len(grid[0]) == 17


def test_an_ods_led_by_formulas_without_a_value_keeps_its_row_numbers(tmp_path):
    """Three rows of formulas without a value, then a header and a resident: the reader's
    range starts below the formulas but gives its rows from the first, so they were padded
    for twice and the resident read as row 8 (a clerk sent to the wrong row)."""
    header = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{f.label_fa}</text:p>'
        "</table:table-cell>"
        for f in fields("residents")
    )
    table = (
        '<table:table-row table:number-rows-repeated="3">'
        '<table:table-cell table:formula="of:=1"/></table:table-row>'
        f"<table:table-row>{header}</table:table-row>"
        '<table:table-row><table:table-cell office:value-type="string"><text:p>98123001'
        "</text:p></table:table-cell></table:table-row>"
    )
    [(_, grid)] = read_grids(ods(tmp_path / "led.ods", table))
    assert len(grid) == 5, grid
    assert grid[3][0] == fields("residents")[0].label_fa and grid[4][0] == "98123001"


def test_xls_that_reads(tmp_path):
    path = xls(tmp_path / "ok.xls", biff([*HEADERS, (1, 0, "98123001")]))
    [(name, grid)] = read_grids(path)
    assert name == "residents" and grid[1][0] == "98123001" and len(grid[0]) == 17


# -------------------------------------------------------------------------------------------
# The fast scan and the exact parse agree, and neither sees less than the reader

KINDS = {
    "number": '<c{ref} s="1"><v>{n}</v></c>',
    "shared": '<c{ref} t="s"><v>{s}</v></c>',
    "inline": '<c{ref} t="inlineStr"><is><t>{text}</t></is></c>',
    "formula text": '<c{ref} t="str"><f>A1</f><v>{text}</v></c>',
    "error": '<c{ref} t="e"><v>#N/A</v></c>',
    "formatting": '<c{ref} s="1"/>',
    "empty": '<c{ref} s="1"></c>',
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 300),
            st.one_of(st.integers(0, 30), st.integers(0, 300)),
            st.sampled_from(sorted(KINDS)),
            st.integers(0, 2),
            st.text("abc ", max_size=4),
        ),
        max_size=40,
    ),
    st.sampled_from(["", "\n  "]),
    st.booleans(),
)
def test_the_measured_extent_is_the_readers(cells, indent, numbered):
    """Sheets of every kind of cell, their cells placed by reference (or, ``numbered``
    false, by counting): the fast scan and the exact parse measure the extent the reader
    fills, no less."""
    by_row: dict[int, dict[int, tuple[str, int, str]]] = {}
    for row, col, kind, index, text in cells:
        by_row.setdefault(row, {})[col] = (kind, index, text)
    body = ""
    for r in sorted(by_row):
        written = []
        for c, (kind, index, text) in sorted(by_row[r].items()):
            ref = f' r="{column_letter(c)}{r + 1}"' if numbered else ""
            written.append(KINDS[kind].format(ref=ref, n=r, s=index, text=text))
        number = f' r="{r + 1}"' if numbered else ""
        body += f"<row{number}>{indent}{indent.join(written)}</row>"
    xml = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData>'
    with tempfile.TemporaryDirectory() as folder:
        shared = shared_strings("<t>a</t>", "<t>b</t>", "<t>c</t>")
        path = xlsx(Path(folder) / "s.xlsx", xml + "</worksheet>", shared)
        fast = {s.label: (s.rows, s.columns) for s in check_workbook(path).sheets}
        exact = {s.label: (s.rows, s.columns) for s in check_workbook(path, exact=True).sheets}
        end = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("residents").end
    reader = (end[0] + 1, end[1] + 1) if end else (0, 0)  # (as the .ods test below says)
    assert fast == exact
    assert exact.get("residents", (0, 0)) == reader


ODS_CELLS = {
    "empty": "<table:table-cell{r}/>",
    "number": '<table:table-cell{r} office:value-type="float" office:value="1"/>',
    "text": '<table:table-cell{r} office:value-type="string"><text:p>{text}</text:p>'
    "</table:table-cell>",
    "text value": '<table:table-cell{r} office:value-type="string" office:string-value="s"/>',
    "formula": '<table:table-cell{r} table:formula="of:=1"/>',
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 1, 2, 100]),
            st.lists(
                st.tuples(
                    st.sampled_from(sorted(ODS_CELLS)),
                    st.sampled_from([1, 1, 3, 50]),
                    st.text("ab", max_size=3),
                ),
                max_size=6,
            ),
        ),
        max_size=8,
    )
)
# Repeated empty rows, then an empty row: python-calamine below 0.3.0 read this short.
@example(rows=[(1, [("number", 1, "")]), (2, []), (1, []), (1, [("number", 1, "")])])
def test_the_measured_extent_of_an_ods_is_the_readers(rows):
    """Repeated rows and cells, empty ones kept or not: measured as the reader fills them
    (a cell with only a formula counts, the reader keeping its formula)."""
    table = ""
    for repeats, cells in rows:
        written = "".join(
            ODS_CELLS[kind].format(
                r=f' table:number-columns-repeated="{n}"' if n > 1 else "", text=text
            )
            for kind, n, text in cells
        )
        rows_repeated = f' table:number-rows-repeated="{repeats}"' if repeats > 1 else ""
        table += f"<table:table-row{rows_repeated}>{written}</table:table-row>"
    with tempfile.TemporaryDirectory() as folder:
        path = ods(Path(folder) / "t.ods", table)
        measured = [(s.rows, s.columns) for s in check_workbook(path).sheets] or [(0, 0)]
        # The reader's extent from A1 to its last cell: what to_python(skip_empty_area=False)
        # fills, read from the range's end (that call panicked in python-calamine 0.2.3 on a
        # range whose leading rows hold formulas without a value).
        end = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("residents").end
    reader = (end[0] + 1, end[1] + 1) if end else (0, 0)
    formulas = any(kind == "formula" for _, cells in rows for kind, _, _ in cells)
    rows_seen, columns_seen = measured[0]
    assert (rows_seen, columns_seen) == reader or (
        formulas and rows_seen >= reader[0] and columns_seen >= reader[1]
    )
