"""Closing `simad ui` (Ctrl+C) during a run and starting it again: the run reads
"interrupted" (the app was closed), never "stopped by the clerk", in `simad runs` and on the
Runs page, and the console says how many rows were not sent; the console and the start page
say what is kept; the chosen target comes back at the next start; a job's card is titled in
the language of the page reading it."""

from __future__ import annotations

import json
import os
import re
import stat
import time

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.config import simad_home
from pipeline.core.i18n import language, t
from pipeline.simad.ledger import Ledger
from pipeline.web.server import farewell
from tests import test_ui
from tests.inprocess import in_process
from tests.test_ui import start_submission

slow_sandbox = test_ui.slow_sandbox
runner = CliRunner()
H = "x-csrf-token"


def test_closing_the_app_mid_run_reads_interrupted_not_stop(slow_sandbox):
    with in_process("en") as (client, token, state):
        job = start_submission(client, token, state)
        deadline = time.monotonic() + 30
        while job.snapshot()["done"] < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        state.close()  # what Ctrl+C does on the way out
        run_id = str(job.result.run_id)
        lines = {lang: _said(lang, state) for lang in ("fa", "en")}
        for lang in ("fa", "en"):
            client.post("/lang", data={"lang": lang}, headers={H: token})
            with language(lang):
                words, clerk = t("run_ending_interrupted"), t("run_ending_clerk")
            row = re.search(
                rf"<tr data-ending=\"\w+\"><td dir=\"ltr\">{run_id}</td>.*?</tr>",
                client.get("/runs").text,
                re.S,
            )
            assert row is not None and f"<td>{words}</td>" in row.group(0)
            assert clerk not in row.group(0)
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        marker = {r["id"]: r["ending"] for r in ledger.runs(5)}[run_id]
    finally:
        ledger.close()
    assert marker == "interrupted"
    cli = runner.invoke(app, ["runs", "--lang", "en"])
    line = next(x for x in cli.output.splitlines() if x.startswith(run_id))
    assert line.endswith("interrupted"), line
    assert "Stop was pressed" not in cli.output and "closed" in cli.output
    not_sent = job.result.counts.get("not_sent", 0)
    assert not_sent > 0
    assert run_id in lines["en"][0] and f"{not_sent} rows were not sent" in lines["en"][0]
    assert run_id in lines["fa"][0] and "قطع شد" in lines["fa"][0]


def _said(lang: str, state) -> list[str]:
    with language(lang):
        return farewell(state)


def test_the_console_and_start_page_say_what_is_kept():
    with in_process("fa") as (client, _token, state):
        start = client.get("/").text
        with language("fa"):
            bye = farewell(state)
    assert "در پایان کار پاک می‌شوند" not in start
    assert "تا وقتی خودتان آن را ببندید نگه داشته" in start
    assert bye[-1].startswith("برنامه بسته شد") and "نگه داشته شدند" in bye[-1]
    assert "فایل‌های بارگذاری‌شده پاک شدند" not in bye[-1]
    with language("en"):
        assert "are kept" in farewell(state)[-1]


def test_the_chosen_target_comes_back_after_a_restart():
    address = "http://127.0.0.1:8791"
    with in_process("fa") as (client, token, state):
        assert state.target is None
        client.post("/target", data={"target": "remote", "address": address}, headers={H: token})
        assert state.target == address
    kept = simad_home() / "ui-settings.json"
    assert json.loads(kept.read_text("utf-8")) == {"target": address}
    if os.name == "posix":
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    with in_process("fa") as (client, _token, state):  # a new app on the same SIMAD_HOME
        assert state.target == address
        with language("fa"):
            choose = t("ui_choose_target")
        page = client.get("/submit").text
        assert choose not in page and address in page
        client.post("/target", data={"target": "sandbox"}, headers={H: _token})
    with in_process("en") as (_client, _t, state):
        assert state.target == "sandbox"


def test_a_job_card_is_titled_in_the_language_of_the_page(slow_sandbox):
    with in_process("en") as (client, token, state):
        job = start_submission(client, token, state)
        english = client.get("/submit").text
        assert "Submission to sandbox" in english
        client.post("/lang", data={"lang": "fa"}, headers={H: token})
        persian = client.get("/submit").text
        job.stop()
        job.thread.join(60)
    assert "ارسال به سندباکس" in persian
    assert "ارسال به sandbox" not in persian
