"""A report that cannot be written (a full disk) after every row was sent: the rows' outcomes
and the run's end are in the ledger first, the run says so in one line with how to get the
report, `simad runs --report` writes it, and nothing is left behind: no part-written file, no
scratch files, no half-closed zip complaining when it is collected."""

from __future__ import annotations

import errno
import gc
import json
import sys
import tempfile
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import pipeline.sheets.report
from pipeline.cli import app
from pipeline.core import config
from pipeline.core.errors import LocalStorageError
from pipeline.simad.ledger import Ledger

from .reports import report_rows
from .test_submit import SAMPLE

runner = CliRunner()
SENT_ROWS = {"sent": 68, "failed": 1, "not_sent": 4, "invalid": 7}  # the sample's outcomes


class FullDisk:
    """A file on a disk with ``room`` bytes left: past them every write fails as a full disk
    does (the bytes that fit are written)."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def disk_full_at_reports(monkeypatch, tmp_path):
    """Reports get 2 KB of room; xlsxwriter's scratch files go to a folder of the test's own
    (to see that none is left); unraisable errors (a zip's ``__del__``) are collected."""
    room = {"bytes": 2048}

    def opener(path, mode="r", *args, **kwargs):
        real = open(path, mode, *args, **kwargs)  # noqa: SIM115 - the code under test closes it
        return FullDisk(real, room["bytes"]) if str(path).endswith(".xlsx.part") else real

    monkeypatch.setattr(pipeline.sheets.report, "open", opener, raising=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    return SimpleNamespace(room=room, scratch=scratch, unraisable=unraisable)


def simad(*args: str):
    config.reset_settings_cache()
    return runner.invoke(app, ["--lang", "en", *args])


def runs() -> list[dict]:
    return json.loads(simad("runs", "--json").stdout)


def test_a_full_disk_at_the_report_keeps_every_row_and_the_report_comes_later(
    disk_full_at_reports, tmp_path
):
    out = tmp_path / "out"
    result = simad("submit", str(SAMPLE), "--report", str(out / "r.xlsx"))
    gc.collect()  # a half-closed zip would speak now
    assert disk_full_at_reports.unraisable == []
    assert result.exit_code == 1, result.output  # the run's own code: some rows failed
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    run_id = runs()[0]["id"]
    assert "No space left on device" in errors[0]
    assert f"simad runs --report {run_id}" in errors[0]
    assert list(out.iterdir()) == []  # no part-written report
    assert list(disk_full_at_reports.scratch.iterdir()) == []  # no scratch files with rows
    # The run is finished in the ledger with its counts, not left `interrupted`.
    listed = runs()[0]
    assert listed["state"] == "done" and listed["counts"] == SENT_ROWS
    assert listed["report"] is None
    # Room again: the suggested command writes the report, from the ledger.
    disk_full_at_reports.room["bytes"] = 10**9
    later = simad("runs", "--report", run_id, "--out", str(tmp_path / "later.xlsx"))
    assert later.exit_code == 0, later.output
    statuses = [row["status"] for row in report_rows(tmp_path / "later.xlsx")]
    assert {s: statuses.count(s) for s in set(statuses)} == SENT_ROWS
    assert runs()[0]["report"] == str(tmp_path / "later.xlsx")


def test_a_run_whose_rows_were_all_sent_still_says_the_report_is_missing(
    disk_full_at_reports, tmp_path
):
    """Every row sent and recorded: exit 1 all the same, since the office lacks its report."""
    from .conftest import national_code

    csv = tmp_path / "one.csv"
    csv.write_text(
        "StudentNumber,NationalCode,CourseStudyCode,ResidencyStartYear,ResidentStatusId,"
        "DurationId,StartResidencyDate,FirstName,LastName,FatherName,IsIrani,BirthDate,"
        "Email,Mobile,Address,GenderId\n"
        f"98123001,{national_code('123456701')},1710,1401,1,2,1401/07/01,مریم,احمدی,علی,"
        "بله,1373/12/10,m@example.ir,09121234567,تهران,1\n",
        encoding="utf-8",
    )
    result = simad("submit", str(csv), "--report", str(tmp_path / "out" / "r.xlsx"), "--json")
    data = json.loads(result.stdout)
    assert data["counts"] == {"sent": 1} and data["report"] is None
    assert result.exit_code == data["exit_code"] == 1


def test_when_the_ledger_cannot_keep_the_rows_either_the_run_is_to_be_run_again(
    disk_full_at_reports, tmp_path, monkeypatch
):
    def full(*args, **kwargs):
        raise LocalStorageError("database or disk is full")

    monkeypatch.setattr(Ledger, "end_run", full)
    result = simad("submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Error:"))
    assert "run the same command again" in line and "simad runs --report" not in line
    listed = runs()[0]
    assert listed["state"] == "done" and listed["counts"] == SENT_ROWS  # the run's end alone
    refused = simad("runs", "--report", listed["id"])
    assert refused.exit_code == 2 and "holds no row outcomes" in refused.output


def test_an_interrupted_report_leaves_nothing_behind(tmp_path, monkeypatch):
    from pipeline.sheets.report import Report, ReportSheet, write_report

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sheet = ReportSheet("s", ["a"], [["x"]] * 10, [], [])

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.sheets.report, "_write_sheet", stop)
    with pytest.raises(KeyboardInterrupt):
        write_report(Report([("k", "v")], ["h"], [], [sheet]), tmp_path / "r.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["scratch"]
    assert list(scratch.iterdir()) == []


def test_the_ledger_holds_the_run_before_its_report_is_written(tmp_path, monkeypatch):
    """Every row's outcome and the run's end are committed first: a process killed while the
    report is being written leaves a run whose report `simad runs --report` can write."""
    import pipeline.commands.submit

    seen = {}
    write = pipeline.commands.submit.write_report

    def watched(report, path):
        ledger = Ledger(config.simad_home() / "ledger.db")  # another connection, as a new process
        try:
            run = ledger.runs(1)[0]
            seen.update(state=run["state"], counts=run["counts"], rows=ledger.saved_rows(run["id"]))
        finally:
            ledger.close()
        return write(report, path)

    monkeypatch.setattr(pipeline.commands.submit, "write_report", watched)
    result = simad("submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 1, result.output
    assert seen["state"] == "done" and seen["counts"] == SENT_ROWS
    assert len(seen["rows"]) == sum(SENT_ROWS.values())


def test_a_ledger_that_could_not_be_opened_is_not_offered_for_the_report(
    disk_full_at_reports, tmp_path, monkeypatch
):
    """SIMAD_HOME could not hold the ledger at all (the run stood on an in-memory stand-in):
    `simad runs --report` would find nothing, so it is not suggested."""
    home = tmp_path / "fullhome"
    (home / "ledger.db").mkdir(parents=True)  # a ledger that cannot be opened
    monkeypatch.setenv("SIMAD_HOME", str(home))
    result = simad("submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 3, result.output  # stopped: nothing may be sent unrecorded
    line = next(line for line in result.output.splitlines() if line.startswith("Error:"))
    assert "run the same command again" in line and "simad runs --report" not in line
