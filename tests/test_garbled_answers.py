"""An answer that is not the API's is never read as "nothing there": a number, a text, null, a
list of plain values, an object without a list, a web page, JSON cut short or nested 200,000
deep from GetDeclareResidents or GetFinalResults stops the run (exit 3) — nothing is sent
again on a resume, nothing is reported missing on the server — and a MAXA answer whose data
is not the documented shape is not printed as a value. An empty list is an answer."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.results import run_results
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.context import Context
from pipeline.core.errors import NotTheApi, exit_code_for
from pipeline.net import answers
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.sandbox.faults import FaultInjector, Faults
from pipeline.sheets.validation import validate_paths
from pipeline.simad.ledger import Ledger
from pipeline.simad.payloads import build_payload, payload_hash, row_key

from .test_submit import SAMPLE, TickingClock, submit

pytestmark = pytest.mark.anyio

DEEP = 200_000
RECORD = {"StudentNumber": "98123001", "YearId": 1402}


def garbled() -> dict[str, bytes]:
    """Answers a server under maintenance or a broken proxy gives, made here."""
    honest = json.dumps([RECORD, {**RECORD, "StudentNumber": "98123002"}]).encode()
    return {
        "maintenance": b'"maintenance"',
        "number": b"42",
        "null": b"null",
        "scalars": b"[1, 2]",
        "object": b'{"foo": 1}',
        "records without a student number": b'[{"foo": 1}]',
        "web page": b"<!DOCTYPE html><html><body>Service under maintenance</body></html>",
        "cut short": honest[: len(honest) // 2],
        "deep": b"[" * DEEP + b"]" * DEEP,
        "empty body": b"",
        "not JSON's numbers": b'[{"StudentNumber": NaN, "YearId": Infinity}]',
    }


GARBLED = garbled()
HONEST_EMPTY = {
    "bare": b"[]",
    "wrapped": b'{"data": []}',
    "wrapped twice": b'{"Result": {"Items": []}}',
}
garbled_bodies = pytest.mark.parametrize("body", GARBLED.values(), ids=GARBLED.keys())


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def clock():
    return TickingClock()


@pytest.fixture
def sandbox(tmp_path, clock):
    return create_app(SandboxSettings(db_path=tmp_path / "server.db", clock=clock))


def garbling(sandbox, clock, body: bytes) -> FaultInjector:
    """The sandbox, every GET of it answered 200 with ``body`` (the sandbox's own fault)."""
    return FaultInjector(sandbox, Faults(garbled_get=body), clock=clock)


# -- reading JSON with a bounded depth ----------------------------------------------------------


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


tricky_text = st.text(alphabet='[]{}"\\ab/', max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_depth_scan_measures_what_the_parser_sees(value):
    text = json.dumps(value)
    assert answers.nesting(text) == depth(value)
    assert answers.loads(text.encode()) == value


@pytest.mark.parametrize(
    "text", [b"[" * DEEP, b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP, b'["' + b"[" * DEEP]
)
def test_deep_json_is_refused_before_the_parser_recurses(text):
    with pytest.raises(answers.TooDeep):
        answers.loads(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps([[{"a": [1, "]]"]}]] * 3000), 4),  # many brackets, shallow
        ("[" * 5000 + "]" * 5000, 5000),
        ('[{"x": "' + "{" * 9000 + '"}, ' + "[" * 70 + "]" * 70 + "]", 71),
    ],
)
def test_the_depth_of_a_large_answer(text, expected):
    assert answers.nesting(text, limit=10_000) == expected


def test_the_depth_limit_is_where_it_is_documented():
    limit = answers.MAX_DEPTH
    assert answers.loads(b"[" * limit + b"]" * limit) is not None
    with pytest.raises(answers.TooDeep):
        answers.loads(b"[" * (limit + 1) + b"]" * (limit + 1))


# -- the list calls ---------------------------------------------------------------------------


