"""Hostile inputs for `make bench BENCH=hostile`: the peak memory and time of refusing each,
and the largest inputs the reader accepts, against the 1.5 GB bound. Not a test.

Each hostile file is small on disk and enormous once unpacked, or large but under the file
size limit: a sheet whose declared extent lies and which holds a cell at XFD1048576, 30
million rows, a 1.5 GB cell (shared string and inline string), an error cell followed by 3 GB
of blanks, an .ods whose repeat counts expand to 82 million cells, a 400 MB one-field CSV and
a 486 MB CSV of 999 columns. Every one is refused (exit 2) by `simad validate`, which runs in
its own process with its peak memory read (VmHWM). The accepted cases are the largest the
limits let through: a sheet at the row limit with every cell wrong, as .xlsx and as .csv; the
same at the cell limit (more columns); the same with long values; and its validation report
fed back as input.
"""

from __future__ import annotations

import statistics
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import xlsxwriter

from pipeline.sheets.fields import fields
from pipeline.sheets.reader import MAX_ROWS

from .common import child_status

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + MAIN + b'" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="residents" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN + b'">'
MB = 1 << 20


def header_rows() -> bytes:
    """The residents headers and one row of 17 inline strings, as sheet XML rows 1 and 2."""
    out = []
    for r, texts in ((1, [f.label_fa for f in fields("residents")]), (2, ["x"] * 17)):
        cells = b"".join(
            b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
            % (bytes([65 + c]), r, text.encode())
            for c, text in enumerate(texts)
        )
        out.append(b'<row r="%d">%s</row>' % (r, cells))
    return b"".join(out)


