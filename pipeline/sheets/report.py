"""The Excel report of B.6, written with xlsxwriter in constant-memory mode.

One summary sheet, then one sheet per input sheet: the user's own columns and rows unchanged,
followed by the result columns. Cells with errors are red with the message as a comment,
warnings yellow (their text is in the ``messages`` column). Our own column headers are in the
reader's language, each with its API name as the header's comment; status words are
translated and coloured. Sheets read in the language's direction (Persian: right to left, with
right-to-left reading order in text cells), have a frozen, filterable header, column widths
fitted to their content, wrapped messages, and print landscape, fitted to the page width with
the header row repeated. The file is written beside its destination and renamed into place
(atomic), readable by the owner only.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jdatetime
import xlsxwriter
from xlsxwriter.exceptions import XlsxFileError

from pipeline.core import status
from pipeline.core.errors import ConfigError, LocalStorageError
from pipeline.core.files import check_folder, part_file, place
from pipeline.core.i18n import current_face, current_lang, listing, t, word
from pipeline.sheets.fields import ROW_FIELDS

VALIDATE_COLUMNS = ["row", "status", "messages"]
SUBMIT_COLUMNS = ["row", *ROW_FIELDS]  # what the ledger keeps of each row, after its number
# Our columns whose cells are long text: wrapped, and wider.
TEXT_COLUMNS = frozenset({"messages", "server_message", "official_name"})
MIN_WIDTH, MAX_WIDTH, TEXT_WIDTH = 6, 32, 42
WIDTH_SAMPLE = 300  # rows looked at to fit a column's width
PAGE_WIDTH = 190  # column-width units on one landscape A4 page still comfortable to read
LINE_HEIGHT, MAX_LINES = 15, 12  # points per line of wrapped text; the most lines a row shows
RLM = "\u200f"
_ARABIC = re.compile("[\u0600-\u06ff]")
_PLAIN_PERSIAN = re.compile("[\u0600-\u065f\u066e-\u06d3\u06d5\u200c ]+")  # no digits
COMMENT_LIMIT = 30_000  # Excel refuses longer comments
# Comments are held in memory until the file is closed and slow Excel down; past this many
# per sheet a red cell has no comment (its message is in the `messages` column all the same).
MAX_COMMENTS = 20_000


Marks = dict[int, tuple[str, str]]  # column position → (severity, message)


@dataclass
class ReportSheet:
    """One sheet of a report. ``results`` and ``marks`` may be functions of the row index,
    so that a sheet of 200,000 rows is written without building all its cells first."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    result_columns: list[str]
    results: list[list[Any]] | Callable[[int], list[Any]]
    marks: dict[tuple[int, int], tuple[str, str]] | Callable[[int], Marks] = field(
        default_factory=dict
    )
    """(row index, column position) → (severity, message), or row index → its marks."""
    notes: list[str | None] = field(default_factory=list)
    """A comment for each of ``headers`` (the API name of our columns); None for none."""
    status_columns: frozenset[int] = frozenset()
    """Positions in ``headers`` holding status words, written translated and coloured (the
    ``status`` result column always is)."""
    text_columns: frozenset[int] = frozenset()
    """Positions in ``headers`` holding long text, wrapped."""
    users_own: bool = False
    """``headers`` and ``rows`` are the user's own sheet, written back unchanged."""
    header_marks: Marks = field(default_factory=dict)
    """Header cells marked like data cells: a header that is not recognised."""

    def results_of(self, index: int) -> list[Any]:
        return self.results(index) if callable(self.results) else self.results[index]

    def marks_by_row(self) -> Callable[[int], Marks]:
        """Row index → its marks (a small sheet's marks grouped once, a large one's made row
        by row)."""
        if callable(self.marks):
            return self.marks
        grouped: dict[int, Marks] = {}
        for (index, c), mark in self.marks.items():
            grouped.setdefault(index, {})[c] = mark
        return lambda i: grouped.get(i, {})