@garbled_bodies
@pytest.mark.parametrize("call", ["get_declare_residents", "get_final_results"])
async def test_a_list_call_refuses_what_is_not_a_list(sandbox, clock, make_client, call, body):
    client = make_client(garbling(sandbox, clock, body))
    await client.authenticate()
    with pytest.raises(NotTheApi) as info:
        await getattr(client, call)(1402)
    await client.aclose()
    assert exit_code_for(info.value) == 3
    assert "not read as empty" in str(info.value) or "نمی‌شود" in str(info.value)


@pytest.mark.parametrize("body", HONEST_EMPTY.values(), ids=HONEST_EMPTY.keys())
@pytest.mark.parametrize("call", ["get_declare_residents", "get_final_results"])
async def test_an_empty_list_is_empty(sandbox, clock, make_client, call, body):
    client = make_client(garbling(sandbox, clock, body))
    await client.authenticate()
    assert await getattr(client, call)(1402) == []
    await client.aclose()


# -- a resume after a crash -------------------------------------------------------------------


def leave_in_flight(n: int = 8) -> list[str]:
    """The ledger as a run killed with ``n`` of the sample's declarations on the wire leaves
    it (state ``sending``, with their payload's hash); nothing reached the server. Their keys
    (declarations a submission of the sample sends: valid, their resident valid)."""
    keys: list[str] = []
    results = validate_paths([SAMPLE]).results
    residents = {
        student
        for r in results
        if r.sheet.kind == "residents"
        for i, student in enumerate(r.frame["StudentNumber"])
        if r.status(i) == "valid"
    }
    ledger = Ledger(Path(os.environ["SIMAD_HOME"]) / "ledger.db")
    try:
        for result in results:
            if result.sheet.kind != "upgrades":
                continue
            for i, record in enumerate(result.frame.to_dict("records")):
                if result.status(i) != "valid" or record["StudentNumber"] not in residents:
                    continue
                if len(keys) == n:
                    break
                payload = build_payload("upgrades", record)
                key = row_key("upgrades", payload)
                ledger.mark_sending("sandbox", "declaration", key, payload_hash(payload), "killed")
                keys.append(key)
    finally:
        ledger.close()
    return keys


def ledger_states(kind: str) -> dict[str, str]:
    ledger = Ledger(Path(os.environ["SIMAD_HOME"]) / "ledger.db")
    try:
        return {k: r.state for k, r in ledger.recorded("sandbox", kind).items()}
    finally:
        ledger.close()


@garbled_bodies
def test_a_resume_on_a_garbled_list_sends_nothing_again(sandbox, clock, tmp_path, body):
    keys = leave_in_flight()
    injector = garbling(sandbox, clock, body)
    result = submit([SAMPLE], injector, clock, report=tmp_path / "r.xlsx")
    assert result.exit_code == 3
    assert injector.counts["garbled_get"] >= 1
    # The server's answer could not say whether they arrived: nothing was sent at all.
    writes = sandbox.store.write_counts()
    assert writes["residents"] == {} and writes["declarations"] == {}
    assert {ledger_states("declaration")[k] for k in keys} == {"sending"}
    # Every row is in the report; none claims to be sent.
    rows = result.to_dict()["rows"]
    assert len(rows) == 80 and {r["status"] for r in rows} == {"invalid", "not_sent"}
    assert "8" in str(result.fatal) and "not read as empty" in str(result.fatal)


@pytest.mark.parametrize("body", HONEST_EMPTY.values(), ids=HONEST_EMPTY.keys())
def test_a_resume_on_an_honest_empty_list_sends_each_once(sandbox, clock, tmp_path, body):
    keys = leave_in_flight()
    injector = garbling(sandbox, clock, body)
    result = submit([SAMPLE], injector, clock, report=tmp_path / "r.xlsx")
    assert result.exit_code == 1  # the sample's own invalid and refused rows, as always
    assert injector.counts["garbled_get"] == len(keys)  # one question per declaration
    writes = sandbox.store.write_counts()
    assert set(keys) <= set(writes["declarations"])
    assert set(writes["declarations"].values()) == {1} and len(writes["declarations"]) == 32
    assert {ledger_states("declaration")[k] for k in keys} == {"accepted"}


