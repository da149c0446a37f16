"""The demo's and the benches' generated workbooks: made at a path given as text too, and
made again when asked for other rows, not a file made before with another count."""

from __future__ import annotations

import openpyxl

from pipeline.sheets.fakedata import write_workbook


def rows_in(path) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.worksheets[0].max_row - 1  # the header
    finally:
        book.close()


def test_a_workbook_is_made_again_for_other_rows(tmp_path):
    where = str(tmp_path / "residents.xlsx")  # a path as text
    assert rows_in(write_workbook(where, "residents", 5, seed=3)) == 5
    assert rows_in(write_workbook(where, "residents", 12, seed=3)) == 12
    again = write_workbook(where, "residents", 12, seed=3)
    assert rows_in(again) == 12
