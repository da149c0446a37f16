"""`simad template`: the blank workbooks, kept in sync with input_templates/, round-trip clean."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.sheets.fields import fields
from pipeline.sheets.templates import TEMPLATE_FILES, write_templates
from pipeline.sheets.validation import validate_paths

from .data.generate import DECLARATION, RESIDENT, write_xlsx

SHIPPED = Path(__file__).parents[1] / "input_templates"


def describe(path: Path) -> dict:
    """What a user sees of a template: sheets, headers, comments, validations, formats."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        out[ws.title] = {
            "cells": [[c.value for c in row] for row in ws.iter_rows()],
            "comments": [c.comment.text for row in ws.iter_rows() for c in row if c.comment],
            "validations": sorted(
                (str(v.sqref), v.type, v.formula1, v.formula2, v.errorStyle)
                for v in ws.data_validations.dataValidation
            ),
            "rtl": ws.sheet_view.rightToLeft,
        }
    return out


def test_shipped_templates_are_what_the_command_writes(tmp_path):
    result = CliRunner().invoke(app, ["template", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in TEMPLATE_FILES.values():
        assert describe(tmp_path / name) == describe(SHIPPED / name), name


@pytest.mark.parametrize("kind", list(TEMPLATE_FILES))
def test_template_shape(kind, tmp_path):
    [path] = [p for p in write_templates(tmp_path) if p.name == TEMPLATE_FILES[kind]]
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]] == [f.label_fa for f in fields(kind)]
    assert ws.sheet_view.rightToLeft
    comments = [c.comment.text for c in ws[1]]
    assert all(c.startswith(f.name) for c, f in zip(comments, fields(kind), strict=True))

    def column_format(position: int) -> str:
        for dim in ws.column_dimensions.values():
            if dim.min <= position <= dim.max:
                return dim.number_format
        return "General"

    for i, f in enumerate(fields(kind), start=1):
        if f.type in ("id", "national_code", "date"):
            assert column_format(i) == "@", f.name  # Excel keeps leading zeros as typed
        if f.type in ("int", "score60", "year"):
            assert column_format(i) == "General", f.name
    kinds = {v.type for v in ws.data_validations.dataValidation}
    assert "list" in kinds
    if kind == "upgrades":
        assert "decimal" in kinds
    assert book.sheetnames[1] == "راهنما"


def test_filled_template_validates_clean(tmp_path):
    """A template filled with valid rows (typed into the text-formatted cells) validates clean."""
    write_templates(tmp_path)
    for kind, row in (("residents", RESIDENT), ("upgrades", DECLARATION)):
        path = tmp_path / TEMPLATE_FILES[kind]
        book = openpyxl.load_workbook(path)
        ws = book.worksheets[0]
        for c, f in enumerate(fields(kind), start=1):
            ws.cell(2, c, row[f.name] or None)
        book.save(path)
    run = validate_paths([tmp_path / name for name in TEMPLATE_FILES.values()])
    assert [(r.sheet.kind, r.counts()["valid"]) for r in run.results] == [
        ("residents", 1),
        ("upgrades", 1),
    ]
    assert [f.as_list() for r in run.results for f in r.findings] == []


def test_existing_templates_are_kept_unless_forced(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["template", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / "residents.xlsx").write_bytes(b"the office's own work")
    again = runner.invoke(app, ["--lang", "en", "template", "--out", str(tmp_path)])
    assert again.exit_code == 2 and "Add --force" in again.output
    assert (tmp_path / "residents.xlsx").read_bytes() == b"the office's own work"
    forced = runner.invoke(app, ["template", "--out", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "residents.xlsx").read_bytes() != b"the office's own work"


def test_dropdowns_show_code_and_title_from_a_hidden_list(tmp_path):
    """Excel refuses a typed-in list over 255 characters: the course codes are far longer."""
    write_templates(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "residents.xlsx")
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in lists.iter_cols()}
    assert columns["genders"] == ["1 - زن", "2 - مرد"]
    assert len("،".join(columns["course_codes"])) > 255
    sheet = book.worksheets[0]
    lists_used = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists_used and all(f.startswith(("lists!", '"')) for f in lists_used)
    assert sum(f.startswith("lists!") for f in lists_used) >= 2  # genders, course codes, …
    # What the dropdown puts in a cell is read back as the code.
    rows = [dict(RESIDENT, GenderId="2 - مرد", CourseStudyCode=columns["course_codes"][0])]
    filled = tmp_path / "filled.xlsx"
    header = [f.label_fa for f in fields("residents")]

    write_xlsx(
        filled, {"دستیاران": [header, *[[r[f.name] for f in fields("residents")] for r in rows]]}
    )
    result = validate_paths([filled]).results[0]
    assert result.frame.at[0, "GenderId"] == 2
    assert result.frame.at[0, "CourseStudyCode"] == columns["course_codes"][0].split(" - ")[0]


def test_an_english_template(tmp_path):
    result = CliRunner().invoke(app, ["--lang", "en", "template", "--out", str(tmp_path)])
    assert result.exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "residents.xlsx")
    assert book.sheetnames == ["residents", "guide", "lists"]
    assert book["residents"]["A1"].value == "Student number"
    assert not book["residents"].sheet_view.rightToLeft
    assert "1 - Female" in [c.value for c in book["lists"]["E"]]
