"""`simad ui` against what a shared office PC and a hostile file can throw at it: an upload
that kills the reader, a zip bomb, refused uploads that must not stay, a session that keeps a
bounded total, two tabs on two workbooks, a browser opened without the secret on any command
line, and odd requests that must get a sentence, never a traceback on the console."""

from __future__ import annotations

import html
import io
import logging
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import structlog
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.core import config
from pipeline.web import isolated, server
from pipeline.web.server import running

from .test_ui import SAMPLE, signed_in

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# -- hostile workbooks, made here -------------------------------------------------------------


def rebuilt(replace: dict[str, bytes], *, stream: tuple[str, bytes, int] | None = None) -> bytes:
    """The sample workbook with some parts replaced; ``stream``: one more part written as
    (name, a chunk, how many times), so that a bomb never sits in memory whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(SAMPLE) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in old.infolist():
            if stream is not None and item.filename == stream[0]:
                continue
            z.writestr(item, replace.get(item.filename, old.read(item.filename)))
        if stream is not None:
            name, chunk, times = stream
            with z.open(name, "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0"?><sst xmlns="{NS}"><si><t>'.encode())
                for _ in range(times):
                    part.write(chunk)
                part.write(b"</t></si></sst>")
    return out.getvalue()


def lying_dimension() -> bytes:
    """A sheet that says it is A1:Q6 and holds a cell at XFD1048576 (the reader, told the
    sheet's size by its cells, would allocate hundreds of gigabytes)."""
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{NS}"><dimension ref="A1:Q6"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    return rebuilt({SHEET: sheet.encode()})


def zip_bomb(mb: int) -> bytes:
    """A workbook of a few hundred KB whose shared strings inflate to ``mb`` MB."""
    return rebuilt({}, stream=("xl/sharedStrings.xml", b"a" * 2**20, mb))


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def session():
    with running("en") as (address, state):
        client, token = signed_in(address)
        client.timeout = 120
        try:
            yield client, token, state
        finally:
            client.close()


def said(response: httpx.Response) -> str:
    """The page's text as a person reads it."""
    return html.unescape(response.text)


def hx(token: str) -> dict[str, str]:
    return {"x-csrf-token": token, "hx-request": "true"}


def upload(client: httpx.Client, token: str, name: str, data: bytes) -> httpx.Response:
    return client.post("/upload", files={"files": (name, data)}, headers=hx(token))


def uploads_kept(state) -> list[Path]:
    folder = state.folder / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def invalid_cell(state) -> tuple[int, int, int]:
    result = state.workspace.run.results[0]
    finding = next(f for f in result.findings if f.position is not None)
    return 0, result.sheet.row_numbers.index(finding.row), finding.position


# -- the reader cannot kill the app ------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands for the dying reader")
def test_a_reader_that_dies_is_a_sentence_and_the_app_and_its_run_go_on(
    session, monkeypatch, tmp_path
):
    """A child killed by SIGABRT (as the native reader aborts on a hostile file) is a
    sentence in the page; the running submission finishes; nothing of the upload stays."""
    client, token, state = session
    monkeypatch.setenv("SIMAD_SANDBOX_LATENCY_MS", "30")
    assert upload(client, token, "sample.xlsx", SAMPLE.read_bytes()).status_code == 204
    client.post("/target", data={"target": "sandbox"}, headers=hx(token))
    client.post("/submit", data={"ws": state.workspace.id}, headers=hx(token))
    job = state.latest("submit")
    assert job is not None and job.finished is None
    dying = tmp_path / "python"
    dying.write_text("#!/bin/sh\nkill -ABRT $$\n")
    dying.chmod(0o700)
    monkeypatch.setattr(isolated.sys, "executable", str(dying))
    answer = upload(client, token, "office-b.xlsx", SAMPLE.read_bytes())
    assert answer.status_code == 400
    assert "'office-b.xlsx' could not be read: reading it stopped" in said(answer)
    assert [p.name for p in uploads_kept(state)] == ["sample.xlsx"]  # only the open one
    assert client.get("/").status_code == 200  # the app is alive
    job.thread.join(60)
    assert job.error is None and job.result.counts["sent"] > 60


def test_a_hostile_sheet_is_refused_with_a_sentence_and_the_app_lives_on(session):
    """The sheet whose size lies (whether the reader refuses it or dies on it)."""
    client, token, state = session
    answer = upload(client, token, "lying.xlsx", lying_dimension())
    assert answer.status_code == 400 and "lying.xlsx" in said(answer)
    assert "Traceback" not in said(answer) and uploads_kept(state) == []
    assert upload(client, token, "sample.xlsx", SAMPLE.read_bytes()).status_code == 204


def test_a_zip_bomb_ends_the_child_not_the_app(session, monkeypatch):
    """A 160 MB shared-strings part read in a child allowed 100 MB: the child stops (or the
    reader refuses the file first), the page says so, the upload is gone."""
    client, token, state = session
    monkeypatch.setattr(isolated, "CHILD_MEMORY", 100 * 2**20)
    bomb = zip_bomb(160)
    assert len(bomb) < 2**20
    answer = upload(client, token, "bomb.xlsx", bomb)
    assert answer.status_code == 400 and "bomb.xlsx" in said(answer)
    assert uploads_kept(state) == [] and state.workspace is None
    assert client.get("/").status_code == 200  # the app is alive


@pytest.mark.skipif(os.name != "posix", reason="the address-space limit is POSIX's")
def test_the_child_cannot_take_more_memory_than_it_is_allowed():
    allocate = (
        "from pipeline.web.isolated import _limit_memory\n"
        "_limit_memory(200 * 2**20)\n"
        "try:\n    block = bytearray(400 * 2**20)\nexcept MemoryError:\n    raise SystemExit(3)"
    )
    root = Path(isolated.__file__).parents[2]
    assert subprocess.run([sys.executable, "-c", allocate], cwd=root).returncode == 3


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands for the slow reader")
def test_a_reader_that_takes_too_long_is_stopped(session, monkeypatch, tmp_path):
    client, token, state = session
    slow = tmp_path / "python"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o700)
    monkeypatch.setattr(isolated.sys, "executable", str(slow))
    monkeypatch.setattr(isolated, "READ_SECONDS", 1)
    answer = upload(client, token, "slow.xlsx", SAMPLE.read_bytes())
    assert answer.status_code == 400 and "took more than 1 seconds" in said(answer)
    assert uploads_kept(state) == []