@dataclass
class Report:
    summary: list[tuple[str, Any]]
    counts_header: list[str]
    counts: list[list[Any]]
    sheets: list[ReportSheet]
    chart_title: str | None = None  # a column chart of the counts table, on the summary
    headline: str | None = None  # one sentence above the summary, in large type
    status_counts: bool = False  # the counts table's first column holds status words


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel-legal, unique sheet name: at most 31 UTF-16 units (as Excel counts), none of
    []:*?/\\ nor a control character, not starting or ending with an apostrophe."""
    base = re.sub(r"[\[\]:*?/\\\x00-\x1f\x7f]", "_", title).strip("'") or "sheet"
    name, n = _utf16_cut(base, 31), 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = _utf16_cut(base, 31 - len(suffix)).rstrip("'") + suffix, n + 1
    taken.add(name.lower())
    return name


def _utf16_cut(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, never inside a character, and
    without an apostrophe left at its end."""
    kept, used = [], 0
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            break
        kept.append(char)
    return "".join(kept).rstrip("'") or "sheet"


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.rtl = current_lang() == "fa"
        # Persian text reads right to left whatever its first letter (a column name, «…»).
        order = {"reading_order": 2} if self.rtl else {}
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "valign": "top",
                **order,
            }
        )
        self.headline = book.add_format(
            {"bold": True, "font_size": 14, "text_wrap": True, "valign": "top", **order}
        )
        self.label = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, **order})
        # Data cells keep the bottom alignment of the user's own (unformatted) cells, so a row
        # made tall by a wrapped message reads along one line.
        self.text = book.add_format({**order})
        self.wrapped = book.add_format({"text_wrap": True, **order})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.fills = {
            "error": book.add_format(
                {
                    "bg_color": "#FFC7CE",
                    "font_color": "#9C0006",
                    "text_wrap": True,
                    **order,
                }
            ),
            "warning": book.add_format(
                {
                    "bg_color": "#FFEB9C",
                    "font_color": "#9C5700",
                    "text_wrap": True,
                    **order,
                }
            ),
        }
        self.error_date = book.add_format({"bg_color": "#FFC7CE", "num_format": "yyyy-mm-dd"})
        self.warning_date = book.add_format({"bg_color": "#FFEB9C", "num_format": "yyyy-mm-dd"})
        self._order = order
        self._coloured: dict[str, Any] = {}  # colour → its bold format
        self._words: dict[str, tuple[str, Any]] = {}  # status → (its word, its format)

    def _status_format(self, key: str) -> Any:
        """A status word's format: bold in its tone's colour; plain text for other words."""
        tone = status.tone(key)  # the needs-action flag's too
        if tone is None:
            return self.text
        fmt = self._coloured.get(tone.colour)
        if fmt is None:
            fmt = self._coloured[tone.colour] = self.book.add_format(
                {"bold": True, "font_color": tone.colour, **self._order}
            )
        return fmt

    def status_cell(self, ws: Any, r: int, c: int, value: Any) -> None:
        """A status word, translated, in its colour."""
        if value is None or value == "":
            return
        key = str(value)
        shown = self._words.get(key)
        if shown is None:
            shown = self._words[key] = (self.ours(word(key)), self._status_format(key))
        ws.write_string(r, c, *shown)

    def ours(self, text: str) -> str:
        """Text of our own in a Persian report, marked to read right to left. Excel follows the
        cells' reading order, LibreOffice only the text's first strong character: a sentence
        that starts with a number or a Latin name, or ends in punctuation, starts with U+200F
        RIGHT-TO-LEFT MARK. The user's own cells are never changed."""
        if self.rtl and not _PLAIN_PERSIAN.fullmatch(text) and _ARABIC.search(text):
            return text if text.startswith(RLM) else RLM + text
        return text

    def own_cell(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """A cell of ours (not the user's): its text marked for its direction."""
        if type(value) is str and self.rtl:
            ws.write_string(r, c, self.ours(value), fmt)
        else:
            self.cell(ws, r, c, value, fmt)

    def cell(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, int | float):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, value, fmt)
        elif isinstance(value, datetime | date):
            date_fmt = fmt
            if fmt is None:
                date_fmt = self.date
            elif fmt is self.fills["error"]:
                date_fmt = self.error_date
            elif fmt is self.fills["warning"]:
                date_fmt = self.warning_date
            ws.write_datetime(r, c, value, date_fmt)
        else:
            ws.write_string(r, c, str(value), fmt)


