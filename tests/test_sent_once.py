"""No row is sent twice by construction: a row repeated in another file (a copy of the same
workbook, the same file named twice, another sheet) is a duplicate exactly as within one
sheet — an error on every row involved, naming the other file, sheet and row — in `validate`,
`submit` and the web app's workspace; and a declaration left in flight by a killed run is sent
again only when the server's list positively lacks it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands.workspace import edit_cell, open_workspace
from pipeline.core.context import Context
from pipeline.core.i18n import language
from pipeline.sheets.validation import validate_paths
from pipeline.simad.ledger import Ledger

from .data.generate import OTHER, rule_rows, write_xlsx
from .test_submit import SAMPLE, TickingClock, submit

THIRD = {"StudentNumber": "98123003", "NationalCode": "0012345679"}


@pytest.fixture
def clock():
    return TickingClock()


@pytest.fixture
def sandbox(tmp_path, clock):
    from pipeline.sandbox import SandboxSettings, create_app

    return create_app(SandboxSettings(db_path=tmp_path / "server.db", clock=clock))


def copies(tmp_path: Path, how: str) -> list[Path]:
    """The sample given twice: as two copies, as one path named twice, or with its sheets
    copied into a second workbook under other names."""
    a = tmp_path / "a.xlsx"
    shutil.copy(SAMPLE, a)
    if how == "copy":
        b = tmp_path / "b.xlsx"
        shutil.copy(SAMPLE, b)
        return [a, b]
    if how == "same path":
        return [a, a]
    raise AssertionError(how)


def all_writes(sandbox) -> list[int]:
    writes = sandbox.store.write_counts()
    return [n for table in writes.values() for n in table.values()]


@pytest.mark.parametrize("how", ["copy", "same path"])
def test_the_sample_given_twice_sends_nothing_and_names_the_other_file(
    sandbox, clock, tmp_path, how
):
    inputs = copies(tmp_path, how)
    result = submit(inputs, sandbox, clock, report=tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert result.counts.get("sent", 0) == 0
    assert all_writes(sandbox) == []  # not once, so certainly not twice
    other = "b.xlsx › " if how == "copy" else "a.xlsx (2) › "
    rows = [r for r in result.to_dict()["rows"] if Path(r["file"]).name == "a.xlsx"]
    duplicated = [r for r in rows if any(other in m for m in r["messages"])]
    # Every row of the first file whose keys are readable points at the same row elsewhere.
    assert len(duplicated) >= 70 and {r["status"] for r in duplicated} == {"invalid"}
    example = next(m for m in duplicated[0]["messages"] if other in m)
    assert f"{other}" in example and str(duplicated[0]["row"]) in example


def test_a_row_repeated_in_another_file_is_an_error_in_both_and_the_rest_is_sent_once(
    sandbox, clock, tmp_path
):
    header, rows = rule_rows("residents", [{}, OTHER])
    write_xlsx(tmp_path / "first.xlsx", {"residents": [header, *rows]})
    # The second file repeats the first resident (by its student number), adds a new one,
    # and declares both of the first file's residents, one of them twice across the files.
    header, rows = rule_rows("residents", [{"Mobile": "09350000000"}, THIRD])
    dheader, drows = rule_rows("upgrades", [{}, {"StudentNumber": OTHER["StudentNumber"]}])
    write_xlsx(
        tmp_path / "second.xlsx", {"residents": [header, *rows], "upgrades": [dheader, *drows]}
    )
    dheader, drows = rule_rows("upgrades", [{"BaliniScore": "50"}])
    write_xlsx(tmp_path / "third.xlsx", {"upgrades": [dheader, *drows]})
    inputs = [tmp_path / "first.xlsx", tmp_path / "second.xlsx", tmp_path / "third.xlsx"]

    result = submit(inputs, sandbox, clock, report=tmp_path / "r.xlsx")
    assert result.exit_code == 1
    rows = result.to_dict()["rows"]
    by_place = {(Path(r["file"]).name, r["sheet"], r["row"]): r for r in rows}
    first = by_place[("first.xlsx", "residents", 2)]
    second = by_place[("second.xlsx", "residents", 2)]
    assert first["status"] == second["status"] == "invalid"
    assert any("second.xlsx › residents › 2" in m for m in first["messages"])
    assert any("first.xlsx › residents › 2" in m for m in second["messages"])
    # The declaration of 98123001 for 1402 is in second.xlsx and third.xlsx.
    declared = [r for r in rows if r["sheet"] == "upgrades"]
    assert [r["status"] for r in declared] == ["invalid", "sent", "invalid"]
    assert any("third.xlsx › upgrades › 2" in m for m in declared[0]["messages"])
    # Only rows nobody repeats were sent, each once.
    writes = sandbox.store.write_counts()
    assert writes["residents"] == {"98123002": 1, "98123003": 1}
    assert writes["declarations"] == {"98123002/1402": 1}


def test_two_residents_sheets_of_one_workbook_are_checked_against_each_other(tmp_path):
    header, rows = rule_rows("residents", [{}])
    other_header, other_rows = rule_rows("residents", [OTHER, {"Mobile": "09350000000"}])
    write_xlsx(
        tmp_path / "book.xlsx",
        {"term 1": [header, *rows], "term 2": [other_header, *other_rows]},
    )
    with language("en"):
        run = validate_paths([tmp_path / "book.xlsx"])
    first, second = run.results
    assert first.statuses() == ["invalid"] and second.statuses() == ["valid", "invalid"]
    [finding] = [f for f in first.findings if f.code == "duplicate_student"]
    assert finding.message == (
        "Student number '98123001' appears more than once (rows 2, book.xlsx › term 2 › 3)."
    )
    codes = {f.code for f in second.findings}
    assert codes == {"duplicate_student", "duplicate_triple"}  # the same person, twice


def test_within_and_across_sheets_the_rows_are_listed_together_in_persian(tmp_path):
    header, rows = rule_rows("residents", [{}, {"Mobile": "09350000000"}])
    write_xlsx(tmp_path / "a2.xlsx", {"دستیاران": [header, *rows]})
    write_xlsx(tmp_path / "b2.xlsx", {"دستیاران": [header, rows[0]]})
    with language("fa"):
        run = validate_paths([tmp_path / "a2.xlsx", tmp_path / "b2.xlsx"])
    first = next(f for f in run.results[0].findings if f.code == "duplicate_student")
    # Our own row numbers in Persian digits, the file's name as it is (a2, not a۲).
    assert "۲، ۳، b2.xlsx › دستیاران › ۲" in first.message


def test_validate_on_the_command_line_refuses_the_copies(tmp_path):
    inputs = copies(tmp_path, "copy")
    out = CliRunner().invoke(app, ["--lang", "en", "validate", *map(str, inputs), "--json"])
    assert out.exit_code == 1, out.output
    sheets = json.loads(out.stdout)["sheets"]
    assert all(s["valid"] == 0 for s in sheets)
    messages = [f["message"] for s in sheets for f in s["findings"]]
    assert any("b.xlsx › " in m for m in messages) and any("a.xlsx › " in m for m in messages)


def test_the_web_workspace_sees_the_copies_and_a_correction_clears_both(tmp_path):
    header, rows = rule_rows("residents", [{}])
    write_xlsx(tmp_path / "one.xlsx", {"residents": [header, *rows]})
    write_xlsx(tmp_path / "two.xlsx", {"residents": [header, *rows]})
    ws = open_workspace([tmp_path / "one.xlsx", tmp_path / "two.xlsx"], ctx=Context(lang="en"))
    assert [r.statuses() for r in ws.run.results] == [["invalid"], ["invalid"]]
    # The clerk gives the second copy's row another person: both rows become valid.
    sheet = ws.run.results[1].sheet
    for name, value in [("StudentNumber", "98123002"), ("NationalCode", OTHER["NationalCode"])]:
        edit_cell(ws, 1, 0, sheet.columns[name], value, ctx=Context(lang="en"))
    assert [r.statuses() for r in ws.run.results] == [["valid"], ["valid"]]


# -- in flight at a crash ---------------------------------------------------------------------


def crash_with_declarations_in_flight(sandbox, clock, tmp_path, n: int = 8) -> list[str]:
    """Submit the sample, then leave ``n`` declarations ``sending`` in the ledger, as a run
    killed while they were on the wire does; the server holds them or not (as each test
    decides). Their ledger keys."""
    first = submit([SAMPLE], sandbox, clock, report=tmp_path / "r1.xlsx")
    assert first.counts["sent"] == 68
    ledger = Ledger(tmp_path / "home" / "ledger.db")
    try:
        accepted = ledger.recorded("sandbox", "declaration")
        keys = sorted(accepted)[:n]
        for key in keys:
            ledger.mark_sending("sandbox", "declaration", key, accepted[key].payload_hash, "x")
    finally:
        ledger.close()
    return keys


def forget_on_server(sandbox, keys: list[str]) -> None:
    """The server never received these declarations (ledger keys ``student/year``)."""
    with sandbox.store.transaction() as db:
        for key in keys:
            student, year = key.split("/")
            db.execute(
                "DELETE FROM declarations WHERE student_number = ? AND year_id = ?",
                (student, int(year)),
            )


def test_in_flight_declarations_the_server_holds_are_confirmed_not_sent(sandbox, clock, tmp_path):
    keys = crash_with_declarations_in_flight(sandbox, clock, tmp_path)
    before = sandbox.store.write_counts()["declarations"]
    result = submit([SAMPLE], sandbox, clock, report=tmp_path / "r2.xlsx")
    assert result.exit_code == 1  # the sample's own invalid and refused rows
    assert sandbox.store.write_counts()["declarations"] == before
    confirmed = [
        r
        for r in result.to_dict()["rows"]
        if any("confirmed on the server" in m for m in r["messages"])
    ]
    assert len(confirmed) == len(keys) and {r["status"] for r in confirmed} == {"unchanged"}


def test_in_flight_declarations_the_server_lacks_are_sent_once(sandbox, clock, tmp_path):
    keys = crash_with_declarations_in_flight(sandbox, clock, tmp_path)
    forget_on_server(sandbox, keys)
    result = submit([SAMPLE], sandbox, clock, report=tmp_path / "r2.xlsx")
    assert result.counts["sent"] == len(keys)
    writes = sandbox.store.write_counts()["declarations"]
    assert len(writes) == 32 and set(writes.values()) == {1}