# -- results and reconciliation ---------------------------------------------------------------


def download_options(sandbox, clock, body: bytes) -> dict:
    return {
        "target": "sandbox",
        "transport": httpx.ASGITransport(app=garbling(sandbox, clock, body)),
        "credentials": Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
        "policy": RetryPolicy(max_attempts=3, sleep=no_sleep),
        "ctx": Context(lang="en"),
    }


@garbled_bodies
def test_results_and_reconcile_refuse_a_garbled_list(sandbox, clock, tmp_path, body):
    out = tmp_path / "results.xlsx"
    with pytest.raises(NotTheApi) as info:
        run_results(1402, out=out, **download_options(sandbox, clock, body))
    assert exit_code_for(info.value) == 3 and not out.exists()
    report = tmp_path / "reconcile.xlsx"
    with pytest.raises(NotTheApi):
        run_reconcile(1402, [SAMPLE], report_path=report, **download_options(sandbox, clock, body))
    assert not report.exists()  # no report saying 40 declarations are missing on the server


def test_reconcile_against_an_honest_empty_list_says_missing(sandbox, clock, tmp_path):
    result = run_reconcile(
        1402,
        [SAMPLE],
        report_path=tmp_path / "reconcile.xlsx",
        **download_options(sandbox, clock, b"[]"),
    )
    assert result.counts.get("missing_on_server", 0) >= 30 and result.report.exists()


@pytest.fixture
def garbled_sandbox_target(monkeypatch, tmp_path, clock):
    """The CLI's default target (the in-process sandbox) answering every GET with a body the
    test chooses, and retries that do not wait."""
    from pipeline.commands import targets

    def use(body: bytes) -> None:
        sandbox = create_app(SandboxSettings(db_path=tmp_path / "cli-server.db", clock=clock))
        monkeypatch.setattr(
            targets,
            "sandbox_transport",
            lambda: httpx.ASGITransport(app=garbling(sandbox, clock, body)),
        )
        monkeypatch.setattr(targets, "RetryPolicy", functools.partial(RetryPolicy, sleep=no_sleep))

    return use


@pytest.mark.parametrize(
    ("argv", "body"),
    [
        (["results", "--year", "1402"], GARBLED["deep"]),
        (["results", "--year", "1402"], GARBLED["null"]),
        (["reconcile", "--year", "1402", str(SAMPLE)], GARBLED["maintenance"]),
        (["reconcile", "--year", "1402", str(SAMPLE)], GARBLED["scalars"]),
    ],
)
def test_on_the_command_line_exit_3_one_line_no_traceback(garbled_sandbox_target, argv, body):
    garbled_sandbox_target(body)
    out = CliRunner().invoke(app, ["--lang", "en", *argv])
    assert out.exit_code == 3, out.output
    assert "Traceback" not in out.output and "RecursionError" not in out.output
    assert "not read as empty" in out.stderr
    assert "missing_on_server" not in out.output and not list(Path.cwd().glob("*.xlsx"))


# -- MAXA -------------------------------------------------------------------------------------


def envelope(data: object) -> bytes:
    body = {"result": {"data": data, "status": {"statusCode": 200}}, "status": {"statusCode": 200}}
    return json.dumps(body).encode()


VERSIONS = envelope(
    [{"id": 1, "TerminologyId": "eRX", "Version": "1", "VersionId": 1, "IsLast": True}]
)


def gateway(answer: bytes, function: str) -> httpx.MockTransport:
    """A DITAS gateway whose ``function`` answers ``answer``; tokens and the list of versions
    (which a pull asks for first) as usual."""

    def handler(request: httpx.Request) -> httpx.Response:
        json_type = {"content-type": "application/json"}
        if request.url.path.endswith("/oauth/token"):
            token = {"access_token": "a", "refresh_token": "r", "expires_in": 900}
            return httpx.Response(200, json=token)
        if request.url.path.endswith("/" + function):
            return httpx.Response(200, content=answer, headers=json_type)
        if request.url.path.endswith("/TerminologyVersions"):
            return httpx.Response(200, content=VERSIONS, headers=json_type)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


