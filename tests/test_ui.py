"""`simad ui`: the guard's rules on a shared office PC, uploads, credentials kept in memory
only, jobs, and the session's files removed at the end. What needs the server itself (the
printed address, Host names, a raw upload, Ctrl-C) runs over real HTTP on 127.0.0.1; the pages
are driven in-process (``inprocess``: httpx's ASGI transport, no socket)."""

from __future__ import annotations

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

from pipeline.web.server import running
from tests.inprocess import in_process

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"


@pytest.fixture
def ui():
    with running("en") as (address, state):
        yield address, state


@pytest.fixture
def session(ui):
    """A browser that opened the printed address: (client, CSRF token, the app's memory)."""
    address, state = ui
    client, token = signed_in(address)
    try:
        yield client, token, state
    finally:
        client.close()


@pytest.fixture
def inprocess():
    """The app driven in-process, signed in: (client, CSRF token, the app's memory)."""
    with in_process("en") as session:
        yield session


def base(address: str) -> str:
    return address.split("/?")[0]


def signed_in(address: str) -> tuple[httpx.Client, str]:
    """A client holding the session cookie, and the page's CSRF token."""
    client = httpx.Client(base_url=base(address), follow_redirects=True)
    page = client.get(address)
    assert page.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token is not None
    return client, token.group(1)


def test_without_the_secret_every_request_is_refused(ui):
    address, _ = ui
    with httpx.Client(base_url=base(address)) as stranger:
        for path in ("/", "/check", "/static/app.css", "/runs", "/jobs/x/events"):
            answer = stranger.get(path)
            assert answer.status_code == 403, path
            assert "open the simad-sync shortcut again" in answer.text
            assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert stranger.post("/upload", files={"files": ("a.csv", b"x")}).status_code == 403
        # A guessed cookie is no better than none.
        stranger.cookies.set(f"simad_ui_{base(address).rsplit(':', 1)[1]}", "guess")
        assert stranger.get("/").status_code == 403


def test_the_printed_address_works_once_and_sets_a_strict_cookie(ui):
    address, _ = ui
    with httpx.Client() as first:
        answer = first.get(address)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert answer.headers["referrer-policy"] == "no-referrer"
    with httpx.Client() as second:  # someone else who saw the address
        answer = second.get(address)
        assert answer.status_code == 403 and "used already" in answer.text


def test_a_foreign_host_name_is_refused_even_with_the_secret(session):
    client, _token, _state = session
    port = str(client.base_url.port)
    for host in (f"attacker.example:{port}", "127.0.0.1:1", f"localhost.attacker.example:{port}"):
        answer = client.get("/", headers={"host": host})
        assert answer.status_code == 421, host
    assert client.get("/", headers={"host": f"localhost:{port}"}).status_code == 200


def test_a_change_without_the_csrf_token_is_refused(inprocess):
    client, token, state = inprocess
    for headers in ({}, {"x-csrf-token": "wrong"}):
        answer = client.post("/target", data={"target": "sandbox"}, headers=headers)
        assert answer.status_code == 403 and "security token" in answer.text
    assert state.target is None  # nothing changed
    answer = client.post("/target", data={"target": "sandbox"}, headers={"x-csrf-token": token})
    assert answer.status_code == 200 and state.target == "sandbox"


