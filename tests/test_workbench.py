"""No correction is lost to a restart: the open workbook and its corrections are held under
SIMAD_HOME (owner-only) and opened again by the next app; one that cannot be is said in a
sentence on the start page. What a page run sent is kept, so that `simad runs --report`
writes its report again after the app stopped. Driven in-process (httpx's ASGI transport)."""

from __future__ import annotations

import html
import json
import os
import re
import stat
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.core.config import simad_home
from schemas.identifiers import national_code_check_digit
from tests.inprocess import in_process

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
FIXED = "123456780" + national_code_check_digit("123456780")


def hx(token: str) -> dict[str, str]:
    return {"x-csrf-token": token, "hx-request": "true"}


def said(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def open_and_fix(client, token: str, state) -> tuple[int, int, int]:
    """The sample opened and its first invalid national code corrected: (sheet, row, col)."""
    assert (
        client.post(
            "/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=hx(token)
        ).status_code
        == 204
    )
    result = state.workspace.run.results[0]
    col = result.sheet.columns["NationalCode"]
    row = next(i for i, r in enumerate(result.sheet.rows) if r[col] == "0012345678")
    answer = client.post(
        "/cell",
        data={"ws": state.workspace.id, "sheet": 0, "row": row, "col": col, "value": FIXED},
        headers=hx(token),
    )
    assert answer.status_code == 200
    return 0, row, col


def test_corrections_survive_a_restart_of_the_app():
    with in_process("en") as (client, token, state):
        sheet, row, col = open_and_fix(client, token, state)
        ws_id = state.workspace.id
        invalid = state.workspace.run.invalid
    bench = simad_home() / "workbench"
    assert (bench / "workbench.json").is_file()
    if os.name == "posix":
        for path in [bench, *bench.rglob("*")]:
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    with in_process("en") as (client, token, state):  # the app started again
        ws = state.workspace
        assert ws is not None and ws.id == ws_id  # a tab left open goes on working
        assert ws.run.results[sheet].sheet.rows[row][col] == FIXED
        assert len(ws.edits) == 1 and ws.run.invalid == invalid
        page = client.get("/check").text
        assert "1 correction" in said(page)
        undo = client.post("/undo", data={"ws": ws_id}, headers=hx(token))
        assert undo.status_code == 200
    with in_process("en") as (client, token, state):  # the undo was kept too
        assert state.workspace is not None and state.workspace.edits == []
        assert state.workspace.run.results[sheet].sheet.rows[row][col] == "0012345678"


def test_a_damaged_workbench_is_a_sentence_and_the_start_page_works():
    with in_process("en") as (client, token, state):
        open_and_fix(client, token, state)
    record = simad_home() / "workbench" / "workbench.json"
    record.write_text(json.dumps({"version": 1, "id": "zz", "files": ["../x"], "edits": 3}))
    with in_process("en") as (client, token, state):
        assert state.workspace is None
        start = client.get("/")
        assert start.status_code == 200
        text = said(start.text)
        assert "The workbook open last time (sample.xlsx) could not be opened again" in text
        assert "Traceback" not in start.text and "ui_held" not in start.text
        kept = simad_home() / "workbench-unrestored" / "files" / "0" / "sample.xlsx"
        assert kept.is_file()  # the clerk's file is not thrown away
        assert client.get("/check").status_code == 200
        opened = client.post(
            "/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=hx(token)
        )
        assert opened.status_code == 204
    with in_process("en") as (client, token, state):  # said once: the next start is clean
        assert state.note is None and state.workspace is not None


def test_a_correction_to_a_cell_no_longer_there_is_a_sentence(tmp_path):
    with in_process("en") as (client, token, state):
        open_and_fix(client, token, state)
    record_path = simad_home() / "workbench" / "workbench.json"
    record = json.loads(record_path.read_text())
    record["edits"][0][1] = 99_999  # a row the workbook does not have
    record_path.write_text(json.dumps(record))
    with in_process("fa") as (client, token, state):
        assert state.workspace is None
        text = said(client.get("/").text)
        assert "دوباره باز نشد" in text and "این خانه در کارپوشه نیست" in text


def test_runs_report_writes_the_report_of_a_page_run_again_after_the_app_stopped():
    with in_process("en") as (client, token, state):
        open_and_fix(client, token, state)
        assert (
            client.post("/target", data={"target": "sandbox"}, headers=hx(token)).status_code < 300
        )
        sent = client.post("/submit", data={"ws": state.workspace.id}, headers=hx(token))
        assert sent.status_code == 204
        job = state.latest("submit")
        assert job is not None and job.thread is not None
        job.thread.join(120)
        assert job.error is None, job.error
        run_id = job.result.run_id
        first = Path(job.result.report)
        folder = state.folder
    assert not folder.exists()  # the session's uploads are gone
    kept = simad_home() / "runs" / run_id / "0" / "sample.xlsx"
    assert kept.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(kept.stat().st_mode) & 0o077 == 0
    first.unlink()
    answer = CliRunner().invoke(cli, ["--lang", "en", "runs", "--report", run_id])
    assert answer.exit_code == 0, answer.output
    assert first.is_file()  # written again where the run wrote it
    import openpyxl

    rows = openpyxl.load_workbook(first).worksheets[1].iter_rows(values_only=True)
    assert any(FIXED in row for row in rows)  # the corrected value, as it was sent


def test_a_page_run_refused_before_it_starts_leaves_no_run_folder():
    from filelock import FileLock

    from pipeline.simad.runlock import lock_path

    with in_process("en") as (client, token, state):
        assert client.post("/target", data={"target": "sandbox"}, headers=hx(token)).status_code
        open_and_fix(client, token, state)
        runs = simad_home() / "runs"
        before = set(runs.iterdir()) if runs.is_dir() else set()
        held = FileLock(str(lock_path(simad_home(), state.target)), timeout=0)
        held.acquire()  # another run to the same target going
        try:
            client.post("/submit", data={"ws": state.workspace.id}, headers=hx(token))
            job = state.latest("submit")
            assert job is not None and job.thread is not None
            job.thread.join(60)
        finally:
            held.release()
        assert job.error is not None and job.result is None
        after = set(runs.iterdir()) if runs.is_dir() else set()
        assert after == before  # no empty runs/<run id>/ left behind
