"""Three small things of `simad ui`: an immediate restart on the same ``--port`` after Ctrl-C
(the connections left in TIME_WAIT do not hold the port), no inline style or script in any page
while the Content-Security-Policy forbids them, and the runs page saying how each run ended,
why, and from which files. Pages are driven in-process (httpx's ASGI transport)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.core.config import simad_home
from pipeline.core.i18n import language, t
from pipeline.simad.ledger import Ledger
from pipeline.web.security import CSP
from pipeline.web.server import free_port
from tests import test_ui
from tests.test_ui import SAMPLE, stopped_submission

inprocess = test_ui.inprocess  # the app driven in-process, signed in
slow_sandbox = test_ui.slow_sandbox  # a submission that lasts a while

STATIC = Path(__file__).parents[1] / "pipeline" / "web" / "static"
PAGES = ("/", "/check", "/submit", "/runs", "/results", "/maxa", "/nowhere")

# -- 1. the same port at once after Ctrl-C -------------------------------------------------


def _start(port: int, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SIMAD_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "pipeline", "--lang", "en", "ui", "--port", str(port)]
    return subprocess.Popen(
        [*command, "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _served(process: subprocess.Popen[str]) -> str:
    """The printed address, once the app answers it (the server closing the connection, so
    that the app's own side of it is left in TIME_WAIT)."""
    first = process.stdout.readline().strip()  # type: ignore[union-attr]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", first), (
        first,
        process.stderr.read() if process.poll() is not None else "",  # type: ignore[union-attr]
    )
    for _ in range(200):
        try:
            answer = httpx.get(first, headers={"connection": "close"})
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    assert answer.status_code == 303
    return first


def _time_wait_on(port: int) -> bool:
    try:
        listing = subprocess.run(["ss", "-tan"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return True  # no ss: the restart itself is the test
    return any("TIME-WAIT" in line and f":{port} " in line for line in listing.stdout.splitlines())


@pytest.mark.skipif(os.name == "nt", reason="SIGINT and TIME_WAIT as on POSIX")
def test_simad_ui_starts_again_at_once_on_the_same_port_after_ctrl_c(tmp_path):
    port = free_port("127.0.0.1")
    first = _start(port, tmp_path / "home")
    try:
        address = _served(first)
        with httpx.Client() as kept:  # a connection still open when the app stops
            kept.get(address.split("/?")[0] + "/static/app.css")
            first.send_signal(signal.SIGINT)
            out, err = first.communicate(timeout=20)
        assert first.returncode == 0 and "has stopped" in out, err
    finally:
        if first.poll() is None:
            first.kill()
    assert _time_wait_on(port)
    again = _start(port, tmp_path / "home")
    try:
        _served(again)  # at once, on the same port, and it answers
        again.send_signal(signal.SIGINT)
        out, err = again.communicate(timeout=20)
        assert again.returncode == 0 and "Address already in use" not in err
    finally:
        if again.poll() is None:
            again.kill()


def test_a_port_someone_listens_on_is_still_refused():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            free_port("127.0.0.1", port)


# -- 2. no inline style or script -----------------------------------------------------------

INLINE = {
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a style element": re.compile(r"<style[\s>]", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
}


def inline_in(text: str) -> list[str]:
    return [what for what, pattern in INLINE.items() if pattern.search(text)]


def test_the_check_finds_what_the_policy_would_refuse():
    assert inline_in('<td style="color: red">') == ["a style attribute"]
    assert inline_in("<script>alert(1)</script>") == ["an inline script"]
    assert inline_in('<body onload="go()">') == ["an event handler attribute"]
    assert inline_in("<style>.x{}</style>") == ["a style element"]
    assert not inline_in('<script src="/static/app.js" defer></script><p>style=</p>')


def _policy() -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in CSP.split(";"))


def _visited(client, token: str, state) -> dict[str, httpx.Response]:
    """Every page, with a workbook open, a cell's panel, an edit and a refusal."""
    h = {"x-csrf-token": token, "hx-request": "true"}
    seen = {
        "upload": client.post(
            "/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h
        )
    }
    seen |= {path: client.get(path) for path in PAGES}
    result = state.workspace.run.results[1]
    score = result.sheet.columns["BaliniScore"]
    ws = state.workspace.id
    seen["/check?sheet=1&only=invalid"] = client.get("/check?sheet=1&only=invalid", headers=h)
    seen["/cell"] = client.get(f"/cell?ws={ws}&sheet=1&row=0&col={score}", headers=h)
    data = {"ws": ws, "sheet": 1, "row": 0, "col": score, "value": "40"}
    seen["edit"] = client.post("/cell", data=data, headers=h)
    seen["edit refused"] = client.post("/cell", data={**data, "row": "x"}, headers=h)
    seen["maxa refused"] = client.post("/maxa/lookup", data={"terminology": ""}, headers=h)
    return seen


def test_no_page_carries_an_inline_style_or_script_the_policy_forbids(inprocess):
    client, token, state = inprocess
    policy = _policy()
    assert "'unsafe-inline'" not in policy["style-src"] + policy["script-src"]
    for lang in ("en", "fa"):
        h = {"x-csrf-token": token, "hx-request": "true"}
        client.post("/lang", data={"lang": lang}, headers=h)
        for name, answer in _visited(client, token, state).items():
            assert answer.headers["content-security-policy"] == CSP, name
            assert not inline_in(answer.text), (lang, name, inline_in(answer.text))
            if answer.headers.get("content-type", "").startswith("text/html"):
                assert answer.status_code < 500, (lang, name)


def test_htmx_is_told_to_add_no_style_and_run_no_inline_code(inprocess):
    """htmx writes a <style> for its indicators, evaluates code in attributes and runs the
    scripts of what it swaps in, unless told not to (the policy refuses all three, an error in
    the browser's console): every page tells it, and the page's own script sets no style."""
    client, _token, _state = inprocess
    page = client.get("/check").text
    found = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"\.style\b|cssText|setAttribute\(\s*[\"']style|\.innerHTML\s*=", script)