def default_report_path(inputs: list[Path], suffix: str) -> Path:
    """A report's path when none is given: in the working folder, named after the first
    input (``residents-validation.xlsx``)."""
    return Path.cwd() / f"{inputs[0].stem}-{suffix}.xlsx"


def prepare_report_path(path: Path | str) -> Path:
    """Check, before any work is done, that a report can be written at ``path``: its folder
    is created if missing and must accept a new file. ``ConfigError`` (exit 2) otherwise."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(t("report_is_dir", path=path))
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(t("report_not_xlsx", path=path, suffix=path.suffix or "-"))
    check_folder(path.parent)
    return path


def write_report(report: Report, path: Path | str) -> Path:
    """Write ``report`` to ``path`` atomically with owner-only permissions; returns where it
    is: ``path``, or ``name (2).xlsx`` beside it when ``path`` is open in Excel
    (``files.place``).

    ``LocalStorageError`` when it cannot be written (disk full, no permission); nothing is
    left behind then: not a part-written file, nor xlsxwriter's scratch files (the rows, in
    a private folder of their own), nor a half-closed zip complaining later.
    """
    path = Path(path)
    try:
        tmp = str(part_file(path))
    except OSError as exc:
        raise LocalStorageError(
            t("report_write_failed", path=path, reason=exc.strerror or exc)
        ) from exc
    out: _PartFile | None = None
    book: Any = None
    scratch: str | None = None
    done = False
    try:
        scratch = tempfile.mkdtemp(prefix="simad-report-")
        out = _PartFile(tmp)
        book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "strings_to_urls": False,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "tmpdir": scratch,
            },
        )
        writer = _Writer(book)
        taken: set[str] = set()
        summary_name = sheet_name(t("sheet_summary"), taken)
        _write_summary(writer, book.add_worksheet(summary_name), report, summary_name)
        for sheet in report.sheets:
            _write_sheet(writer, book.add_worksheet(sheet_name(sheet.title, taken)), sheet)
        book.close()
        out.finish()
        path = place(Path(tmp), path)
        done = True
    except (OSError, XlsxFileError) as exc:
        cause = exc.args[0] if isinstance(exc, XlsxFileError) and exc.args else exc
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause
        raise LocalStorageError(t("report_write_failed", path=path, reason=reason)) from (
            cause if isinstance(cause, BaseException) else exc
        )
    finally:
        if out is not None:
            out.abandon()  # after a failure: the zip writer's own clean-up finds nothing to do
        if book is not None and not done:
            for ws in book.worksheets():  # constant-memory row files, open until close()
                with contextlib.suppress(Exception):
                    ws._opt_close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if not done:
            with contextlib.suppress(OSError):
                Path(tmp).unlink(missing_ok=True)
    return path


class _PartFile:
    """The part file the workbook is zipped into. Once a write fails (a full disk) or the
    work is abandoned, it takes whatever else the zip writer sends without a word: otherwise
    the zip writer, collected later, tries to finish the file and prints its own traceback."""

    def __init__(self, path: str) -> None:
        self._file: Any = open(path, "wb")  # noqa: SIM115 - closed by finish() or abandon()
        self._dead = False
        self._position = 0

    def write(self, data: bytes) -> int:
        if self._dead:
            return len(data)
        try:
            written = int(self._file.write(data))
        except BaseException:
            self.abandon()
            raise
        self._position += written
        return written

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._dead:
            return self._position
        try:
            self._position = int(self._file.seek(offset, whence))
        except BaseException:
            self.abandon()
            raise
        return self._position

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        if not self._dead:
            try:
                self._file.flush()
            except BaseException:
                self.abandon()
                raise

    def finish(self) -> None:
        """Flush and close: the part file is complete (``OSError`` when it is not)."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        finally:
            self.abandon()

    def abandon(self) -> None:
        if not self._dead:
            self._dead = True
            with contextlib.suppress(OSError):
                self._file.close()