def write_xlsx(path: Path, sheet: Iterable[bytes], shared: Iterable[bytes] = ()) -> Path:
    """An .xlsx whose sheet and shared-string parts are the given pieces, streamed."""
    if path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime:
        return path  # generated data is reused while this module is unchanged
    partial = path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", PACKAGE_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, pieces in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            with z.open(name, "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece)
    partial.replace(path)
    return path


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """``piece`` repeated to ``total`` bytes, in blocks of about 1 MB."""
    block = piece * max(1, MB // len(piece))
    left = total
    while left > 0:
        yield block[:left]
        left -= len(block)


def sst(*strings: Iterable[bytes]) -> Iterator[bytes]:
    yield (
        b'<sst xmlns="'
        + MAIN
        + b'" count="%d" uniqueCount="%d">'
        % (
            len(strings),
            len(strings),
        )
    )
    for pieces in strings:
        yield b"<si><t>"
        yield from pieces
        yield b"</t></si>"
    yield b"</sst>"


def lying_dimension(path: Path) -> Path:
    """6 KB: the sheet declares A1:Q6 and holds one more cell, at XFD1048576."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    end = b"</sheetData></worksheet>"
    return write_xlsx(
        path,
        [SHEET_HEAD, b'<dimension ref="A1:Q6"/><sheetData>', header_rows(), far, end],
        sst([b"x"]),
    )


def thirty_million_rows(path: Path) -> Path:
    """30 million rows of one cell each, without row numbers, under a declared A1:Q6."""
    rows = 30_000_000
    piece = b"<row><c><v>1</v></c></row>"
    return write_xlsx(
        path,
        [
            SHEET_HEAD,
            b'<dimension ref="A1:Q6"/><sheetData>',
            header_rows(),
            *repeated(piece, rows * len(piece)),
            b"</sheetData></worksheet>",
        ],
        sst([b"x"]),
    )


def huge_shared_string(path: Path, size: int = 1536 * MB) -> Path:
    """One shared string of 1.5 GB, referenced by one cell."""
    cell = b'<row r="3"><c r="A3" t="s"><v>0</v></c></row>'
    return write_xlsx(
        path,
        [SHEET_HEAD, b"<sheetData>", header_rows(), cell, b"</sheetData></worksheet>"],
        sst(repeated(b"a", size)),
    )


def huge_inline_string(path: Path, size: int = 1536 * MB) -> Path:
    """One inline string of 1.5 GB."""
    return write_xlsx(
        path,
        [
            SHEET_HEAD,
            b"<sheetData>",
            header_rows(),
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>',
            *repeated(b"a", size),
            b"</t></is></c></row></sheetData></worksheet>",
        ],
        sst([b"x"]),
    )


def error_then_blanks(path: Path, size: int = 3072 * MB) -> Path:
    """An error cell (#N/A), then 3 GB of blanks before the sheet ends."""
    return write_xlsx(
        path,
        [
            SHEET_HEAD,
            b"<sheetData>",
            header_rows(),
            b'<row r="3"><c r="A3" t="e"><v>#N/A</v></c>',
            *repeated(b" ", size),
            b"</row></sheetData></worksheet>",
        ],
        sst([b"x"]),
    )


def ods_repeats(path: Path, rows: int = 5_000, columns: int = 16_384) -> Path:
    """An .ods whose one row of one cell is repeated into ``rows`` × ``columns`` cells."""
    if path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime:
        return path
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="residents">'
        b'<table:table-row table:number-rows-repeated="%d">'
        b'<table:table-cell table:number-columns-repeated="%d" office:value-type="float" '
        b'office:value="1"/></table:table-row></table:table></office:spreadsheet>'
        b"</office:body></office:document-content>" % (rows, columns)
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            zipfile.ZIP_DEFLATED,
        )
    return path


def write_text(path: Path, pieces: Iterable[bytes]) -> Path:
    if path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime:
        return path
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for piece in pieces:
            out.write(piece)
    partial.replace(path)
    return path


def csv_header() -> bytes:
    return ",".join(f.label_fa for f in fields("residents")).encode() + b"\n"


def one_field_csv(path: Path, size: int = 400 * MB) -> Path:
    """The residents headers, then one field of 400 MB."""
    return write_text(path, [csv_header(), *repeated(b"a", size), b"\n"])


def wide_csv(path: Path, size: int = 486 * MB, columns: int = 999) -> Path:
    """486 MB of rows of 999 short fields, under the row limit and the column limit."""
    row = b",".join([b"ab"] * columns) + b"\n"
    return write_text(path, [csv_header(), *repeated(row, size // len(row) * len(row))])


def all_invalid_csv(path: Path, rows: int) -> Path:
    """A residents CSV where every cell of every row is wrong (as the .xlsx worst case)."""
    specs = fields("residents")

    def lines() -> Iterator[bytes]:
        yield csv_header()
        for r in range(1, rows + 1):
            yield (",".join([f"bad{r}x"] * len(specs)) + "\n").encode()

    return write_text(path, lines())


def all_invalid_wide(path: Path, rows: int, extra: int = 0, filler: int = 0) -> Path:
    """A residents sheet where every cell is wrong, each value followed by ``filler``
    characters of Persian text, with ``extra`` more columns of notes."""
    if path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime:
        return path
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("residents")
    specs = fields("residents")
    tail = ("نشانی" * (filler // 5 + 1))[:filler]
    ws.write_row(0, 0, [f.label_fa for f in specs] + [f"note {i}" for i in range(extra)])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"bad{r}x{tail}"] * len(specs) + ["x"] * extra)
    book.close()
    return path


HOSTILE: list[tuple[str, str, Callable[[Path], Path]]] = [
    ("lying-dimension.xlsx", "declares A1:Q6, holds a cell at XFD1048576", lying_dimension),
    ("rows-30m.xlsx", "30 million rows under a declared A1:Q6", thirty_million_rows),
    ("shared-1.5g.xlsx", "one shared string of 1.5 GB", huge_shared_string),
    ("inline-1.5g.xlsx", "one inline string of 1.5 GB", huge_inline_string),
    ("error-blanks.xlsx", "an error cell, then 3 GB of blanks", error_then_blanks),
    ("repeats.ods", ".ods: one cell repeated to 5,000 × 16,384", ods_repeats),
    ("one-field.csv", "400 MB, one field", one_field_csv),
    ("wide.csv", "486 MB, 999 columns", wide_csv),
]


def measure(path: Path, workdir: Path, runs: int) -> tuple[int, str, list[float], list[float]]:
    """`simad validate` on ``path`` ``runs`` times: exit code, first line said, walls, peaks."""
    walls, peaks, code, said = [], [], 0, ""
    command = [sys.executable, "-m", "pipeline", "validate", str(path), "--lang", "en"]
    for _ in range(runs):
        code, said, wall, rss = child_status([*command, "--report", str(workdir / "h.xlsx")])
        walls.append(wall)
        peaks.append(rss)
    return code, said, walls, peaks


def spread(values: list[float], digits: int = 0) -> str:
    low, high = min(values), max(values)
    if len(values) == 1 or round(low, digits) == round(high, digits):
        return f"{statistics.median(values):,.{digits}f}"
    return f"{low:,.{digits}f}–{high:,.{digits}f}"


def bench_hostile(workdir: Path, runs: int = 3) -> list[str]:
    folder = workdir / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"## Hostile inputs refused by `simad validate` ({runs} runs each)",
        "",
        "| file | on disk | exit | peak memory MB | seconds | said |",
        "|---|---|---|---|---|---|",
    ]
    for name, what, make in HOSTILE:
        path = make(folder / name)
        code, said, walls, peaks = measure(path, folder, runs)
        size = path.stat().st_size / MB
        said = said.replace(str(path), name)
        lines.append(
            f"| {what} | {size:,.1f} MB | {code} | {spread(peaks)} | {spread(walls, 2)} "
            f"| {said[:110]} |"
        )
    lines += [
        "",
        f"## Accepted at the limits: `simad validate` against the 1.5 GB bound ({runs} runs)",
        "",
        "| file | on disk | exit | peak memory MB | seconds |",
        "|---|---|---|---|---|",
    ]
    from .validation import generate_all_invalid

    report = folder / "report-fed-back.xlsx"
    accepted = [
        (
            f"{MAX_ROWS:,} rows × 17 columns, every cell wrong (.xlsx)",
            generate_all_invalid(workdir / f"all-invalid-{MAX_ROWS}.xlsx", MAX_ROWS),
        ),
        (
            f"{MAX_ROWS:,} rows × 17 columns, every cell wrong (.csv)",
            all_invalid_csv(folder / f"all-invalid-{MAX_ROWS}.csv", MAX_ROWS),
        ),
        (
            f"{MAX_ROWS:,} rows × 26 columns (cell limit), every cell wrong, 9 notes of a letter",
            all_invalid_wide(folder / f"wide-{MAX_ROWS}.xlsx", MAX_ROWS, extra=9),
        ),
        (
            f"{MAX_ROWS:,} rows × 17 columns, every cell wrong, in Persian (text limit)",
            all_invalid_wide(folder / f"text-{MAX_ROWS}.xlsx", MAX_ROWS, filler=1),
        ),
        (
            "the validation report of the first, fed back (20 columns, its messages long)",
            _report_of(workdir / f"all-invalid-{MAX_ROWS}.xlsx", report),
        ),
    ]
    for what, path in accepted:
        code, said, walls, peaks = measure(path, folder, runs)
        size = path.stat().st_size / MB
        outcome = str(code) if code in (0, 1) else f"{code}: {said[:80]}"
        peak, wall = spread(peaks), spread(walls, 1)
        lines.append(f"| {what} | {size:,.1f} MB | {outcome} | {peak} | {wall} |")
    lines.append("")
    return lines


def _report_of(source: Path, report: Path) -> Path:
    """The validation report of ``source`` (written once, kept while this module is)."""
    if not (report.exists() and report.stat().st_mtime > Path(__file__).stat().st_mtime):
        command = [sys.executable, "-m", "pipeline", "validate", str(source), "--report"]
        child_status([*command, str(report), "--lang", "en"])
    return report