# -- 3. the runs page -----------------------------------------------------------------------

RUNS = {
    "r-done": ("done", None, "declarations.xlsx", "sent"),
    "r-login": ("stopped", "login", "residents 1404.xlsx", "not_sent"),
    "r-fatal": ("stopped", "fatal", "broken.xlsx", "not_sent"),
    "r-cut": ("interrupted", None, "cut.xlsx", "not_sent"),
}


def _ledger_with_runs() -> None:
    """Runs as `simad submit` leaves them: a finished one, a refused login (said in Persian),
    another fault, and one interrupted by Ctrl-C."""
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        for n, (run_id, (state, why, name, status)) in enumerate(RUNS.items()):
            folder = simad_home() / "ui" / "session-x" / "corrected"
            ledger.start_run(run_id, "submit", "sandbox", [str(folder / name)])
            with language("fa"):
                stopped = {
                    "login": t("auth_refused", status=403, text="رمز نادرست است"),
                    "fatal": t("ledger_unusable", path="/x", reason="disk full"),
                }.get(why or "")
                said = t("not_sent_interrupted") if state == "interrupted" else None
            ledger.end_run(
                run_id,
                [(0, 0, status, said, None, None, None, 0, None)],
                state=state,
                counts={status: 1},
                stopped=stopped,
            )
            ledger._exec("UPDATE runs SET started_at = ? WHERE id = ?", (1e9 + n, run_id))
    finally:
        ledger.close()


def _row(page: str, run_id: str) -> str:
    found = re.search(rf'<tr data-ending="(\w+)"><td dir="ltr">{run_id}</td>.*?</tr>', page, re.S)
    assert found is not None, run_id
    return found.group(0)


ENGLISH = {
    "r-done": ("done", "finished", None),
    "r-login": ("login", "login refused", "SIMAD refused the login (HTTP 403): رمز نادرست"),
    "r-fatal": ("stopped", "stopped by an error", "disk full"),
    "r-cut": ("interrupted", "interrupted", "The app was closed before the run ended"),
}


def test_the_runs_page_says_how_each_run_ended_why_and_from_which_files(inprocess):
    client, token, _state = inprocess
    _ledger_with_runs()
    page = client.get("/runs").text
    for run_id, (ending, words, reason) in ENGLISH.items():
        row = _row(page, run_id)
        assert f'data-ending="{ending}"' in row and f"<td>{words}</td>" in row, row
        assert (reason is None) == ("<td></td>" in row.split(words, 1)[1][:20]), row
        if reason:  # a fault other than a refused login: as the run said it
            assert "<bdi>" in row and reason in re.sub(r"</?bdi>", "", row), row
        assert f"<bdi>{RUNS[run_id][2]}</bdi>" in row and "session-x" not in row, row
    assert not re.search(
        r">\s*(interrupted|stopped|not_sent|run_ending_\w+)\s*<",
        page.replace("<td>interrupted</td>", ""),
    )
    client.post("/lang", data={"lang": "fa"}, headers={"x-csrf-token": token, "hx-request": "1"})
    page = client.get("/runs").text
    with language("fa"):
        expected = {
            "r-done": t("run_ending_done"),
            "r-login": t("run_ending_login"),
            "r-fatal": t("run_ending_stopped"),
            "r-cut": t("run_ending_interrupted"),
        }
        assert "(HTTP ۴۰۳)" in _row(page, "r-login")
    for run_id, words in expected.items():
        assert f"<td>{words}</td>" in _row(page, run_id)
    assert "finished" not in page and "login refused" not in page
    assert not re.search(r"\b(run_ending|run_reason|ui_run)_\w+", page)


def test_a_stop_from_the_page_shows_as_stopped_by_the_clerk(inprocess, slow_sandbox):
    client, token, state = inprocess
    job = stopped_submission(client, token, state)
    row = _row(client.get("/runs").text, job.result.run_id)
    assert 'data-ending="clerk"' in row and "<td>stopped by the clerk</td>" in row, row
    assert "Stop was pressed" in row and "<bdi>sample.xlsx</bdi>" in row, row
