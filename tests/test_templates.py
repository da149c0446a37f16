"""`simad template`: the blank workbooks, kept in sync with input_templates/, round-trip clean."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.fields import fields
from pipeline.templates import TEMPLATE_FILES, write_templates
from pipeline.validation import validate_paths

from .data.generate import DECLARATION, RESIDENT

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