def test_uploads_are_bounded_checked_by_content_and_owner_only(session):
    client, token, state = session
    h = {"x-csrf-token": token, "hx-request": "true"}
    # A declared length beyond the limit is refused before a byte of the body is read.
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with socket.create_connection((client.base_url.host, client.base_url.port)) as raw:
        raw.sendall(
            (
                f"POST /upload HTTP/1.1\r\nHost: {client.base_url.netloc.decode()}\r\n"
                f"Cookie: {cookie}\r\nX-CSRF-Token: {token}\r\n"
                f"Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {40 * 2**20}\r\n\r\n"
            ).encode()
        )
        raw.settimeout(5)
        head = b""
        while b"25 MB" not in head and (more := raw.recv(4096)):
            head += more
        head = head.decode("utf-8", "replace")
    assert head.startswith("HTTP/1.1 413") and "larger than 25 MB" in head
    # A body sent without a length is counted as it arrives and refused past the limit.
    part = b'--x\r\nContent-Disposition: form-data; name="files"; filename="big.xlsx"\r\n\r\n'
    chunks = iter([part, *(b"PK\x03\x04" * 2**18 for _ in range(27)), b"\r\n--x--\r\n"])
    big = client.post(
        "/upload",
        content=chunks,
        headers={**h, "content-type": "multipart/form-data; boundary=x"},
    )
    assert big.status_code == 413 and "larger than 25 MB" in big.text
    fake = client.post("/upload", files={"files": ("book.xlsx", b"not a workbook")}, headers=h)
    assert fake.status_code == 400 and "does not hold an Excel workbook" in fake.text
    exe = client.post("/upload", files={"files": ("run.exe", b"MZ....")}, headers=h)
    assert exe.status_code == 400 and ".exe" in exe.text
    assert state.workspace is None
    good = client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    assert good.status_code == 204 and good.headers["hx-redirect"] == "/check"
    stored = state.workspace.paths[0]
    assert stored.is_relative_to(Path(os.environ["SIMAD_HOME"]))
    if os.name == "posix":
        assert stored.stat().st_mode & 0o777 == 0o600
        assert stored.parent.stat().st_mode & 0o777 == 0o700
    page = client.get("/check")
    assert "7 rows are invalid" in page.text


