"""`simad submit` against the in-process sandbox: ledger, re-runs, faults, tokens, photos."""

from __future__ import annotations

from pathlib import Path

import httpx
import openpyxl
import pytest

from pipeline.commands.submit import Control, SubmitOptions, run_submit
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.context import Context
from pipeline.core.status import Submission
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.simad.ledger import Ledger

from .conftest import JPEG
from .data.generate import DECLARATION, OTHER, RESIDENT, rule_rows, write_xlsx
from .reports import column_keys, report_rows

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"


class TickingClock:
    """Time that moves a little on every reading and jumps on every (fake) sleep."""

    def __init__(self, step: float = 0.01):
        self.now, self.step = 1_700_000_000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return TickingClock()


@pytest.fixture
def sandbox(tmp_path, clock):
    return create_app(SandboxSettings(db_path=tmp_path / "server.db", clock=clock))


def submit(inputs, sandbox, clock, control=None, **options):
    policy = RetryPolicy(max_attempts=12, sleep=clock.sleep)
    creds = options.pop("credentials", Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD))
    return run_submit(
        SubmitOptions([Path(p) for p in inputs], target="sandbox", **options),
        transport=httpx.ASGITransport(app=sandbox),
        credentials=creds,
        policy=policy,
        control=control,
        ctx=Context(lang="en"),
    )