def test_refused_uploads_are_deleted_at_once_and_the_session_total_is_bounded(session):
    client, token, state = session
    for n in range(3):
        refused = upload(client, token, f"broken-{n}.xlsx", b"PK\x03\x04" + os.urandom(4000))
        assert refused.status_code == 400
    assert uploads_kept(state) == []
    size = SAMPLE.stat().st_size
    state.budget = size + size // 2  # room for one sample, not two
    assert upload(client, token, "first.xlsx", SAMPLE.read_bytes()).status_code == 204
    full = upload(client, token, "second.xlsx", SAMPLE.read_bytes())
    assert full.status_code == 400 and "keeps at most 0 MB of files" in said(full)
    assert [p.name for p in uploads_kept(state)] == ["first.xlsx"]
    state.budget = 10 * size  # opening another workbook deletes the one open before
    assert upload(client, token, "third.xlsx", SAMPLE.read_bytes()).status_code == 204
    assert [p.name for p in uploads_kept(state)] == ["third.xlsx"]


def test_parallel_uploads_are_read_one_at_a_time(session, monkeypatch):
    client, token, state = session
    at_once, most = 0, 0
    lock = threading.Lock()
    real = isolated.read_book

    def counted(*args, **kwargs):
        nonlocal at_once, most
        with lock:
            at_once += 1
            most = max(most, at_once)
        try:
            time.sleep(0.2)
            return real(*args, **kwargs)
        finally:
            with lock:
                at_once -= 1

    monkeypatch.setattr(isolated, "read_book", counted)
    answers: list[int] = []

    def send(n: int) -> None:
        with httpx.Client(base_url=client.base_url, cookies=client.cookies, timeout=120) as c:
            answers.append(upload(c, token, f"book-{n}.xlsx", SAMPLE.read_bytes()).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert answers == [204] * 3 and most == 1
    assert len(uploads_kept(state)) == 1  # the last one opened; the others deleted


def test_a_long_persian_file_name_is_kept_short(session):
    client, token, state = session
    name = "فهرست دستیاران دانشکده پزشکی " * 6 + ".xlsx"
    assert len(name) > 169
    assert upload(client, token, name, SAMPLE.read_bytes()).status_code == 204
    (kept,) = uploads_kept(state)
    assert kept.suffix == ".xlsx" and len(kept.stem) <= 80 and kept.stem.startswith("فهرست")
    assert "7 rows are invalid" in client.get("/check").text


# -- one workbook per tab ---------------------------------------------------------------------


def test_a_tab_showing_another_workbook_changes_nothing_and_is_told_to_reload(session):
    """Tab A opens office-a, tab B then opens office-b: every action of tab A (named for
    office-a) is refused with a sentence; office-b is untouched; tab B's actions work."""
    client, token, state = session
    h = hx(token)
    assert upload(client, token, "office-a.xlsx", SAMPLE.read_bytes()).status_code == 204
    tab_a = re.search(r'data-ws="([0-9a-f]+)"', client.get("/check").text).group(1)
    sheet, row, col = invalid_cell(state)
    cell_a = {"ws": tab_a, "sheet": sheet, "row": row, "col": col}
    assert client.post("/cell", data={**cell_a, "value": "x"}, headers=h).status_code == 200
    assert upload(client, token, "office-b.xlsx", SAMPLE.read_bytes()).status_code == 204
    # Office-a's correction is in no downloaded file: replacing it is confirmed first.
    assert client.post("/unsaved", data={"answer": "replace"}, headers=h).status_code == 204
    tab_b = state.workspace.id
    assert tab_b != tab_a and state.workspace.paths[0].name == "office-b.xlsx"
    client.post("/target", data={"target": "sandbox"}, headers=h)

    stale = [
        client.post("/cell", data={**cell_a, "value": "0012345678"}, headers=h),
        client.get("/cell", params=cell_a, headers=h),
        client.post("/undo", data={"ws": tab_a}, headers=h),
        client.get("/check", params={"ws": tab_a, "sheet": 0}, headers=h),
        client.get("/download/corrected", params={"file": 0, "ws": tab_a}),
        client.get("/download/report", params={"ws": tab_a}),
        client.post("/submit", data={"ws": tab_a}, headers=h),
        client.post("/submit", headers=h),  # a form that names no workbook at all
        client.post("/results", data={"ws": tab_a, "year": "1402"}, headers=h),
    ]
    for answer in stale:
        assert answer.status_code == 409, answer.request.url
        assert "no longer open" in said(answer) and "reload the page" in said(answer)
        assert "office-b.xlsx" in said(answer)
    assert state.workspace.edits == [] and state.latest("submit") is None
    assert not (state.folder / "corrected").exists()

    # Tab B's own actions work, and say so in Persian too.
    cell_b = {"ws": tab_b, "sheet": sheet, "row": row, "col": col}
    assert client.post("/cell", data={**cell_b, "value": "1"}, headers=h).status_code == 200
    assert len(state.workspace.edits) == 1
    assert client.get("/download/corrected", params={"file": 0, "ws": tab_b}).status_code == 200
    client.post("/lang", data={"lang": "fa", "next": "/check"}, headers=h)
    persian = client.post("/undo", data={"ws": tab_a}, headers=h)
    assert persian.status_code == 409 and "دوباره بارگذاری کنید" in said(persian)
    assert len(state.workspace.edits) == 1
    # A whole page (a reload) shows the open workbooks and names them.
    assert f'data-ws="{tab_b}"' in client.get("/check").text


# -- a browser opened without the secret on its command line ---------------------------------


def test_the_browser_is_opened_on_a_launch_file_that_signs_in_once(monkeypatch):
    opened: list[str] = []
    said: list[str] = []
    seen: dict[str, object] = {}
    monkeypatch.setattr(server.webbrowser, "open", lambda url, *a, **k: opened.append(url))
    real_run = server.uvicorn.Server.run

    def run(self: server.uvicorn.Server) -> None:
        def sign_in() -> None:
            try:
                deadline = time.monotonic() + 20
                while not (opened and self.started) and time.monotonic() < deadline:
                    time.sleep(0.02)
                page = Path(opened[0].removeprefix("file://"))
                seen["mode"] = stat.S_IMODE(page.stat().st_mode)
                seen["folder_mode"] = stat.S_IMODE(page.parent.stat().st_mode)
                launch = page.read_text()
                action = re.search(r'action="([^"]+)"', launch).group(1)
                token = re.search(r'name="token" value="([^"]+)"', launch).group(1)
                seen["token"] = token
                with httpx.Client() as browser:
                    first = browser.post(action, data={"token": token})
                    seen["first"] = first.status_code, first.text
                    seen["then"] = browser.get(action.removesuffix("/launch") + "/").status_code
                seen["gone"] = not page.exists()
                with httpx.Client() as other:  # another user who read it too late
                    seen["again"] = other.post(action, data={"token": token}).status_code
            finally:
                self.should_exit = True

        threading.Thread(target=sign_in, daemon=True).start()
        real_run(self)

    monkeypatch.setattr(server.uvicorn.Server, "run", run)
    server.serve(lang="en", open_browser=True, say=said.append)
    token = str(seen["token"])
    assert opened and token not in opened[0] and "token" not in opened[0]
    assert opened[0].startswith("file://") and opened[0].endswith(server.LAUNCH_FILE)
    assert token in said[0]  # printed on the user's own console only
    if os.name == "posix":
        assert seen["mode"] == 0o600 and seen["folder_mode"] == 0o700
    status, text = seen["first"]
    assert status == 200 and 'http-equiv="refresh"' in text
    assert seen["then"] == 200 and seen["gone"] and seen["again"] == 403
    assert not Path(opened[0].removeprefix("file://")).exists()


# -- odd requests: a sentence, never a traceback ----------------------------------------------


@pytest.fixture
def console(capfd):
    """What reaches the console (stderr, uvicorn's loggers) and structlog's events."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logging.getLogger("uvicorn").addHandler(keep)
    with structlog.testing.capture_logs() as events:
        yield records, events
    logging.getLogger("uvicorn").removeHandler(keep)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert all(r.exc_info is None or "Exception in ASGI" not in r.getMessage() for r in records)
    assert not any("exc_info" in e or "exception" in e for e in events if e["log_level"] != "error")


def cancelled_upload(client: httpx.Client, token: str) -> None:
    """An upload whose browser goes away half-way."""
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with socket.create_connection((client.base_url.host, client.base_url.port)) as raw:
        raw.sendall(
            (
                f"POST /upload HTTP/1.1\r\nHost: {client.base_url.netloc.decode()}\r\n"
                f"Cookie: {cookie}\r\nX-CSRF-Token: {token}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n"
                '--x\r\nContent-Disposition: form-data; name="files"; filename="a.xlsx"\r\n\r\n'
            ).encode()
            + b"PK\x03\x04"
            + b"a" * 5000
        )


def test_odd_requests_get_a_sentence_and_the_console_no_traceback(session, console):
    client, token, state = session
    _records, events = console
    h = hx(token)
    for _ in range(3):
        cancelled_upload(client, token)
    answer = client.post("/lang", data={"lang": "en", "next": "/\n/x"}, headers=h)
    assert answer.status_code == 204 and answer.headers["hx-redirect"] == "/"
    plain = client.post("/lang", data={"lang": "en", "next": "/check\r\nX: y"}, headers=h | {})
    assert plain.status_code == 204 and plain.headers["hx-redirect"] == "/"
    assert client.post("/lang", data={"lang": "xx"}, headers=h).status_code == 400
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and "no such page" in said(missing)
    assert client.put("/upload", headers=h).status_code == 405
    assert client.get("/download/results-%00.xlsx").status_code == 400
    assert client.get("/jobs/no-such-job/events").status_code == 404
    # A progress stream closed by the page while a job runs.
    assert upload(client, token, "sample.xlsx", SAMPLE.read_bytes()).status_code == 204
    client.post("/target", data={"target": "sandbox"}, headers=h)
    client.post("/submit", data={"ws": state.workspace.id}, headers=h)
    job = state.latest("submit")
    with client.stream("GET", f"/jobs/{job.id}/events") as stream:
        next(stream.iter_lines())
    job.thread.join(60)
    time.sleep(0.3)  # the cancelled uploads' handlers notice the missing bodies
    gone = [e for e in events if e["event"] == "ui_client_gone"]
    assert gone and all(e["log_level"] == "warning" for e in gone)
    assert not any(e["event"] == "ui_failed" for e in events)


def test_the_console_gets_one_line_without_a_traceback(capfd):
    with running("en"):
        try:
            raise RuntimeError("a fault")
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application\n")
    err = capfd.readouterr().err
    assert "Exception in ASGI application" in err
    assert "Traceback" not in err and "a fault" not in err


# -- random values in every form ----------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
NUMBERISH = st.one_of(TEXT, st.integers(-5, 500).map(str), st.just(""))
OK = {200, 204, 303, 400, 404, 405, 409, 413}


@pytest.fixture(scope="module")
def shared_ui(tmp_path_factory):
    """One app for every example of the property tests (its own SIMAD_HOME)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIMAD_HOME", str(tmp_path_factory.mktemp("home")))
        for name in ("SIMAD_USERNAME", "SIMAD_PASSWORD", "SIMAD_TARGET", "SIMAD_LANG"):
            patch.delenv(name, raising=False)
        config.reset_settings_cache()
        with running("en") as (address, state):
            client, token = signed_in(address)
            client.timeout = 60
            client.post("/target", data={"target": "sandbox"}, headers=hx(token))
            assert upload(client, token, "sample.xlsx", SAMPLE.read_bytes()).status_code == 204
            yield client, token, state
            client.close()


def answered(response: httpx.Response) -> None:
    assert response.status_code in OK, (response.request.url, response.status_code)
    assert response.status_code != 500 and "Traceback" not in response.text
    if response.status_code in (303, 204) and "location" in response.headers:
        assert response.headers["location"].startswith("/")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ws=st.one_of(st.just("current"), TEXT),
    sheet=st.one_of(st.sampled_from(["0", "1", "۱"]), NUMBERISH),
    row=st.one_of(st.integers(0, 70).map(str), NUMBERISH),
    col=st.one_of(st.integers(0, 20).map(str), NUMBERISH),
    value=TEXT,
    page=NUMBERISH,
    only=TEXT,
    rule=TEXT,
)
def test_random_corrections_and_views_never_fail(
    shared_ui, capfd, ws, sheet, row, col, value, page, only, rule
):
    client, token, state = shared_ui
    h = hx(token)
    named = state.workspace.id if ws == "current" else ws
    cell = {"ws": named, "sheet": sheet, "row": row, "col": col}
    answered(client.post("/cell", data={**cell, "value": value}, headers=h))
    answered(client.get("/cell", params=cell, headers=h))
    view = {"ws": named, "sheet": sheet, "only": only, "rule": rule, "field": value, "page": page}
    answered(client.get("/check", params=view, headers=h))
    answered(client.get("/check", params=view))
    answered(client.post("/undo", data={"ws": named}, headers=h))
    if len(state.workspace.edits) > 3:
        answered(client.get("/download/corrected", params={"file": sheet, "ws": named}))
    assert "Traceback" not in capfd.readouterr().err


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lang=st.one_of(TEXT, st.sampled_from(["en", "fa"])),
    following=st.one_of(TEXT, st.sampled_from(["/check", "//x.example", "/\\x", "/\r\nA: b"])),
    target=st.one_of(TEXT, st.sampled_from(["sandbox", "remote"])),
    address=TEXT,
    year=NUMBERISH,
    course=TEXT,
    job=st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="/"),
        min_size=1,
        max_size=40,
    ).filter(lambda s: s not in (".", "..")),
    term=TEXT,
    code=TEXT,
    action=st.sampled_from(["lookup", "validate", "versions", "diff", "nothing"]),
)
@example(
    lang="en",
    following="/\r\nX-Injected: 1",
    target="sandbox",
    address="",
    year="۱۴۰۲",
    course="",
    job="x",
    term="eRX",
    code="60281",
    action="lookup",
)
@example(  # a diff's download named after four-byte letters: over 255 bytes, once
    lang="",
    following="",
    target="",
    address="",
    year="",
    course="",
    job="0",
    term="000" + "\U0001d400" * 25 + "\U0001d4a9" * 4,
    code="",
    action="diff",
)
def test_random_settings_results_jobs_and_maxa_forms_never_fail(
    shared_ui, capfd, lang, following, target, address, year, course, job, term, code, action
):
    client, token, _state = shared_ui
    h = hx(token)
    answered(client.post("/lang", data={"lang": lang, "next": following}, headers=h))
    assert client.post("/lang", data={"lang": "en", "next": following}).status_code == 403
    answered(
        client.post(
            "/target", data={"target": target, "address": address, "next": following}, headers=h
        )
    )
    client.post("/target", data={"target": "sandbox"}, headers=h)
    answered(client.post("/results", data={"year": year, "course": course, "ws": code}, headers=h))
    answered(client.get(f"/jobs/{job}/events"))
    answered(client.post(f"/jobs/{job}/stop", headers=h))
    form = {"terminology": term, "code": code, "value": code, "old": code, "new": term}
    answered(client.post(f"/maxa/{action}", data={**form, "offline": "on"}, headers=h))
    assert "Traceback" not in capfd.readouterr().err


NAMES = st.tuples(TEXT, st.sampled_from([".xlsx", ".csv", ".xls", ".ods", ".exe", ""])).map("".join)
CONTENTS = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
    st.text(max_size=500).map(lambda s: ("StudentNumber,NationalCode\n" + s).encode()),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=NAMES, content=CONTENTS, maxa=st.booleans())
@example(name="ک" * 200 + ".xlsx", content=SAMPLE.read_bytes(), maxa=False)
def test_random_uploads_never_fail_and_never_stay(shared_ui, capfd, name, content, maxa):
    client, token, state = shared_ui
    before = set(uploads_kept(state))
    files = {"files": (name or "x", content)}
    if maxa:
        answer = client.post(
            "/maxa-check", data={"terminology": "eRX"}, files=files, headers=hx(token)
        )
    else:
        answer = client.post("/upload", files=files, headers=hx(token))
    answered(answer)
    if answer.status_code >= 400 or maxa:
        assert set(uploads_kept(state)) <= before  # a refused or checked upload is gone
    assert "Traceback" not in capfd.readouterr().err
