"""The fault suite: a submission under every fault an office meets, with the invariants of a
run asserted each time —

- every row the report calls ``sent`` is on the server, and no row is accepted twice;
- no secret (the password, a bearer token) and no other resident's identifier is in any file
  the tool wrote (ledger, report, log), even when the server echoes them;
- every run ends with a report, whatever failed.

These run in-process against the sandbox; the ones that need real processes (two runs at
once, a hanging server) are in ``test_fault_processes.py``.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from pathlib import Path

import httpx
import pytest

from pipeline.commands.runs import rebuild_report
from pipeline.commands.submit import Control, SubmitOptions, run_submit
from pipeline.core.config import SANDBOX_USERNAME, Credentials
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError, RunLocked
from pipeline.core.redact import MAX_SERVER_TEXT, scrub
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.simad.ledger import Ledger
from pipeline.simad.runlock import run_lock

from .data.generate import OTHER, RESIDENT, rule_rows, write_xlsx
from .reports import report_rows
from .test_submit import SAMPLE, TickingClock

PASSWORD = "S3cret-Pass-1403"


@pytest.fixture
def clock():
    return TickingClock()


def sandbox_with(tmp_path: Path, clock: TickingClock, **faults):
    users = {SANDBOX_USERNAME: PASSWORD}
    return create_app(
        SandboxSettings(db_path=tmp_path / "server.db", clock=clock, users=users, **faults)
    )


def submit(app, clock, tmp_path, password=PASSWORD, control=None, **options):
    options.setdefault("report", tmp_path / "out" / "report.xlsx")
    attempts = options.pop("attempts", 12)
    return run_submit(
        SubmitOptions([Path(options.pop("input", SAMPLE))], target="sandbox", **options),
        transport=httpx.ASGITransport(app=app),
        credentials=Credentials(SANDBOX_USERNAME, password),
        policy=RetryPolicy(max_attempts=attempts, sleep=clock.sleep),
        control=control,
        ctx=Context(lang="en"),
    )


def written_bytes(root: Path) -> dict[Path, bytes]:
    """What the tool wrote under ``root``, xlsx members unpacked (they are zip files)."""
    out = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"PK"):
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        out[path] = data
    return out


def tool_files(tmp_path: Path) -> list[Path]:
    """Where the tool writes: SIMAD_HOME and the report's folder (not the server's state)."""
    return [Path(os.environ["SIMAD_HOME"]), tmp_path / "out"]


def assert_no_leak(roots: list[Path], needles: list[str]) -> None:
    for root in roots:
        for path, data in written_bytes(root).items():
            for needle in needles:
                assert needle.encode() not in data, f"{needle[:12]}… found in {path}"


def assert_invariants(result, app) -> None:
    """Rows called sent are on the server; none accepted twice; a report exists."""
    assert result.report.is_file()
    rows = report_rows(result.report)
    writes = app.store.write_counts()
    for kind, table in (("residents", "residents"), ("upgrades", "declarations")):
        sent = [
            o
            for sheet in result.sheets
            if sheet.result.sheet.kind == kind
            for o in sheet.rows
            if o.status == "sent"
        ]
        assert len(sent) <= len(writes[table])
    assert set(writes["residents"].values()) <= {1}
    assert set(writes["declarations"].values()) <= {1}
    sent_in_report = [r for r in rows if r["status"] == "sent"]
    assert len(sent_in_report) == result.counts.get("sent", 0)


# -- success means success --------------------------------------------------------------------


def test_a_login_page_answered_200_is_never_counted_as_sent(tmp_path, clock):
    app = sandbox_with(tmp_path, clock, bogus_200=0.4, seed=3)
    result = submit(app, clock, tmp_path, attempts=30)
    assert app.faults.counts["bogus_200"] > 10
    assert_invariants(result, app)
    # Every row the sample can send got through in the end, each exactly once.
    writes = app.store.write_counts()
    assert result.counts["sent"] == len(writes["residents"]) + len(writes["declarations"]) == 68
    ledger = Ledger(Path(os.environ["SIMAD_HOME"]) / "ledger.db")
    accepted = ledger.recorded("sandbox", "resident")
    ledger.close()
    assert {k for k, r in accepted.items() if r.state == "accepted"} == set(writes["residents"])


def test_a_server_that_always_answers_a_login_page_stops_the_run(tmp_path, clock):
    app = sandbox_with(tmp_path, clock, bogus_200=1.0)
    result = submit(app, clock, tmp_path)
    assert result.exit_code == 3
    assert result.counts.get("sent", 0) == 0
    assert "not the SIMAD service" in str(result.fatal)
    assert {r["status"] for r in report_rows(result.report)} == {"invalid", "not_sent"}
    ledger = Ledger(Path(os.environ["SIMAD_HOME"]) / "ledger.db")
    run = ledger.runs()[0]
    assert run["state"] == "stopped" and run["report"] == str(result.report)
    assert ledger.recorded("sandbox", "resident") == {}  # nothing left `sending`
    ledger.close()


@pytest.mark.anyio
async def test_post_success_only_for_an_empty_or_json_body():
    from pipeline.core.errors import NotTheApi
    from pipeline.simad.client import SimadClient

    answers = {
        "empty": (200, "application/json", b""),
        "json": (200, "application/json", b'{"ok": true}'),
        "html": (200, "text/html", b"<html><body>Sign in</body></html>"),
        "html-no-type": (200, "", b"<!DOCTYPE html><html></html>"),
        "text": (200, "text/plain", b"Welcome, please log in"),
        "redirect": (302, "text/html", b""),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("authenticate"):
            return httpx.Response(200, json={" Token": "t" * 20, "RefreshToken": "r" * 20})
        status, ctype, body = answers[request.headers["x-case"]]
        headers = {"content-type": ctype, "location": "/login"} if ctype else {}
        return httpx.Response(status, headers=headers, content=body)

    client = SimadClient(
        "http://127.0.0.1:1",
        Credentials("u", "p"),
        transport=httpx.MockTransport(handler),
    )
    outcomes = {}
    for case in answers:
        client._http.headers["x-case"] = case
        try:
            outcomes[case] = (await client.add_or_update_resident({})).ok
        except NotTheApi:
            outcomes[case] = "refused"
    await client.aclose()
    assert outcomes == {
        "empty": True,
        "json": True,
        "html": "refused",
        "html-no-type": "refused",
        "text": "refused",
        "redirect": "refused",
    }


# -- a refused login ----------------------------------------------------------------------------


class Counting:
    """Counts the requests that reach an ASGI app, by path."""

    def __init__(self, app):
        self.app, self.paths = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def test_a_wrong_password_is_tried_once_and_never_stored(tmp_path, clock):
    app = sandbox_with(tmp_path, clock, echo_errors=True)
    counting = Counting(app)
    result = submit(counting, clock, tmp_path, password="Wrong-Pass-98765", concurrency=8)
    assert result.exit_code == 3
    assert counting.paths.count("/api/Token/authenticate") == 1
    assert counting.paths == ["/api/Token/authenticate"]
    assert "Wrong-Pass-98765" not in str(result.fatal)
    assert_no_leak(tool_files(tmp_path), ["Wrong-Pass-98765"])


# -- servers that echo ------------------------------------------------------------------------


def test_echoed_passwords_tokens_and_national_codes_are_not_kept(tmp_path, clock):
    app = sandbox_with(tmp_path, clock, echo_errors=True, fail_rate=0.5, seed=1)
    tokens: list[str] = []
    original = app.simad._issue

    def issue(username):
        access, refresh, expires = original(username)
        tokens.extend([access, refresh])
        return access, refresh, expires

    app.simad._issue = issue
    result = submit(app, clock, tmp_path, attempts=2)
    assert app.faults.counts["failed_503"] > 5
    failed = [o for sheet in result.sheets for o in sheet.rows if o.status == "failed"]
    assert failed, "the echoes must reach some rows' outcomes"
    frame = result.sheets[0].result.frame
    codes = [c for c in frame["NationalCode"].dropna()]
    mobiles = [m for m in frame["Mobile"].dropna()]
    for outcome in failed:
        text = outcome.server_message or ""
        assert len(text) <= MAX_SERVER_TEXT
        assert not any(t in text for t in tokens)
        assert "Bearer" not in text or "Bearer ***" in text
    assert_no_leak(tool_files(tmp_path), [PASSWORD, *tokens])
    # No other resident's national code or mobile in a row's server message.
    for outcomes in result.sheets:
        sheet = outcomes.result
        if sheet.sheet.kind != "residents":
            continue
        for i, outcome in enumerate(outcomes.rows):
            own = {sheet.frame.at[i, "NationalCode"], sheet.frame.at[i, "Mobile"]}
            text = outcome.server_message or ""
            assert not [c for c in [*codes, *mobiles] if c in text and c not in own]
    # The token is revoked at the end of the run, although the run went wrong for many rows.
    live = app.store.query("SELECT COUNT(*) FROM tokens WHERE revoked = 0")[0][0]
    assert live == 0


def test_scrub_keeps_the_rows_own_identifiers_only():
    text = (
        'body {"password":"p4ss-word","NationalCode":"0499370899"} other 0067749828 '
        "Authorization: Bearer abc.def.ghi-12345 mail m.ahmadi@example.ir x@y.ir "
        "mobile ۰۹۱۲۱۲۳۴۵۶۷ and 09351234567"
    )
    out = scrub(text, secrets=["p4ss-word"], keep=["0499370899", "09121234567"])
    assert "p4ss-word" not in out and "abc.def" not in out
    assert "0499370899" in out and "0067749828" not in out
    assert "۰۹۱۲۱۲۳۴۵۶۷" in out and "09351234567" not in out
    assert "x@y.ir" not in out and "m.ahmadi@example.ir" not in out
    assert len(scrub("x" * 50_000)) == MAX_SERVER_TEXT


def test_a_huge_error_body_is_cut_and_not_stored(tmp_path, clock):
    app = sandbox_with(tmp_path, clock, huge_error_body=20, fail_rate=1.0)
    result = submit(app, clock, tmp_path, attempts=2)
    assert result.exit_code == 3  # every row failed: the server is as good as down
    home = Path(os.environ["SIMAD_HOME"])
    sizes = {p.name: p.stat().st_size for p in home.rglob("*") if p.is_file()}
    assert sum(sizes.values()) < 2_000_000, sizes
    messages = [o.server_message or "" for sheet in result.sheets for o in sheet.rows]
    assert max(len(m) for m in messages) <= MAX_SERVER_TEXT


# -- report and ledger ------------------------------------------------------------------------


def test_report_folder_is_created_or_refused_before_anything_is_sent(tmp_path, clock):
    app = sandbox_with(tmp_path, clock)
    nested = tmp_path / "new" / "folder" / "r.xlsx"
    assert submit(app, clock, tmp_path, report=nested).report == nested
    assert nested.is_file()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    other = sandbox_with(tmp_path / "o", clock)
    with pytest.raises(ConfigError) as refused:
        submit(other, clock, tmp_path, report=blocker / "r.xlsx")
    assert refused.value.exit_code == 2
    assert other.store.write_counts()["residents"] == {}


def test_a_report_that_cannot_be_written_is_written_later_from_the_ledger(
    tmp_path, clock, monkeypatch
):
    import pipeline.sheets.report

    app = sandbox_with(tmp_path, clock)

    def disk_full(source, destination):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:  # the last step of the atomic write fails
        patched.setattr(pipeline.sheets.report.os, "replace", disk_full)
        result = submit(app, clock, tmp_path)
    assert result.report_error is not None and result.exit_code == 1
    assert "No space left on device" in str(result.report_error)
    assert list((tmp_path / "out").iterdir()) == []  # no part-written file left behind
    assert "simad runs --report " + result.run_id in str(result.report_error)
    assert not result.report.exists()
    assert len(app.store.write_counts()["residents"]) == 36  # the rows were sent all the same
    path = rebuild_report(result.run_id, tmp_path / "later.xlsx", ctx=Context(lang="en"))
    rows = report_rows(path)
    expected = [o.status for sheet in result.sheets for o in sheet.rows]
    assert [r["status"] for r in rows] == expected
    failed = [r for r in rows if r["status"] == "failed"]
    assert failed and failed[0]["server_message"] == "این دستیار پیدا نشد"


def test_a_changed_input_refuses_to_rebuild_an_old_report(tmp_path, clock):
    header, rows = rule_rows("residents", [{}, OTHER])
    path = tmp_path / "in.xlsx"
    write_xlsx(path, {"residents": [header, *rows]})
    result = submit(sandbox_with(tmp_path, clock), clock, tmp_path, input=path)
    write_xlsx(path, {"residents": [header, *rows[:1]]})
    with pytest.raises(Exception, match="changed or moved"):
        rebuild_report(result.run_id, tmp_path / "again.xlsx", ctx=Context(lang="en"))


def test_an_unwritable_ledger_stops_the_run_with_a_report(tmp_path, clock, monkeypatch):
    home = tmp_path / "fullhome"
    (home / "ledger.db").mkdir(parents=True)  # a ledger that cannot be opened, like a full disk
    monkeypatch.setenv("SIMAD_HOME", str(home))
    app = sandbox_with(tmp_path, clock)
    result = submit(app, clock, tmp_path)
    assert result.exit_code == 3
    assert "ledger" in str(result.fatal)
    assert result.report.is_file()
    assert app.store.write_counts()["residents"] == {}


def test_a_second_run_on_the_same_target_refuses_at_once(tmp_path, clock):
    home = Path(os.environ["SIMAD_HOME"])
    app = sandbox_with(tmp_path, clock)
    with run_lock(home, "sandbox", busy=lambda: RunLocked("busy")), pytest.raises(RunLocked):
        submit(app, clock, tmp_path)
    assert app.store.write_counts()["residents"] == {}
    # Another target is not blocked by it.
    with run_lock(home, "https://simad.example", busy=lambda: RunLocked("busy")):
        assert submit(app, clock, tmp_path).counts["sent"] == 68


def test_stale_running_runs_become_interrupted(tmp_path, clock):
    home = Path(os.environ["SIMAD_HOME"])
    ledger = Ledger(home / "ledger.db")
    ledger.start_run("old-run", "submit", "sandbox", ["x.xlsx"])
    ledger.close()
    submit(sandbox_with(tmp_path, clock), clock, tmp_path)
    ledger = Ledger(home / "ledger.db")
    states = {r["id"]: r["state"] for r in ledger.runs()}
    ledger.close()
    assert states["old-run"] == "interrupted"


# -- files ------------------------------------------------------------------------------------


def test_every_file_written_is_owner_only_whatever_the_umask(tmp_path, clock):
    home = Path(os.environ["SIMAD_HOME"])
    modes: dict[str, int] = {}

    def look(_progress) -> None:  # while the run is under way, WAL and SHM files exist
        for path in [*home.rglob("*"), *tmp_path.glob("server.db*")]:
            if path.is_file() and not path.name.endswith(".lock"):
                modes[path.name] = stat.S_IMODE(path.stat().st_mode)

    old = os.umask(0o022)
    try:
        app = sandbox_with(tmp_path, clock)
        result = submit(app, clock, tmp_path, control=Control(on_change=look))
    finally:
        os.umask(old)
    look(None)
    modes[result.report.name] = stat.S_IMODE(result.report.stat().st_mode)
    wanted = {"ledger.db", "ledger.db-wal", "ledger.db-shm", "server.db", "server.db-wal"}
    assert wanted <= set(modes)
    assert any(name.endswith(".jsonl") for name in modes)
    assert {name: mode for name, mode in modes.items() if mode != 0o600} == {}


# -- photos -----------------------------------------------------------------------------------


def test_a_photo_linked_to_a_huge_file_is_refused_without_reading_it(tmp_path, clock):
    header, rows = rule_rows("residents", [RESIDENT])
    path = tmp_path / "in.xlsx"
    write_xlsx(path, {"residents": [header, *rows]})
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(6 * 1024**3)  # sparse: 6 GB that take no disk
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "98123001.jpg").symlink_to(huge)
    result = submit(sandbox_with(tmp_path, clock), clock, tmp_path, input=path, images=photos)
    assert "6291456 KB" in " ".join(result.sheets[0].rows[0].messages)


def test_an_unexpected_error_is_one_line_on_screen_and_a_traceback_in_the_log(
    tmp_path, monkeypatch, capsys
):
    import sys

    import pipeline.commands.validate
    from pipeline import cli
    from pipeline.core import logs

    def broken(*args, **kwargs):
        secret_local = "do-not-log-me"  # noqa: F841 — a local variable must not reach the log
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline.commands.validate, "run_validate", broken)
    monkeypatch.setattr(sys, "argv", ["simad", "--lang", "en", "validate", str(SAMPLE)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    logs.configure(None)
    assert exit_.value.code == 70  # errors.UNEXPECTED_EXIT
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err and "Traceback" not in err
    log = next((Path(os.environ["SIMAD_HOME"]) / "logs").glob("*.jsonl")).read_text("utf-8")
    assert "Traceback" in log and "boom" in log and "do-not-log-me" not in log


def test_many_processes_opening_a_new_ledger_at_once(tmp_path):
    """Two windows started together both create the ledger: neither may fail."""
    import threading

    failures: list[BaseException] = []
    for round_ in range(10):
        path = tmp_path / f"ledger-{round_}.db"
        barrier = threading.Barrier(6)

        def open_it(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                ledger = Ledger(path)
                ledger.start_run(f"{threading.get_ident()}", "submit", "sandbox", [])
                ledger.close()
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