def _print_setup(ws: Any, *, repeat_header: bool, width: float = 0) -> None:
    """Landscape A4 with the header row on every page, fitted to the page width; a sheet too
    wide to read on one page is spread over as many pages across as it needs, its first
    column repeated on each. A summary, with no header row, is one page."""
    ws.set_landscape()
    ws.set_paper(9)
    across = max(1, math.ceil(width / PAGE_WIDTH))
    ws.fit_to_pages(across, 0 if repeat_header else 1)
    if across > 1:
        ws.repeat_columns(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C&P / &N")
    if repeat_header:
        ws.repeat_rows(0)


def _direction(w: _Writer, ws: Any) -> None:
    if w.rtl:
        ws.right_to_left()


def run_date(moment: datetime | None = None) -> str:
    """When a report was made, Solar Hijri and Gregorian: «۱۴۰۵/۰۹/۰۲ ۱۴:۳۰ (2026-11-23)»."""
    now = moment or datetime.now()
    solar = jdatetime.datetime.fromgregorian(datetime=now).strftime("%Y/%m/%d %H:%M")
    return f"{solar} ({now:%Y-%m-%d})"


def _write_summary(w: _Writer, ws: Any, report: Report, name: str) -> None:
    _direction(w, ws)
    _print_setup(ws, repeat_header=False)
    lines = [(t("sum_date"), run_date()), *report.summary]
    label_width = min(max(max(len(str(label)) for label, _ in lines) + 2, 16), MAX_WIDTH)
    value_width = min(max(max(len(str(value)) for _, value in lines) + 2, 14), 70)  # SHA-256: 64
    ws.set_column(0, 0, label_width)
    ws.set_column(1, 1, value_width)
    if len(report.counts_header) > 2:
        ws.set_column(2, len(report.counts_header) - 1, 14)
    r = 0
    if report.headline:
        # Across the summary's columns, wrapped: a long headline is never cut at the page edge.
        last = max(1, len(report.counts_header) - 1)
        room = label_width + value_width + 14 * (last - 1)
        ws.merge_range(r, 0, r, last, w.ours(report.headline), w.headline)
        ws.set_row(r, 24 * min(math.ceil(len(report.headline) * 1.4 / room), 3))
        r += 2
    for label, value in lines:
        ws.write_string(r, 0, w.ours(str(label)), w.label)
        w.own_cell(ws, r, 1, value, w.text if isinstance(value, str) else None)
        r += 1
    r += 1
    if report.counts_header:
        for c, title in enumerate(report.counts_header):
            ws.write_string(r, c, w.ours(title), w.header)
        first = r + 1
        for line in report.counts:
            r += 1
            for c, value in enumerate(line):
                if c == 0 and report.status_counts:
                    w.status_cell(ws, r, c, value)
                else:
                    w.own_cell(ws, r, c, value)
        if report.chart_title and report.counts:
            chart = w.book.add_chart({"type": "column"})
            chart.add_series(
                {
                    "name": report.chart_title,
                    "categories": [name, first, 0, r, 0],
                    "values": [name, first, 1, r, 1],
                    "data_labels": {"value": True},
                }
            )
            chart.set_title({"name": report.chart_title})
            chart.set_legend({"none": True})
            ws.insert_chart(r + 2, 0, chart, {"x_scale": 1.2, "y_scale": 0.8})


def column_title(name: str) -> str:
    """The header of one of our result columns in the reader's language."""
    return t(f"col_{name}")


def _fitted_widths(
    sheet: ReportSheet, headers: list[str], statuses: set[int], text_at: set[int]
) -> list[float]:
    """Each column's width from its header and its first rows' values, within bounds."""
    # A header wraps at its spaces, so its longest word is what it needs.
    widths: list[float] = [
        min(max(max((len(w) for w in str(h).split()), default=0) + 2, MIN_WIDTH), MAX_WIDTH)
        for h in headers
    ]
    for i in range(min(len(sheet.rows), WIDTH_SAMPLE)):
        values = [*sheet.rows[i], *sheet.results_of(i)]
        for c, value in enumerate(values[: len(widths)]):
            if value is None:
                continue
            if c in statuses:
                value = word(str(value))
            longest = max((len(part) for part in str(value).split("\n")), default=0)
            cap = TEXT_WIDTH if c in text_at else MAX_WIDTH
            widths[c] = max(widths[c], min(longest + 2, cap))
    return widths


def _lines(cells: list[Any], widths: list[float], wrapped: Iterable[int]) -> int:
    """How many lines the tallest wrapped cell of a row takes at its column's width."""
    most = 1
    for c in wrapped:
        value = cells[c] if c < len(cells) else None
        if isinstance(value, str) and value:
            lines = sum(
                1 + int(len(part) * 0.95 // max(widths[c] - 1, 1)) for part in value.split("\n")
            )
            most = max(most, lines)
    return most


def layout(sheet: ReportSheet) -> tuple[list[str], set[int], set[int]]:
    """A sheet's headers (ours in the reader's language), the positions of its status
    columns and of its long-text columns: for the workbook and for a page alike."""
    first_result = len(sheet.headers)
    headers = [*sheet.headers, *(column_title(n) for n in sheet.result_columns)]
    statuses = set(sheet.status_columns)
    if "status" in sheet.result_columns:
        statuses.add(first_result + sheet.result_columns.index("status"))
    text_at = set(sheet.text_columns) | {
        first_result + k for k, n in enumerate(sheet.result_columns) if n in TEXT_COLUMNS
    }
    return headers, statuses, text_at


def _write_sheet(w: _Writer, ws: Any, sheet: ReportSheet) -> None:
    _direction(w, ws)
    first_result = len(sheet.headers)
    headers, statuses, text_at = layout(sheet)
    notes = [
        *(sheet.notes or [None] * len(sheet.headers)),
        *sheet.result_columns,  # our column's API name
    ]
    ncols = len(headers)
    # Where our own columns start: after the user's, or all of them when the sheet is ours.
    own_from = first_result if sheet.users_own else 0
    widths = _fitted_widths(sheet, headers, statuses, text_at)
    _print_setup(ws, repeat_header=True, width=sum(widths))
    for c, width in enumerate(widths):
        # Only wrapped columns carry a format: a format on every cell costs a fifth of the
        # time of writing a large report (each cell then has a style attribute).
        ws.set_column(c, c, width, w.wrapped if c in text_at else None)
    header_lines = max(
        (math.ceil(len(str(h)) / max(widths[c] - 1, 1)) for c, h in enumerate(headers)), default=1
    )
    ws.set_row(0, LINE_HEIGHT * min(max(header_lines, 1), 6))
    for c, title in enumerate(headers):
        mark = sheet.header_marks.get(c)
        fmt = w.header if mark is None else w.fills[mark[0]]
        ws.write_string(0, c, str(title) if c < own_from else w.ours(str(title)), fmt)
        note = mark[1] if mark is not None else notes[c] if c < len(notes) else None
        if note:
            ws.write_comment(0, c, str(note)[:COMMENT_LIMIT], {"x_scale": 2, "y_scale": 1.5})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(sheet.rows)), ncols - 1)
    # How each column is written, decided once: the user's own cells as they are; ours
    # marked for their direction; status words translated and coloured.
    kinds = [
        "status" if c in statuses else "own" if c >= own_from or c in text_at else "user"
        for c in range(ncols)
    ]
    _write_rows(w, ws, sheet, kinds, widths, sorted(text_at))