def test_credentials_stay_in_memory_and_never_come_back_to_a_page(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    client.post("/target", data={"target": "remote", "address": "http://127.0.0.1:9"}, headers=h)
    assert "Sign in to SIMAD" in client.get("/submit").text
    user, secret = "office-user-7731", "pw-Zq81-never-shown"
    client.post("/credentials", data={"username": user, "password": secret}, headers=h)
    page = client.get("/submit")
    assert "Before sending" in page.text
    assert secret not in page.text and user not in page.text
    # Sending to an address where nobody listens fails, and says so, without the secret.
    client.post("/submit", data={"ws": state.workspace.id}, headers=h)
    job = state.latest("submit")
    assert job is not None and job.thread is not None
    job.thread.join(60)
    page = client.get("/submit").text
    assert secret not in page and user not in page
    for path in Path(os.environ["SIMAD_HOME"]).rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_the_session_folder_is_removed_when_the_app_stops():
    with running("en") as (address, state):
        client, token = signed_in(address)
        client.post(
            "/upload",
            files={"files": ("sample.xlsx", SAMPLE.read_bytes())},
            headers={"x-csrf-token": token},
        )
        client.close()
        folder = state.folder
        assert any(folder.rglob("sample.xlsx"))
    assert not folder.exists()


def test_simad_ui_prints_the_address_first_and_stops_cleanly_on_ctrl_c(tmp_path):
    env = {**os.environ, "SIMAD_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--lang", "en", "ui", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            started = time.monotonic()
            first = process.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", first), first
            for _ in range(100):  # the server is listening within a second or two
                try:
                    answer = httpx.get(first)
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            assert answer.status_code == 303
            assert time.monotonic() - started < 10
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=20)
            assert process.returncode == 0
            assert "Traceback" not in err and "has stopped" in out
        finally:
            if process.poll() is None:
                process.kill()
    assert not any((tmp_path / "home" / "ui").iterdir())


@pytest.fixture
def slow_sandbox(monkeypatch):
    """The embedded sandbox answering after 60 ms, so that a submission lasts a while."""
    monkeypatch.setenv("SIMAD_SANDBOX_LATENCY_MS", "60")


def start_submission(client: httpx.Client, token: str, state):
    h = {"x-csrf-token": token}
    client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    client.post("/target", data={"target": "sandbox"}, headers=h)
    client.post("/submit", data={"ws": state.workspace.id}, headers=h)
    job = state.latest("submit")
    assert job is not None
    return job


def stopped_submission(client: httpx.Client, token: str, state):
    """A submission started from the page, stopped with its Stop once a few rows are done
    (on a slow sandbox), and run to its end."""
    job = start_submission(client, token, state)
    deadline = time.monotonic() + 30
    while job.snapshot()["done"] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    client.post(f"/jobs/{job.id}/stop", headers={"x-csrf-token": token})
    job.thread.join(60)
    return job


def test_a_closed_tab_does_not_stop_the_run_and_reopening_shows_it(session, slow_sandbox):
    client, token, state = session
    job = start_submission(client, token, state)
    with client.stream("GET", f"/jobs/{job.id}/events") as stream:
        first = next(line for line in stream.iter_lines() if line.startswith("data: "))
    assert '"state": "running"' in first  # the page saw it running, then went away
    page = client.get("/submit").text  # the app opened again while it runs
    assert 'data-events="/jobs/' in page and "Stop" in page
    job.thread.join(60)
    page = client.get("/submit").text
    assert 'id="outcome"' in page and "sent: " in page
    assert job.result.counts["sent"] > 60


def test_stop_ends_the_run_with_a_report_and_the_rest_not_sent(inprocess, slow_sandbox):
    client, token, state = inprocess
    job = start_submission(client, token, state)
    deadline = time.monotonic() + 30
    while job.snapshot()["done"] < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.post(f"/jobs/{job.id}/stop", headers={"x-csrf-token": token}).status_code == 200
    job.thread.join(60)
    counts = job.result.counts
    assert counts["not_sent"] > 0 and counts["sent"] < 68
    assert job.result.report.is_file()
    page = client.get("/submit").text
    assert "not sent: " in page
    assert client.get(f"/runs/{job.result.run_id}/report").status_code == 200


def test_a_fault_of_the_app_is_one_sentence_never_a_traceback(inprocess, monkeypatch):
    client, token, _state = inprocess
    from pipeline.commands import workspace

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/path detail")

    monkeypatch.setattr(workspace, "open_books", broken)
    answer = client.post(
        "/upload",
        files={"files": ("sample.xlsx", SAMPLE.read_bytes())},
        headers={"x-csrf-token": token, "hx-request": "true"},
    )
    assert answer.status_code == 500
    assert "internal error of the tool (RuntimeError)" in answer.text
    assert "Traceback" not in answer.text and "/secret/path" not in answer.text


def test_a_next_page_elsewhere_is_not_followed(inprocess):
    client, token, _state = inprocess
    for elsewhere in ("https://attacker.example/", "//attacker.example/", "/\\attacker.example"):
        answer = client.post(
            "/lang",
            data={"lang": "en", "next": elsewhere},
            headers={"x-csrf-token": token, "hx-request": "true"},
        )
        assert answer.headers["hx-redirect"] == "/", elsewhere


def test_a_correction_redraws_the_view_it_was_made_in(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token, "hx-request": "true"}
    client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    page = client.get("/check?sheet=1&only=invalid", headers=h).text
    assert 'data-sheet="1"' in page
    shown = page.count("<tr data-row=")
    result = state.workspace.run.results[1]
    score = result.sheet.columns["BaliniScore"]
    index = next(i for i in range(len(result.sheet.rows)) if result.status(i) == "invalid")
    answer = client.post(
        "/cell",
        data={"ws": state.workspace.id, "sheet": 1, "row": index, "col": score, "value": "40"},
        headers=h,
    )
    assert 'data-sheet="1"' in answer.text  # still the declarations, still filtered
    assert re.search(r'id="only-invalid"[^>]*aria-current', answer.text)
    assert answer.text.count("<tr data-row=") <= shown


def test_the_hosts_answered_are_the_address_listened_on():
    from pipeline.web.server import hosts_for

    assert hosts_for("127.0.0.1", 8080) == {"127.0.0.1:8080", "localhost:8080"}
    assert hosts_for("192.0.2.7", 8080) == {"192.0.2.7:8080"}
    assert {"127.0.0.1:9", "localhost:9"} <= hosts_for("0.0.0.0", 9)
    assert "attacker.example:9" not in hosts_for("0.0.0.0", 9)


def test_another_host_than_loopback_is_warned_about(monkeypatch, capsys):
    from pipeline.web import server

    said: list[str] = []
    monkeypatch.setattr(server.uvicorn.Server, "run", lambda self: None)
    server.serve(host="0.0.0.0", lang="en", open_browser=False, say=said.append)
    assert said[0].startswith("http://127.0.0.1:") and "?token=" in said[0]
    assert "can be reached from other computers" in said[1]


def test_maxa_in_the_page_answers_as_the_command_line_does(inprocess):
    """Pull into the mirror (a job with progress), offline look-up, validation, versions and
    a diff with its workbook, each the command layer's answer."""
    client, token, state = inprocess
    h = {"x-csrf-token": token, "hx-request": "true"}

    def act(action: str, **form: str) -> str:
        answer = client.post(f"/maxa/{action}", data=form, headers=h)
        assert answer.status_code in (200, 204), answer.text
        return answer.text

    missing = client.post(
        "/maxa/lookup", data={"terminology": "eRX", "code": "60281", "offline": "on"}, headers=h
    )
    assert missing.status_code == 400 and "Pull into the mirror" in missing.text  # its button
    act("pull", terminology="eRX")
    job = state.latest("pull")
    assert job is not None
    job.thread.join(60)
    assert job.error is None and job.done == job.total == 10
    assert "eRX version 11000: 10 codes stored" in client.get("/maxa").text
    found = act("lookup", terminology="erx", code="60281", offline="on")
    assert "11000" in found and 'class="answer good"' in found
    assert 'class="answer bad"' in act("validate", terminology="erx", code="60415", value="x")
    assert "10000" in act("versions", terminology="eRX")
    diff = act("diff", terminology="eRX", old="1000", new="10000")
    assert "added: 2 — removed: 1 — changed: 2" in diff
    link = re.search(r'href="(/download/maxa-[^"]+)"', diff)
    assert link is not None
    workbook = client.get(link.group(1))
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert client.post("/maxa/versions", data={"terminology": ""}, headers=h).status_code == 400


def test_a_drug_list_checked_in_the_page(inprocess):
    """The MAXA page's batch check: an uploaded list, the counts, the rows needing attention
    and the marked workbook, as `simad maxa check` gives them."""
    client, token, _state = inprocess
    h = {"x-csrf-token": token, "hx-request": "true"}
    drugs = Path(__file__).parents[1] / "input_templates" / "drug-list-sample.xlsx"
    answer = client.post(
        "/maxa-check",
        data={"terminology": "eRX"},
        files={"files": (drugs.name, drugs.read_bytes())},
        headers=h,
    )
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "8 of 15 rows agree with eRX version 11000" in page
    for status in ("name differs", "retired", "unknown", "invalid input"):  # words, not keys
        assert f">{status}</td>" in page
    assert "60045" in page and "60999" in page
    link = re.search(r'href="(/download/maxa-check-[^"]+)"', page)
    assert link is not None
    workbook = client.get(link.group(1))
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    missing = client.post("/maxa-check", data={"terminology": "eRX"}, headers=h)
    assert missing.status_code == 400 and "No file was chosen" in missing.text
    html = client.post(
        "/maxa-check",
        data={"terminology": "eRX"},
        files={"files": ("list.xlsx", b"<html>not a workbook</html>")},
        headers=h,
    )
    assert html.status_code == 400