def statuses(report: Path, sheet: int = 1) -> list[str]:
    ws = openpyxl.load_workbook(report).worksheets[sheet]
    col = column_keys(ws).index("status")
    return [row[col] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_sample_submission_and_differential_rerun(sandbox, clock, tmp_path):
    first = submit([SAMPLE], sandbox, clock, report=tmp_path / "r1.xlsx")
    assert first.counts == {"sent": 68, "invalid": 7, "not_sent": 4, "failed": 1}
    assert first.exit_code == 1
    writes = sandbox.store.write_counts()
    assert len(writes["residents"]) == 36 and set(writes["residents"].values()) == {1}
    assert len(writes["declarations"]) == 32 and set(writes["declarations"].values()) == {1}
    # The unknown resident's declaration carries the server's Persian answer and trace id.
    ws = openpyxl.load_workbook(tmp_path / "r1.xlsx").worksheets[2]
    headers = column_keys(ws)
    failed = [
        r
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[headers.index("status")] == "failed"
    ]
    assert len(failed) == 1
    assert failed[0][headers.index("server_message")] == "این دستیار پیدا نشد"
    assert failed[0][headers.index("http_status")] == 400
    assert failed[0][headers.index("trace_id")].startswith("00-")

    # The log names outcomes and trace ids but no national code or mobile number.
    log_text = first.log_file.read_text(encoding="utf-8")
    assert '"event": "row"' in log_text
    frame = first.sheets[0].result.frame
    for value in [*frame["NationalCode"].dropna(), *frame["Mobile"].dropna()]:
        assert value not in log_text

    second = submit([SAMPLE], sandbox, clock, report=tmp_path / "r2.xlsx")
    assert second.counts == {"unchanged": 68, "invalid": 7, "not_sent": 4, "failed": 1}
    assert sandbox.store.write_counts()["residents"] == writes["residents"]
    # The re-run keeps the proof: when each unchanged row was accepted, and its trace id.
    before = {
        (r["file"], r["sheet"], r["row"]): r
        for r in first.to_dict()["rows"]
        if r["status"] == "sent"
    }
    after = [r for r in second.to_dict()["rows"] if r["status"] == "unchanged"]
    assert len(after) == 68
    for row in after:
        sent = before[(row["file"], row["sheet"], row["row"])]
        assert row["trace_id"] == sent["trace_id"]  # what the server gave, if anything
        assert row["sent_at"][:16] == sent["sent_at"][:16]
        assert any(first.run_id in m for m in row["messages"])
    unchanged = [r for r in report_rows(tmp_path / "r2.xlsx") if r["status"] == "unchanged"]
    assert len(unchanged) == 68 and all(r["sent_at"] for r in unchanged)
    assert all(first.run_id in r["messages"] for r in unchanged)

    forced = submit([SAMPLE], sandbox, clock, report=tmp_path / "r3.xlsx", force=True)
    assert forced.counts["sent"] == 68
    assert set(sandbox.store.write_counts()["residents"].values()) == {2}


def test_a_changed_row_is_sent_again(sandbox, clock, tmp_path):
    header, rows = rule_rows("residents", [{}, OTHER])
    path = tmp_path / "in.xlsx"
    write_xlsx(path, {"residents": [header, *rows]})
    assert submit([path], sandbox, clock).counts == {"sent": 2}
    changed = [dict(RESIDENT, FirstName="نگار"), {**RESIDENT, **OTHER}]
    header, rows = rule_rows("residents", changed)
    write_xlsx(path, {"residents": [header, *rows]})
    result = submit([path], sandbox, clock)
    assert result.counts == {"sent": 1, "unchanged": 1}
    assert sandbox.store.resident("98123001")["FirstName"] == "نگار"
    # The progress counts the one row sent, and ends full.
    seen = []
    again = [dict(RESIDENT, FirstName="سارا"), {**RESIDENT, **OTHER}]
    write_xlsx(path, {"residents": [header, *rule_rows("residents", again)[1]]})
    submit([path], sandbox, clock, Control(on_change=lambda p: seen.append((p.done, p.total))))
    assert seen[-1] == (1, 1)
    assert sandbox.store.write_counts()["residents"] == {"98123001": 3, "98123002": 1}


def test_faults_expiring_tokens_and_rate_limit_every_row_exactly_once(tmp_path):
    clock = TickingClock(step=0.005)
    app = create_app(
        SandboxSettings(
            db_path=tmp_path / "s.db", clock=clock, token_ttl=1, fail_rate=0.2, rate_limit=5, seed=5
        )
    )
    result = submit([SAMPLE], app, clock, report=tmp_path / "r.xlsx")
    assert result.counts == {"sent": 68, "invalid": 7, "not_sent": 4, "failed": 1}
    writes = app.store.write_counts()
    assert set(writes["residents"].values()) == {1} and len(writes["residents"]) == 36
    assert set(writes["declarations"].values()) == {1} and len(writes["declarations"]) == 32
    assert app.faults.counts["failed_503"] > 5 and app.faults.counts["limited_429"] > 0
    # The tokens expired and were renewed (a token for each login or refresh the server
    # granted).
    assert len(app.store.query("SELECT access FROM tokens")) > 3
    assert result.pace.cuts >= 1 and result.pace.pushed_back > 0  # it slowed down
    attempts = [o.attempts for sheet in result.sheets for o in sheet.rows]
    assert max(attempts) > 1


def test_wrong_password_exit_3_and_never_written(sandbox, clock, tmp_path, monkeypatch):
    secret = "Wr0ng-Secret-123"
    monkeypatch.setenv("SIMAD_HOME", str(tmp_path / "home"))
    result = submit(
        [SAMPLE],
        sandbox,
        clock,
        report=tmp_path / "home" / "r.xlsx",
        credentials=Credentials(SANDBOX_USERNAME, secret),
    )
    assert result.exit_code == 3
    assert "Incorrect username or password" in str(result.fatal)
    assert result.counts.get("sent", 0) == 0
    report_statuses = statuses(tmp_path / "home" / "r.xlsx")
    assert set(report_statuses) == {"invalid", "not_sent"}
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_unreachable_server_stops_with_exit_3_and_reports_every_row(tmp_path):
    def down(request):
        raise httpx.ConnectError("connection refused")

    clock = TickingClock()
    result = run_submit(
        SubmitOptions([SAMPLE], target="http://127.0.0.1:9", report=tmp_path / "r.xlsx"),
        transport=httpx.MockTransport(down),
        credentials=Credentials("u", "p"),
        ctx=Context(lang="en"),
        policy=RetryPolicy(max_attempts=3, sleep=clock.sleep),
    )
    assert result.exit_code == 3
    rows = statuses(tmp_path / "r.xlsx") + statuses(tmp_path / "r.xlsx", 2)
    assert len(rows) == 80 and set(rows) <= {"invalid", "not_sent", "failed"}
    assert rows.count("not_sent") >= 60


def test_interrupt_writes_the_report_of_what_happened(sandbox, clock, tmp_path):
    seen = []

    def stop_after_ten(progress):
        seen.append(progress.done)
        if progress.done >= 10:
            raise KeyboardInterrupt

    result = submit(
        [SAMPLE], sandbox, clock, Control(on_change=stop_after_ten), report=tmp_path / "r.xlsx"
    )
    assert result.interrupted and result.exit_code == 130
    rows = statuses(tmp_path / "r.xlsx") + statuses(tmp_path / "r.xlsx", 2)
    assert rows.count("sent") >= 1 and rows.count("not_sent") > 30
    ledger = Ledger(Path.cwd() / "home" / "ledger.db")
    assert ledger.runs()[0]["state"] == "interrupted"
    ledger.close()
    # Running again completes the job without sending anything twice.
    again = submit([SAMPLE], sandbox, clock, report=tmp_path / "r2.xlsx")
    assert again.counts["sent"] + again.counts["unchanged"] == 68
    assert set(sandbox.store.write_counts()["residents"].values()) == {1}


def test_stop_lets_rows_in_flight_finish_and_writes_the_report(sandbox, clock, tmp_path):
    """Stop (the web app's button): no new row starts, every row started is recorded as the
    server answered it, the rest are not_sent saying why, and the report is written."""
    control = Control()

    def stop_after_ten(progress):
        if progress.done >= 10:
            control.stop()  # as the web app's Stop does, from its own thread

    control.on_change = stop_after_ten
    result = submit([SAMPLE], sandbox, clock, control, report=tmp_path / "r.xlsx", concurrency=4)
    assert result.interrupted and result.exit_code == 130
    rows = report_rows(tmp_path / "r.xlsx")
    sent = [r for r in rows if r["status"] == "sent"]
    stopped = [r for r in rows if r["status"] == "not_sent"]
    # Those in flight when Stop came finished: a few more than ten, never the whole file.
    assert 10 <= len(sent) <= 10 + 4
    assert stopped and all("stopped with Stop" in r["messages"] for r in stopped)
    # Every sent row is on the server once; the ledger holds every row that was sent.
    assert sum(sandbox.store.write_counts()["residents"].values()) == len(sent)
    ledger = Ledger(Path.cwd() / "home" / "ledger.db")
    assert ledger.runs()[0]["state"] == "interrupted"
    assert len(ledger.accepted_students("sandbox")) == len(sent)
    ledger.close()


def test_the_office_rate_cap_is_kept_from_the_first_request(sandbox, clock, tmp_path):
    start = clock.now
    result = submit([SAMPLE], sandbox, clock, report=tmp_path / "r.xlsx", max_rate=5)
    assert result.counts["sent"] == 68
    pace = result.pace
    assert pace.max_rate == 5 and pace.current == 5 and pace.pushed_back == 0
    # 70-odd requests at 5 a second, after one second of burst: at least 13 s of waiting.
    assert clock.now - start >= 13


def test_photos(sandbox, clock, tmp_path):
    header, rows = rule_rows(
        "residents", [{}, OTHER, {"StudentNumber": "98123003", "NationalCode": "0084575948"}]
    )
    path = tmp_path / "in.xlsx"
    write_xlsx(path, {"residents": [header, *rows]})
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "98123001.jpg").write_bytes(JPEG + b"\x00" * 200)
    (photos / "98123002.jpg").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    result = submit([path], sandbox, clock, images=photos, report=tmp_path / "r.xlsx")
    assert result.counts == {"sent": 3}
    assert sandbox.store.write_counts()["images"] == {"98123001": 1}
    messages = [o.messages for o in result.sheets[0].rows]
    assert messages[0] == ["Photo sent."]
    assert "not a JPEG" in messages[1][0]
    assert "not found" in messages[2][0]
    # Unchanged photo is not sent again.
    submit([path], sandbox, clock, images=photos)
    assert sandbox.store.write_counts()["images"] == {"98123001": 1}