def _write_rows(
    w: _Writer,
    ws: Any,
    sheet: ReportSheet,
    kinds: list[str],
    widths: list[float],
    wrapped: list[int],
) -> None:
    """A sheet's data rows, each cell written as its column's kind says unless it is marked.
    Row heights are set, not left to the reader: LibreOffice does not grow a row to fit its
    wrapped text when it opens a file."""
    marks_of = sheet.marks_by_row()
    comments = 0
    for i, values in enumerate(sheet.rows):
        r = i + 1
        marks = marks_of(i)
        cells = [*values, *sheet.results_of(i)]
        if wrapped:
            lines = _lines(cells, widths, wrapped)
            if lines > 1:
                ws.set_row(r, LINE_HEIGHT * min(lines, MAX_LINES))
        for c, value in enumerate(cells):
            found = marks.get(c) if marks else None
            if found is not None:
                w.cell(ws, r, c, value, w.fills[found[0]])
                # Warnings are yellow; their text is in `messages`.
                if found[0] == "error" and comments < MAX_COMMENTS:
                    comments += 1
                    ws.write_comment(r, c, found[1][:COMMENT_LIMIT], {"x_scale": 2, "y_scale": 1.5})
            elif value is None or value == "":
                continue
            elif kinds[c] == "user":
                w.cell(ws, r, c, value)
            elif kinds[c] == "status":
                w.status_cell(ws, r, c, value)
            else:
                w.own_cell(ws, r, c, value)


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_marks(findings: Iterable[Any]) -> Marks:
    """One row's cell marks from its findings (``position``/``severity``/``message``).

    An error outranks a warning on the same cell; messages of one cell are joined.
    """
    marks: Marks = {}
    for f in findings:
        if f.position is None:
            continue
        if f.position in marks:
            severity, text = marks[f.position]
            severity = "error" if "error" in (severity, f.severity) else "warning"
            marks[f.position] = (severity, text + "\n" + f.message)
        else:
            marks[f.position] = (f.severity, f.message)
    return marks


