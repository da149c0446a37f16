"""`simad validate` end to end: exit codes, the report's cells, colours, comments, JSON."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .reports import column_keys

DATA = Path(__file__).parent / "data"
runner = CliRunner()
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def run(*args: str):
    return runner.invoke(app, list(args))


def test_valid_file_exits_0_and_writes_report(tmp_path):
    report = tmp_path / "r.xlsx"
    result = run("validate", str(DATA / "rules" / "valid_resident.csv"), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "همه ردیف‌ها معتبرند" in result.output
    assert oct(os.stat(report).st_mode & 0o777) == "0o600"
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["خلاصه", "valid_resident"]
    ws = book["valid_resident"]
    headers = [c.value for c in ws[1]]
    assert headers[-3:] == ["ردیف", "وضعیت", "پیام‌ها"]
    assert [c.comment.text for c in ws[1][-3:]] == ["row", "status", "messages"]
    assert ws.cell(2, len(headers) - 1).value == "معتبر"
    assert ws.sheet_view.rightToLeft and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_invalid_rows_marked_red_with_comment_and_warnings_yellow(tmp_path):
    source = tmp_path / "mixed.csv"
    lines = (DATA / "rules" / "valid_resident.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("جنسیت")] = "3"
    warn = lines[1].split(",")
    warn[header.index("شماره دانشجویی")] = "98123002"
    warn[header.index("کد ملی")] = "0067749828"
    warn[header.index("ایمیل")] = "not-an-email"
    source.write_text("\n".join([lines[0], ",".join(bad), ",".join(warn)]), encoding="utf-8")
    report = tmp_path / "out" / "report.xlsx"
    result = run("--lang", "en", "validate", str(source), "--report", str(report))
    assert result.exit_code == 1, result.output
    assert "1 row is invalid" in result.output
    ws = openpyxl.load_workbook(report)["mixed"]
    headers = [c.value for c in ws[1]]
    gender = headers.index("جنسیت") + 1
    email = headers.index("ایمیل") + 1
    status = column_keys(ws).index("status") + 1
    # The user's own values are unchanged.
    assert ws.cell(2, gender).value == "3"
    assert ws.cell(2, gender).fill.fgColor.rgb == RED
    assert "not an allowed code" in ws.cell(2, gender).comment.text
    assert ws.cell(3, email).fill.fgColor.rgb == YELLOW
    assert [ws.cell(r, status).value for r in (2, 3)] == ["invalid", "valid"]
    assert "does not look like an email" in ws.cell(3, status + 1).value
    assert ws.cell(2, column_keys(ws).index("row") + 1).value == 2
    summary = openpyxl.load_workbook(report)["summary"]
    values = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    assert "Dry-run validation (no network)" in values and str(source) in values


def test_json_output(tmp_path):
    result = run(
        "validate",
        str(DATA / "rules" / "score_range.csv"),
        "--json",
        "--report",
        str(tmp_path / "r.xlsx"),
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    [sheet] = data["sheets"]
    got = sorted([f["row"], f["field"], f["code"]] for f in sheet["findings"])
    assert got == [
        [2, "BaliniScore", "score_range"],
        [2, "EthicsScore", "score_range"],
        [2, "StudentNumber", "resident_unknown"],
    ]
    assert sheet["invalid"] == 1 and data["ok"] is False


@pytest.mark.parametrize(
    "name",
    ["formats/password.xlsx", "formats/empty.xlsx", "formats/no_known_sheet.xlsx", "missing.csv"],
)
def test_input_errors_exit_2_without_traceback(name, tmp_path):
    report = tmp_path / "r.xlsx"
    result = run("validate", str(DATA / name), "--report", str(report))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert Path(name).name in result.output
    assert not report.exists()


def test_default_report_goes_to_the_working_directory(tmp_path):
    shutil.copy(DATA / "rules" / "valid_declaration.csv", tmp_path / "d.csv")
    result = run("validate", str(tmp_path / "d.csv"))
    assert (Path.cwd() / "d-validation.xlsx").exists(), result.output


def test_sample_workbook_findings():
    """The demo workbook holds exactly the mistakes it is documented to hold."""
    from pipeline.sheets.templates import SAMPLE_MISTAKES
    from pipeline.sheets.validation import validate_paths

    result = validate_paths(
        [
            Path("input_templates/sample.xlsx").resolve()
            if Path("input_templates/sample.xlsx").exists()
            else Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
        ]
    )
    found = {(r.sheet.kind, f.row - 2) for r in result.results for f in r.findings}
    assert found == set(SAMPLE_MISTAKES)


def test_residents_accepted_earlier_are_known_to_validate(tmp_path):
    """A declaration whose resident the ledger knows (accepted before) raises no warning."""
    from pipeline.core.config import simad_home
    from pipeline.simad.ledger import ACCEPTED, Ledger

    source = DATA / "rules" / "resident_unknown.csv"  # a declaration for student 97000000
    first = run(
        "--lang", "en", "validate", str(source), "--json", "--report", str(tmp_path / "a.xlsx")
    )
    assert [f["code"] for f in json.loads(first.output)["sheets"][0]["findings"]] == [
        "resident_unknown"
    ]
    ledger = Ledger(simad_home() / "ledger.db")
    ledger.record("sandbox", "resident", "97000000", "hash", ACCEPTED, "run-1")
    ledger.close()
    second = run("validate", str(source), "--json", "--report", str(tmp_path / "b.xlsx"))
    assert json.loads(second.output)["sheets"][0]["findings"] == []


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_report_fed_back_as_input_is_read_without_our_columns(tmp_path, lang):
    """The office fixes the red cells in the report itself and validates it again."""
    from pipeline.sheets.reader import RESULT_COLUMNS, read_file
    from pipeline.sheets.report import SUBMIT_COLUMNS

    from .test_submit import SAMPLE

    assert set(SUBMIT_COLUMNS) <= set(RESULT_COLUMNS)
    first = tmp_path / "first.xlsx"
    assert run("--lang", lang, "validate", str(SAMPLE), "--report", str(first)).exit_code == 1
    original = read_file(SAMPLE)
    fed_back = read_file(first)
    assert fed_back.skipped == []  # the report's own summary is passed over
    for mine, theirs in zip(original.sheets, fed_back.sheets, strict=True):
        assert theirs.headers == mine.headers  # our columns dropped, none duplicated
    # Fix one red cell: the gender «3» of the residents sheet.
    book = openpyxl.load_workbook(first)
    ws = book.worksheets[1]
    keys = column_keys(ws)
    status = keys.index("status") + 1
    fixed_row = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, status).value in ("invalid", "نامعتبر")
        and str(ws.cell(r, keys.index("جنسیت") + 1).value) == "3"
    )
    ws.cell(fixed_row, keys.index("جنسیت") + 1).value = "1"
    book.save(tmp_path / "fixed.xlsx")
    second = tmp_path / "second.xlsx"
    result = run("validate", str(tmp_path / "fixed.xlsx"), "--json", "--report", str(second))
    data = json.loads(result.output)
    before = json.loads(
        run("validate", str(SAMPLE), "--json", "--report", str(tmp_path / "x.xlsx")).output
    )
    assert data["sheets"][0]["invalid"] == before["sheets"][0]["invalid"] - 1
    headers = [c.value for c in openpyxl.load_workbook(second).worksheets[1][1]]
    assert len(headers) == len(set(headers))  # no result column twice