def test_declaration_of_a_refused_resident_is_not_sent(sandbox, clock, tmp_path):
    header, rows = rule_rows("residents", [{"CourseStudyCode": "1799"}])  # sandbox refuses it
    dheader, drows = rule_rows("upgrades", [DECLARATION])
    path = tmp_path / "in.xlsx"
    write_xlsx(path, {"residents": [header, *rows], "upgrades": [dheader, *drows]})
    result = submit([path], sandbox, clock)
    assert result.counts == {"failed": 1, "not_sent": 1}
    outcome = result.sheets[1].rows[0]
    assert outcome.status == "not_sent" and "was not accepted in this run" in outcome.messages[-1]
    assert sandbox.store.write_counts()["declarations"] == {}


def test_a_stop_asked_before_the_run_starts_sends_nothing(sandbox, clock, tmp_path):
    """The caller's handle exists before the engine: a Stop that comes first is kept."""
    control = Control()
    control.stop()
    result = submit([SAMPLE], sandbox, clock, control, report=tmp_path / "r.xlsx")
    assert result.interrupted and result.exit_code == 130
    assert sandbox.store.write_counts()["residents"] == {}
    # Per-sheet counts, every status of the family, sum to the run's counts.
    per_sheet = [sheet.counts() for sheet in result.sheets]
    assert all(list(c) == list(Submission) for c in per_sheet)
    assert {s: sum(c[s] for c in per_sheet) for s in Submission if result.counts.get(s)} == (
        result.counts
    )
    assert result.counts["not_sent"] > 60