MESSAGE_SEPARATOR = " • "


def run_sheets(
    run: Any, columns: list[str], row_results: Callable[[Any, int], list[Any]]
) -> list[ReportSheet]:
    """One report sheet per validated input sheet of ``run`` (a ``ValidationRun``).

    ``row_results(result, index)`` gives the values of ``columns`` for one row; it and the
    cell marks are computed row by row while the sheet is written.
    """
    sheets = []
    for result in run.results:
        sheet = result.sheet
        title = sheet.name if len(run.books) == 1 else f"{sheet.path.stem}-{sheet.name}"

        def results(i: int, result: Any = result) -> list[Any]:
            return row_results(result, i)

        def marks(i: int, result: Any = result) -> Marks:
            found = result.by_row.get(result.sheet.row_numbers[i], ())
            return row_marks(found)

        sheets.append(
            ReportSheet(
                title,
                sheet.headers,
                sheet.rows,
                columns,
                results,
                marks,
                users_own=True,
                header_marks=row_marks(result.sheet_findings),
            )
        )
    return sheets


def input_summary(run: Any) -> list[tuple[str, Any]]:
    """Summary lines naming each input file, its SHA-256 and the sheets skipped."""
    labels = {"input": t("sum_input"), "sha256": t("sum_sha256"), "skipped": t("sum_skipped")}
    lines: list[tuple[str, Any]] = []
    for book in run.books:
        # The page names the clerk's own file; a path of the app's folders means nothing there.
        shown = book.path.name if current_face() == "page" else str(book.path)
        lines.append((labels["input"], shown))
        lines.append((labels["sha256"], file_sha256(book.path)))
        if book.skipped:
            lines.append((labels["skipped"], listing(book.skipped)))
    return lines
