"""Reading the tool's workbooks back in tests: our columns keyed by their API name (the header's
comment), the user's own by their header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def column_keys(ws: Any) -> list[str]:
    """Each header's key: the API name in its comment, else the header itself."""
    return [c.comment.text if c.comment else c.value for c in ws[1]]


def sheet_rows(ws: Any) -> list[dict[str, Any]]:
    keys = column_keys(ws)
    return [dict(zip(keys, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def report_rows(path: Path) -> list[dict[str, Any]]:
    """Every data row of every sheet of a report after the summary, as dicts."""
    book = openpyxl.load_workbook(path)
    return [row for ws in book.worksheets[1:] for row in sheet_rows(ws)]
