"""How a run ended reads the same in `simad runs` and on the Runs page, in both languages: a
Stop from the page is "stopped by the clerk", a refused login "login refused" (the marker the
run records in the ledger when it ends). `simad runs --report` names a changed input by its own
name, never a folder of the app's, and writes again the report of a resend from the page."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core.config import Credentials, simad_home
from pipeline.core.i18n import language, t
from pipeline.simad.ledger import Ledger
from tests import test_ui, test_ui_resend
from tests.test_ui import SAMPLE, stopped_submission
from tests.test_ui_resend import hx, open_and_reconcile

inprocess = test_ui.inprocess
rejected_1402 = test_ui_resend.rejected_1402

slow_sandbox = test_ui.slow_sandbox
runner = CliRunner()


def _stopped_page_run(client, token, state) -> str:
    return str(stopped_submission(client, token, state).result.run_id)


def _refused_login() -> str:
    result = run_submit(
        SubmitOptions([SAMPLE], target="sandbox", report=simad_home() / "refused.xlsx"),
        credentials=Credentials("demo-university", "not-the-password"),
    )
    assert result.fatal is not None
    return result.run_id


def _cli_line(output: str, run_id: str) -> str:
    found = re.search(rf"^{re.escape(run_id)}  .*$", output, re.M)
    assert found is not None, output
    return found.group(0)


def _page_state(page: str, run_id: str) -> str:
    row = re.search(rf'<tr data-ending="\w+"><td dir="ltr">{run_id}</td>.*?</tr>', page, re.S)
    assert row is not None, run_id
    return row.group(0)


def test_simad_runs_and_the_runs_page_say_the_same_ending(inprocess, slow_sandbox):
    client, token, state = inprocess
    stopped = _stopped_page_run(client, token, state)
    refused = _refused_login()
    record = Ledger(simad_home() / "ledger.db")
    try:
        markers = {r["id"]: r["ending"] for r in record.runs(10)}
    finally:
        record.close()
    assert markers[stopped] == "clerk" and markers[refused] == "login"
    expected = {stopped: "run_ending_clerk", refused: "run_ending_login"}
    for lang in ("fa", "en"):
        client.post("/lang", data={"lang": lang}, headers=hx(token))
        page = client.get("/runs").text
        cli = runner.invoke(app, ["runs", "--lang", lang])
        assert cli.exit_code == 0, cli.output
        for run_id, key in expected.items():
            with language(lang):
                words = t(key)
            assert f"<td>{words}</td>" in _page_state(page, run_id)
            line = _cli_line(cli.output, run_id)
            assert line.endswith(words), line
        with language(lang):
            wrong = (t("run_ending_interrupted"), t("run_ending_stopped"))
        assert not any(_cli_line(cli.output, stopped).endswith(w) for w in wrong)
    cli = runner.invoke(app, ["runs", "--lang", "en"])
    assert "Stop was pressed" in cli.output and "HTTP 403" in cli.output


def test_a_ledger_without_the_marker_is_read_from_its_messages(inprocess):
    """Runs recorded before the marker existed: the messages still tell how they ended."""
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        ledger.start_run("old-login", "submit", "sandbox", ["/x/a.xlsx"])
        with language("fa"):
            why = t("auth_refused", status=403, text="no")
        ledger.end_run("old-login", [], state="stopped", counts={}, stopped=why)
    finally:
        ledger.close()
    cli = runner.invoke(app, ["runs", "--lang", "en"])
    assert _cli_line(cli.output, "old-login").endswith("login refused"), cli.output


def test_a_changed_input_is_named_by_its_name_never_a_session_folder(inprocess):
    folder = simad_home() / "ui" / "ef626fcbe676" / "corrected" / "41c140b9d6b2" / "0"
    folder.mkdir(parents=True)
    book = folder / "sample.xlsx"
    book.write_bytes(SAMPLE.read_bytes())
    done = run_submit(SubmitOptions([book], target="sandbox", report=simad_home() / "a.xlsx"))
    book.write_bytes(SAMPLE.read_bytes() + b"\0")
    for lang in ("fa", "en"):
        cli = runner.invoke(app, ["runs", "--report", done.run_id, "--lang", lang])
        assert cli.exit_code != 0
        assert "sample.xlsx" in cli.output and "ef626fcbe676" not in cli.output, cli.output
        assert str(simad_home()) not in cli.output


def test_a_resend_from_the_page_has_its_report_written_again(inprocess, rejected_1402):
    client, token, state = inprocess
    ws, _answer = open_and_reconcile(client, token, SAMPLE)
    keys = rejected_1402[:2]
    started = client.post("/resend", data={"ws": ws, "key": keys}, headers=hx(token))
    assert started.status_code == 204
    job = state.latest("submit")
    job.thread.join(60)
    run_id = job.result.run_id
    kept = list((simad_home() / "runs" / run_id).rglob("*.xlsx"))
    assert kept, "a resend keeps what it sent"
    out = simad_home() / "again.xlsx"
    cli = runner.invoke(app, ["runs", "--report", run_id, "--out", str(out), "--lang", "en"])
    assert cli.exit_code == 0, cli.output
    assert out.is_file() and out.stat().st_size > 0
    kept[0].write_bytes(kept[0].read_bytes() + b"\0")
    cli = runner.invoke(app, ["runs", "--report", run_id, "--lang", "en"])
    assert cli.exit_code != 0 and Path(kept[0]).name in cli.output
    assert f"runs/{run_id}" in cli.output and str(simad_home()) not in cli.output
