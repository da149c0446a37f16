"""`simad ui`: the job card and the Runs page say what is true. No time left is shown until a
rate is known, and never 0 while rows remain; a finished run of another target is labelled as
an earlier one (its target and time), not shown as the current one; a run's input is named by
the clerk's own file name, never a path of the app's folders; a refused login reads so on the
Runs page, with the server's reason and the input file. Driven in-process (no socket)."""

from __future__ import annotations

import re
from typing import Any

import pytest

import pipeline.web.state as web_state
from pipeline.commands.submit import run_submit
from pipeline.core.config import SANDBOX_USERNAME, simad_home
from pipeline.core.i18n import MESSAGES
from pipeline.web.state import Job, eta
from tests.inprocess import in_process
from tests.test_ui import SAMPLE
from tests.test_ui_login import MINISTRY, Counting
from tests.test_ui_words import workbook_text


def test_no_time_left_until_a_rate_is_known_and_never_zero_while_rows_remain():
    assert eta(62, 0.0) is None  # no rate yet
    assert eta(62, 500.0) == 1  # not 0: rows remain
    assert eta(0, 5.0) is None
    assert eta(10, 2.0) == 5
    job = Job("j", "submit", "x", total=62)
    snap = job.snapshot()
    assert snap["remaining"] == 62 and snap["eta"] is None
    page_eta = re.compile(r'data-field="eta">([^<]*)<')
    with in_process("fa", port=8769) as (client, _token, state):
        state.jobs[job.id] = job  # a run that has not yet sent a row
        shown = page_eta.search(client.get("/submit").text)
        assert shown is not None and shown.group(1) == "-"


def test_no_rate_shown_before_a_second_of_the_run_and_no_time_left_while_stopping(monkeypatch):
    """A rate of 0 at the start reads as a stalled run: a dash until a second has been seen.
    While stopping, the rows left will not be sent: no time left is told."""
    now = [1000.0]
    monkeypatch.setattr("pipeline.web.state.time.monotonic", lambda: now[0])
    job = Job("j", "submit", "x", total=100)
    assert job.snapshot()["rate"] is None
    job.done, now[0] = 10, now[0] + 0.5
    assert job.snapshot()["rate"] is None  # half a second: not yet a rate
    job.done, now[0] = 20, now[0] + 0.5
    snap = job.snapshot()
    assert snap["rate"] == 20.0 and snap["eta"] == 4
    job.stop()
    job.done, now[0] = 30, now[0] + 0.5
    snap = job.snapshot()
    assert snap["state"] == "stopping" and snap["rate"] is not None and snap["eta"] is None


def send(client, h, state) -> Job:
    client.post("/submit", data={"ws": state.workspace.id}, headers=h)
    job = state.latest("submit")
    assert job is not None
    job.thread.join(120)
    return job


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_run_of_another_target_is_labelled_earlier_and_named_by_its_file(lang):
    with in_process(lang, port=8769) as (client, token, state):
        h = {"x-csrf-token": token}
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        client.post("/target", data={"target": "sandbox"}, headers=h)
        job = send(client, h, state)
        current = client.get("/submit").text
        assert 'id="job-when"' in current and 'id="job-earlier"' not in current
        client.post("/target", data={"target": "remote", "address": MINISTRY}, headers=h)
        page = client.get("/submit").text
        assert 'id="job-earlier"' in page
        # The form for the ministry comes first; the sandbox's card after it, labelled.
        assert page.index('id="login"') < page.index('id="job"') < page.index('id="job-earlier"')
        said = MESSAGES["ui_job_other_target"][lang].split("{")[0]
        assert said in page
        client.post("/target", data={"target": "sandbox"}, headers=h)
        assert 'id="job-earlier"' not in client.get("/submit").text
        # The clerk's file, by its own name, in <bdi>; no folder of the app on any page.
        home = str(simad_home())
        for url in ("/submit", "/runs", "/check", "/"):
            text = client.get(url).text
            assert home not in text and "/ui/" not in text and "/runs/" + job.id not in text
        runs = client.get("/runs").text
        assert "<bdi>sample.xlsx</bdi>" in runs
        # The report the page hands out names the input by its name too.
        report = client.get(f"/runs/{job.result.run_id}/report")
        assert report.status_code == 200
        text = workbook_text(report.content)
        assert "sample.xlsx" in text and str(state.folder) not in text
        assert f"runs/{job.result.run_id}" not in text  # where the sent copy is kept


@pytest.fixture
def ministry(monkeypatch):
    """The app in-process in English, its ministry target answered by the sandbox's app."""
    counts: dict[str, int] = {}

    def answered(options: Any, **kwargs: Any) -> Any:
        return run_submit(options, transport=Counting(counts), **kwargs)

    monkeypatch.setattr(web_state, "run_submit", answered)
    with in_process("en", port=8770) as (client, token, state):
        h = {"x-csrf-token": token}
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        client.post("/target", data={"target": "remote", "address": MINISTRY}, headers=h)
        yield client, h, state


def test_the_runs_page_says_a_login_was_refused_with_its_reason_and_input(ministry):
    client, h, state = ministry
    wrong = {"username": SANDBOX_USERNAME, "password": "not-the-password-77"}
    client.post("/credentials", data=wrong, headers=h)
    job = send(client, h, state)
    assert job.login_refused
    runs = client.get("/runs").text
    row = runs[runs.index(f">{job.result.run_id}<") :].split("</tr>")[0]
    assert 'data-ending="login"' in runs
    assert MESSAGES["run_ending_login"]["en"] in row
    assert "Incorrect username or password" in row  # the server's reason
    assert "<bdi>sample.xlsx</bdi>" in row
    assert wrong["password"] not in runs
