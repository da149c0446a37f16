"""`simad ui`: the Stop button rehearsed on the sandbox. The submit page offers a slow sandbox
when the target is the sandbox (never for the ministry); chosen, the embedded sandbox answers
every request after a delay, so that a run lasts long enough to press Stop; the run stopped by
the clerk then says so on the Runs page. Driven in-process (no socket, no timed assertion)."""

from __future__ import annotations

import time
from typing import Any

import pytest

import pipeline.web.state as web_state
from pipeline.commands.sandbox import SLOW_MS, slow_transport
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.errors import SimadError
from pipeline.core.i18n import MESSAGES
from pipeline.web.routes import submit as submit_route
from tests.inprocess import in_process
from tests.test_ui import SAMPLE


@pytest.fixture
def page():
    """The app in-process in English with the sample workbook open: (client, headers,
    state)."""
    with in_process("en", port=8768) as (client, token, state):
        h = {"x-csrf-token": token}
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        yield client, h, state


@pytest.fixture
def heard(monkeypatch) -> list[dict[str, Any]]:
    """The submissions started, as their keywords (none is sent)."""
    calls: list[dict[str, Any]] = []

    def fake(options: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        raise SimadError("heard")

    monkeypatch.setattr(web_state, "run_submit", fake)
    return calls


def started(client, h, state, **form: str) -> None:
    client.post("/submit", data={"ws": state.workspace.id, **form}, headers=h)
    job = state.latest("submit")
    assert job is not None
    job.thread.join(30)


def test_the_slow_sandbox_reaches_the_sandboxs_settings(page, heard):
    client, h, state = page
    client.post("/target", data={"target": "sandbox"}, headers=h)
    form = client.get("/submit").text
    assert 'name="slow"' in form and MESSAGES["ui_slow_sandbox"]["en"] in form
    started(client, h, state, slow="on")
    transport = heard[-1]["transport"]
    assert transport.app.settings.latency_ms == SLOW_MS > 0
    assert "(slow)" in state.latest("submit").title
    started(client, h, state)  # not chosen: the usual sandbox
    assert "transport" not in heard[-1]


def test_the_ministry_is_never_slowed(page, heard):
    client, h, state = page
    client.post("/target", data={"target": "remote", "address": "http://127.0.0.1:9"}, headers=h)
    state.sign_in(state.target, Credentials("someone", "not-a-real-one"))
    assert 'name="slow"' not in client.get("/submit").text
    started(client, h, state, slow="on")  # asked for all the same
    assert "transport" not in heard[-1]


def test_a_slow_run_can_be_stopped_and_the_runs_page_says_the_clerk_stopped_it(page, monkeypatch):
    client, h, state = page
    # Slow enough that rows are still waiting when Stop is pressed, quick enough for a test.
    monkeypatch.setattr(submit_route, "slow_transport", lambda: slow_transport(150))
    client.post("/target", data={"target": "sandbox"}, headers=h)
    client.post("/submit", data={"ws": state.workspace.id, "slow": "on"}, headers=h)
    job = state.latest("submit")
    deadline = time.monotonic() + 60
    while job.snapshot()["done"] < 1 and job.finished is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.finished is None, "the slow sandbox ended the run before Stop"
    client.post(f"/jobs/{job.id}/stop", headers=h)
    job.thread.join(120)
    counts = job.result.counts
    assert counts.get("not_sent", 0) > 0
    card = client.get("/submit").text
    assert 'id="stopped-by-clerk"' in card and MESSAGES["run_reason_clerk"]["en"] in card
    runs = client.get("/runs").text
    row = runs[runs.index(f">{job.result.run_id}<") :].split("</tr>")[0]
    assert MESSAGES["run_ending_clerk"]["en"] in row
    assert "<bdi>sample.xlsx</bdi>" in row  # the clerk's own file name
    assert SANDBOX_USERNAME not in runs and SANDBOX_PASSWORD not in runs
