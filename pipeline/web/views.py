"""What the pages show, taken from what the library returns: a report as the workbook holds it,
a validated sheet with its marked cells. Presentation only: no rule is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.core import status as statuses
from pipeline.core.i18n import number, word
from pipeline.core.status import Tone, Validation
from pipeline.sheets.guard import column_letter
from pipeline.sheets.report import Report, ReportSheet, layout, row_marks
from pipeline.sheets.validation import SheetResult, display

PAGE_ROWS = 50


def tone(status: str) -> str:
    """The class a status word is shown with: its status's tone (good, bad, warn, quiet),
    or quiet for a word that is none."""
    return (statuses.tone(status) or Tone.QUIET).value


@dataclass
class Cell:
    text: str
    mark: str | None = None  # error | warning
    message: str = ""
    status: str | None = None  # a status word's key (its tone)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    total: int  # rows in the sheet; ``rows`` may be the first of them
    text_columns: set[int] = field(default_factory=set)


def show(value: Any) -> str:
    return "" if value is None else display(value)


def report_table(sheet: ReportSheet, limit: int = 500) -> Table:
    """A report's sheet as the workbook shows it: status words translated, marked cells."""
    headers, statuses, text_at = layout(sheet)
    rows: list[list[Cell]] = []
    marks_of = sheet.marks_by_row()
    for i, values in enumerate(sheet.rows[:limit]):
        marks = marks_of(i)
        cells = []
        for c, value in enumerate([*values, *sheet.results_of(i)]):
            severity, message = marks.get(c) or (None, "")
            if c in statuses and value not in (None, ""):
                cells.append(Cell(word(str(value)), severity, message, status=str(value)))
            else:
                cells.append(Cell(show(value), severity, message))
        rows.append(cells)
    return Table(sheet.title, headers, rows, len(sheet.rows), text_at)


@dataclass
class ReportView:
    headline: str | None
    summary: list[tuple[str, str]]
    counts_header: list[str]
    counts: list[list[Cell]]
    tables: list[Table]


def report_view(report: Report, limit: int = 500) -> ReportView:
    counts = [
        [
            Cell(word(str(v)), status=str(v))
            if n == 0 and report.status_counts
            else Cell(number(v) if isinstance(v, int) else show(v))
            for n, v in enumerate(row)
        ]
        for row in report.counts
    ]
    return ReportView(
        report.headline,
        [(str(k), show(v)) for k, v in report.summary],
        report.counts_header,
        counts,
        [report_table(s, limit) for s in report.sheets],
    )


@dataclass
class SheetPage:
    """One page of a validated sheet in the user's own columns, marked like the report."""

    sheet_no: int
    label: str
    headers: list[str]
    letters: list[str]
    header_marks: dict[int, tuple[str, str]]
    rows: list[tuple[int, int, str, list[Cell], list[str]]]  # index, row no., status, cells,
    # messages of the row not tied to one of its cells
    shown: int  # rows that pass the filter
    page: int
    pages: int


def sheet_page(
    result: SheetResult,
    sheet_no: int,
    *,
    only_invalid: bool = False,
    rule: tuple[str, str] | None = None,
    page: int = 1,
) -> SheetPage:
    """Rows ``page`` of the sheet (``PAGE_ROWS`` each), filtered to invalid rows or to the
    rows of one rule and column; every cell with its finding."""
    sheet = result.sheet
    indices: list[int] = list(range(len(sheet.rows)))
    if rule is not None:
        code, name = rule
        wanted = {f.row for f in result.findings if f.code == code and f.field == name and f.row}
        if any(f.code == code and f.field == name for f in result.sheet_findings):
            wanted = set(sheet.row_numbers)  # the whole sheet: a missing column
        indices = [i for i in indices if sheet.row_numbers[i] in wanted]
    elif only_invalid:
        indices = [i for i in indices if result.status(i) == Validation.INVALID]
    pages = max(1, -(-len(indices) // PAGE_ROWS))
    page = min(max(page, 1), pages)
    rows = []
    width = len(sheet.headers)
    for i in indices[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]:
        found = result.row_findings(i)
        marks = row_marks(found)
        values = sheet.rows[i]
        cells = [
            Cell(show(values[c] if c < len(values) else None), *(marks.get(c) or (None, "")))
            for c in range(width)
        ]
        loose = [f.message for f in found if f.position is None]
        rows.append((i, sheet.row_numbers[i], str(result.status(i)), cells, loose))
    return SheetPage(
        sheet_no,
        sheet.label,
        sheet.headers,
        [column_letter(c) for c in range(width)],
        row_marks(result.sheet_findings),
        rows,
        len(indices),
        page,
        pages,
    )
