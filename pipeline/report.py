"""The Excel report of B.6, written with xlsxwriter in constant-memory mode.

One summary sheet, then one sheet per input sheet: the user's own columns and rows unchanged,
followed by the result columns. Cells with errors are red with the message as a comment,
warnings yellow (their text is in the ``messages`` column). Sheets are right-to-left with
a frozen, filterable header. The file is written beside its destination and renamed into
place (atomic), readable by the owner only.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from .errors import ConfigError, LocalStorageError
from .i18n import t
from .ledger import ROW_FIELDS

VALIDATE_COLUMNS = ["row", "status", "messages"]
SUBMIT_COLUMNS = ["row", *ROW_FIELDS]  # what the ledger keeps of each row, after its number
STATUS_COLOURS = {
    "valid": "#006100",
    "sent": "#006100",
    "matched": "#006100",
    "invalid": "#9C0006",
    "failed": "#9C0006",
    "different": "#9C0006",
    "not_sent": "#9C5700",
    "missing_on_server": "#9C5700",
    "only_on_server": "#9C5700",
    "unchanged": "#595959",
}
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

    def results_of(self, index: int) -> list[Any]:
        return self.results(index) if callable(self.results) else self.results[index]


@dataclass
class Report:
    summary: list[tuple[str, Any]]
    counts_header: list[str]
    counts: list[list[Any]]
    sheets: list[ReportSheet]
    chart_title: str | None = None  # a column chart of the counts table, on the summary


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel-legal, unique sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'") or "sheet"
    name, n = base[:31], 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.fills = {
            "error": book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
            "warning": book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"}),
        }
        self.error_date = book.add_format({"bg_color": "#FFC7CE", "num_format": "yyyy-mm-dd"})
        self.warning_date = book.add_format({"bg_color": "#FFEB9C", "num_format": "yyyy-mm-dd"})
        self.status = {
            s: book.add_format({"bold": True, "font_color": c}) for s, c in STATUS_COLOURS.items()
        }
        self.wrap = book.add_format({"text_wrap": False})

    def cell(self, ws, r: int, c: int, value: Any, fmt=None) -> None:
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


def prepare_report_path(path: Path | str) -> Path:
    """Check, before any work is done, that a report can be written at ``path``: its folder
    is created if missing and must accept a new file. ``ConfigError`` (exit 2) otherwise."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(t("report_is_dir", path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise ConfigError(
            t("report_folder_unusable", folder=path.parent, reason=exc.strerror or exc)
        ) from exc
    return path


def write_report(report: Report, path: Path | str) -> Path:
    """Write ``report`` to ``path`` atomically with owner-only permissions.

    ``LocalStorageError`` when it cannot be written (disk full, no permission); nothing is
    left behind then, not even a part-written file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.part", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise LocalStorageError(
            t("report_write_failed", path=path, reason=exc.strerror or exc)
        ) from exc
    try:
        book = xlsxwriter.Workbook(
            tmp,
            {
                "constant_memory": True,
                "strings_to_urls": False,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
            },
        )
        writer = _Writer(book)
        taken: set[str] = set()
        summary_name = sheet_name("summary", taken)
        _write_summary(writer, book.add_worksheet(summary_name), report, summary_name)
        for sheet in report.sheets:
            _write_sheet(writer, book.add_worksheet(sheet_name(sheet.title, taken)), sheet)
        book.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LocalStorageError(
            t("report_write_failed", path=path, reason=exc.strerror or exc)
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_summary(w: _Writer, ws, report: Report, name: str) -> None:
    ws.right_to_left()
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 60)  # target, paths and hashes are long
    if len(report.counts_header) > 2:
        ws.set_column(2, len(report.counts_header) - 1, 16)
    r = 0
    for label, value in report.summary:
        ws.write_string(r, 0, label, w.header)
        w.cell(ws, r, 1, value)
        r += 1
    r += 1
    if report.counts_header:
        for c, title in enumerate(report.counts_header):
            ws.write_string(r, c, title, w.header)
        first = r + 1
        for line in report.counts:
            r += 1
            for c, value in enumerate(line):
                w.cell(ws, r, c, value)
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
            ws.insert_chart(0, len(report.counts_header) + 1, chart)


def _write_sheet(w: _Writer, ws, sheet: ReportSheet) -> None:
    ws.right_to_left()
    headers = [*sheet.headers, *sheet.result_columns]
    ncols = len(headers)
    ws.set_column(0, len(sheet.headers) - 1, 16)
    first_result = len(sheet.headers)
    widths = {"row": 7, "status": 12, "messages": 60, "server_message": 40, "trace_id": 30}
    for offset, name in enumerate(sheet.result_columns):
        ws.set_column(first_result + offset, first_result + offset, widths.get(name, 14))
    for c, title in enumerate(headers):
        ws.write_string(0, c, str(title), w.header)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(sheet.rows)), ncols - 1)
    status_at = sheet.result_columns.index("status") if "status" in sheet.result_columns else -1
    by_row: dict[int, Marks] = {}
    if isinstance(sheet.marks, dict):  # a small sheet's marks, grouped once
        for (index, c), mark in sheet.marks.items():
            by_row.setdefault(index, {})[c] = mark
    comments = 0
    for i, values in enumerate(sheet.rows):
        r = i + 1
        marks = sheet.marks(i) if callable(sheet.marks) else by_row.get(i, {})
        for c, value in enumerate(values):
            found = marks.get(c)
            if found is None:
                w.cell(ws, r, c, value)
            else:
                w.cell(ws, r, c, value, w.fills[found[0]])
                # Warnings are yellow; their text is in `messages`.
                if found[0] == "error" and comments < MAX_COMMENTS:
                    comments += 1
                    ws.write_comment(r, c, found[1][:COMMENT_LIMIT], {"x_scale": 2, "y_scale": 1.5})
        for offset, value in enumerate(sheet.results_of(i)):
            fmt = w.status.get(value) if offset == status_at else None
            w.cell(ws, r, first_result + offset, value, fmt)


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


def run_sheets(run: Any, columns: list[str], row_results: Any) -> list[ReportSheet]:
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

        sheets.append(ReportSheet(title, sheet.headers, sheet.rows, columns, results, marks))
    return sheets


def input_summary(run: Any) -> list[tuple[str, Any]]:
    """Summary lines naming each input file, its SHA-256 and the sheets skipped."""
    labels = {"input": t("sum_input"), "sha256": t("sum_sha256"), "skipped": t("sum_skipped")}
    lines: list[tuple[str, Any]] = []
    for book in run.books:
        lines.append((labels["input"], str(book.path)))
        lines.append((labels["sha256"], file_sha256(book.path)))
        if book.skipped:
            lines.append((labels["skipped"], "، ".join(book.skipped)))
    return lines