@pytest.fixture
def maxa_answering(monkeypatch):
    from pipeline.commands import targets
    from pipeline.maxa import client as maxa_client

    def use(answer: bytes, function: str) -> None:
        monkeypatch.setattr(targets, "sandbox_transport", lambda: gateway(answer, function))
        policy = functools.partial(RetryPolicy, sleep=no_sleep)
        monkeypatch.setattr(maxa_client, "RetryPolicy", policy)

    return use


LOOKUP = ["maxa", "lookup", "ContactType", "1"]
MAXA_GARBLED = {
    "a number": envelope(7),
    "a number, encoded": envelope("7"),
    "a list": envelope([1, 2]),
    "an object": envelope({"a": 1}),
    "true": envelope(True),
    "null": envelope(None),
    "deep data": envelope("[" * DEEP + "]" * DEEP),
    "a bare text": b'"maintenance"',
    "a bare number": b"7",
    "a web page": GARBLED["web page"],
    "deep envelope": GARBLED["deep"],
    "cut short": envelope('"value"')[:30],
}


@pytest.mark.parametrize("answer", MAXA_GARBLED.values(), ids=MAXA_GARBLED.keys())
def test_maxa_lookup_never_prints_what_is_not_a_value(maxa_answering, answer):
    maxa_answering(answer, "Terminology")
    out = CliRunner().invoke(app, ["--lang", "en", *LOOKUP])
    assert out.exit_code == 3, out.output
    assert out.stdout == "" and "Traceback" not in out.output


@pytest.mark.parametrize(
    ("answer", "printed", "code"),
    [
        (envelope(json.dumps("پست الکترونیکی")), "پست الکترونیکی", 0),
        (envelope("not encoded"), "not encoded", 0),  # a server that does not encode twice
        (json.dumps({"result": {"status": {"statusCode": 404}}}).encode(), "not found", 1),
    ],
)
def test_maxa_lookup_still_reads_a_value_and_not_found(maxa_answering, answer, printed, code):
    maxa_answering(answer, "Terminology")
    out = CliRunner().invoke(app, ["--lang", "en", *LOOKUP])
    assert out.exit_code == code, out.output
    assert printed in out.stdout.lower()


@pytest.mark.parametrize(
    ("argv", "function", "data"),
    [
        (["maxa", "validate", "ContactType", "1", "x"], "ValidateCts", 7),
        (["maxa", "validate", "ContactType", "1", "x"], "ValidateCts", "maybe"),
        (["maxa", "versions", "eRX"], "TerminologyVersions", "maintenance"),
        (["maxa", "versions", "eRX"], "TerminologyVersions", [{"Version": "1", "VersionId": "x"}]),
        (["maxa", "terminologies"], "CtsTerminologies", [1, 2]),
        (["maxa", "search", "eRX", "--since", "1402/01/01"], "SearchTerminology", 42),
        (["maxa", "pull", "eRX", "--version", "1"], "TerminologiesTermByVersion", 7),
        (["maxa", "pull", "eRX", "--version", "1"], "TerminologiesTermByVersion", [1, 2]),
        (["maxa", "pull", "eRX", "--version", "1"], "TerminologiesTermByVersion", None),
        (["maxa", "pull", "eRX", "--version", "1"], "TerminologiesTermByVersion", "deep"),
    ],
)
def test_every_maxa_function_refuses_data_of_another_shape(maxa_answering, argv, function, data):
    if data == "deep":
        answer = b'{"result": {"data": ' + b"[" * DEEP + b"]" * DEEP + b"}}"
    else:
        answer = envelope(data)
    maxa_answering(answer, function)
    out = CliRunner().invoke(app, ["--lang", "en", *argv])
    assert out.exit_code == 3, out.output
    assert "Traceback" not in out.output
