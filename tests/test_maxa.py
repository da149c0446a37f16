"""MAXA through DITAS: the token flow, the seven functions, the envelope and its quirks,
gateway errors, the local mirror, diffs and offline answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.config import (
    MAXA_SANDBOX_CLIENT_ID,
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_PASSWORD,
    MAXA_SANDBOX_PID,
    MAXA_SANDBOX_USERNAME,
    MaxaCredentials,
)
from pipeline.core.errors import AuthError, MaxaError, MirrorError, RetryableError
from pipeline.core.i18n import language
from pipeline.maxa.client import MaxaClient, decode_data
from pipeline.maxa.mirror import Mirror, diff, export, pull
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app

pytestmark = pytest.mark.anyio
CREDS = MaxaCredentials(
    MAXA_SANDBOX_CLIENT_ID,
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_USERNAME,
    MAXA_SANDBOX_PASSWORD,
    MAXA_SANDBOX_PID,
)


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def gateway(clock, tmp_path):
    return create_app(SandboxSettings(db_path=tmp_path / "s.db", clock=clock, maxa_token_ttl=60))


def maxa(app_or_transport, clock=None, creds: MaxaCredentials = CREDS, **kw) -> MaxaClient:
    transport = (
        app_or_transport
        if isinstance(app_or_transport, httpx.AsyncBaseTransport)
        else httpx.ASGITransport(app=app_or_transport)
    )
    return MaxaClient(
        "http://gateway.local",
        creds,
        transport=transport,
        policy=RetryPolicy(max_attempts=4, sleep=no_sleep),
        **({"clock": clock} if clock else {}),
        **kw,
    )


async def test_every_function_success_and_not_found(gateway, clock):
    async with maxa(gateway, clock) as c:
        assert await c.terminology("thritaEHR.Religion", "1") == "اسلام"
        assert await c.terminology(" thritaEHR.Religion", "99") is None
        assert await c.value_by_version("ERX", "60002", "1000") == (
            "ACETAMINOPHEN 100 mg / 1mL 15 mL SOLUTION / DROPS ORAL"
        )
        assert await c.value_by_version("ERX", "60002", "999") is None
        terms = await c.terms_by_version("erX", "10000")
        assert ("60281", "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL [MEGACORT]") in [
            (t.code, t.value) for t in terms
        ]
        assert await c.terms_by_version("erX", "1") == []
        versions = await c.versions("ErX")
        assert [(v.version, v.version_id, v.is_last) for v in versions] == [
            ("1000", 40, False),
            ("10000", 86, False),
            ("11000", 97, True),
        ]
        assert await c.versions("Religion-unknown") == []
        assert await c.validate_cts("ContactType", "6", "پست الکترونیکی شخصی") is True
        assert await c.validate_cts("ContactType", "6", "تلفن منزل") is False
        assert await c.validate_cts("NoSuchTerminology", "6", "x") is False
        ids = await c.cts_terminologies(date(2023, 3, 21))  # 1402/01/01
        assert ids == ["IRC", "CDT-FA", "ADA"]
        assert await c.cts_terminologies(date(2030, 1, 1)) == []
        found = await c.search_terminology("ContactType", date(2022, 3, 21))  # 1401/01/01
        assert [t.code for t in found] == ["13", "14"]
        assert await c.search_terminology("ContactType", date(2030, 1, 1)) == []
        assert c.last_request_id  # every DITAS answer carries a requestId header


async def test_token_expires_mid_download_and_is_refreshed(gateway, clock):
    async with maxa(gateway, clock) as c:
        await c.terminology("ContactType", "1")
        for _ in range(5):
            clock.advance(55)  # past the renewal margin of a 60 s token each time
            assert len(await c.terms_by_version("eRX", "10000")) == 9
        assert c.renewals["password"] == 1 and c.renewals["refresh"] >= 4


async def test_a_401_mid_call_renews_the_token(gateway, clock):
    async with maxa(gateway, clock) as c:
        await c.terminology("ContactType", "1")
        gateway.maxa.tokens.clear()  # the gateway forgets every token
        assert await c.terminology("ContactType", "2") == "پیجر شخصی"
        assert c.renewals["refresh"] == 1


async def test_refused_refresh_falls_back_to_the_password_grant(gateway, clock):
    async with maxa(gateway, clock) as c:
        await c.terminology("ContactType", "1")
        gateway.maxa.refresh_tokens.clear()
        clock.advance(120)
        assert await c.terminology("ContactType", "3") == "پیجر محل کار"
        assert c.renewals["password"] == 2


async def test_bad_credentials(gateway, clock):
    wrong = MaxaCredentials(
        MAXA_SANDBOX_CLIENT_ID,
        MAXA_SANDBOX_CLIENT_SECRET,
        MAXA_SANDBOX_USERNAME,
        "not-the-password",
        MAXA_SANDBOX_PID,
    )
    async with maxa(gateway, clock, creds=wrong) as c:
        with pytest.raises(AuthError) as info:
            await c.terminology("ContactType", "1")
    assert "Bad credentials" in str(info.value)
    assert "not-the-password" not in f"{info.value!r}{c!r}{wrong!r}"


async def test_wrong_pid_is_the_gateways_429_no_permission(gateway, clock):
    other = MaxaCredentials(
        MAXA_SANDBOX_CLIENT_ID,
        MAXA_SANDBOX_CLIENT_SECRET,
        MAXA_SANDBOX_USERNAME,
        MAXA_SANDBOX_PASSWORD,
        "someone-else",
    )
    async with maxa(gateway, clock, creds=other) as c:
        with language("en"), pytest.raises(RetryableError) as info:
            await c.terminology("ContactType", "1")
    assert info.value.status == 429 and "MAXA_PID" in str(info.value)


def envelope(data=None, inner=200, outer=200):
    result = {"status": {"statusCode": inner}}
    if data is not None:
        result["data"] = data
    return {"result": result, "status": {"statusCode": outer, "message": "x"}}


def scripted(*answers):
    """A stand-in gateway answering the data calls with ``answers`` in turn."""
    queue = list(answers)
    calls = []

    def handler(request):
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(
                200,
                json={
                    "access_token": "a",
                    "refresh_token": "r",
                    "expires_in": 900,
                    "token_type": "bearer",
                },
            )
        calls.append(request)
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, json=body, headers={"requestId": f"rid-{len(calls)}"})

    return httpx.MockTransport(handler), calls


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        ((200, envelope(outer=403)), MaxaError, "origin IP"),
        ((200, envelope(outer=410)), MaxaError, "HTTPS"),
        ((400, envelope(outer=400)), MaxaError, "Bad request"),
        ((200, envelope(inner=500)), MaxaError, "Internal server error"),
        ((200, envelope(outer=429)), RetryableError, "Too many requests"),
        ((504, envelope(outer=504)), RetryableError, "Backend timeout"),
        ((200, envelope(outer=520)), RetryableError, "Unknown error"),
        (
            (401, {"status": 0, "code": 401, "msg": "", "violations": []}),
            AuthError,
            "Credential is not valid",
        ),
    ],
)
async def test_gateway_error_shapes(answer, error, words):
    transport, _calls = scripted(answer)
    async with maxa(transport) as c:
        with language("en"), pytest.raises(error) as info:  # the language is ambient
            await c.terminology("ContactType", "1")
    assert words in str(info.value)
    if error is MaxaError:
        assert "rid-" in str(info.value)  # the requestId is kept for tracing


async def test_retries_then_success():
    transport, calls = scripted(
        (503, {}), (200, envelope(outer=503)), (200, envelope('"پیجر شخصی"'))
    )
    async with maxa(transport) as c:
        assert await c.terminology("ContactType", "2") == "پیجر شخصی"
    assert len(calls) == 3
    assert calls[0].method == "GET" and json.loads(calls[0].content) == {
        "terminologyId": "ContactType",
        "codedString": "2",
    }
    assert calls[0].headers["pid"] == MAXA_SANDBOX_PID


def test_data_decoding_quirks():
    assert decode_data('"اسلام"') == "اسلام"
    assert decode_data("true") is True
    assert decode_data("not json") == "not json"
    assert decode_data([{"a": 1}]) == [{"a": 1}]


async def test_list_data_as_a_json_string_and_missing_data():
    payload = json.dumps(
        [{"valueField": "X", "terminology_idField": "T", "coded_stringField": " 7 "}]
    )
    transport, _ = scripted((200, envelope(payload)))
    async with maxa(transport) as c:
        [term] = await c.terms_by_version("T", "1")
    assert (term.code, term.value) == ("7", "X")
    transport, _ = scripted((200, envelope(None)))
    async with maxa(transport) as c:
        assert await c.terminology("T", "1") is None


async def test_mirror_pull_diff_and_offline(gateway, clock, tmp_path):
    mirror = Mirror(tmp_path / "m.db")
    async with maxa(gateway, clock) as c:
        latest, count = await pull(c, mirror, "eRX", "10000")
        assert (latest.version, count) == ("10000", 9)
        result = await diff(c, mirror, "ERX", "1000", "10000")  # pulls 1000 on the way
    assert mirror.has("erx", "1000")
    assert [code for code, _ in result.added] == ["60412", "60415"]
    assert [code for code, _ in result.removed] == ["60350"]
    assert result.changed == [
        (
            "60046",
            "AMOXICILLIN 500 mg CAPSULE ORAL",
            "AMOXICILLIN 500 mg / 5 mL 100 mL POWDER FOR SUSPENSION ORAL",
        ),
        (
            "60281",
            "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL",
            "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL [MEGACORT]",
        ),
    ]
    # Offline answers come from the current version and say so.
    assert mirror.lookup("Erx", "60281") == (
        "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL [MEGACORT]",
        "10000",
    )
    assert mirror.lookup("erx", "60350") == (None, "10000")
    assert mirror.lookup("erx", "60350", "1000") == ("RANITIDINE 150 mg TABLET ORAL", "1000")
    with pytest.raises(MirrorError):
        mirror.lookup("IRC", "1")
    with pytest.raises(MirrorError):
        await diff(None, mirror, "IRC", "1", "2")
    csv_path = export(mirror, "eRX", "1000", tmp_path / "erx.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "code,value,terminology,version" and len(lines) == 9
    xlsx = export(mirror, "eRX", "10000", tmp_path / "erx.xlsx")
    assert openpyxl.load_workbook(xlsx).worksheets[1].max_row == 10
    mirror.close()


async def test_pull_of_an_unknown_version(gateway, clock, tmp_path):
    mirror = Mirror(tmp_path / "m.db")
    async with maxa(gateway, clock) as c:
        with pytest.raises(MirrorError, match=r"5.*1000, 10000, 11000"):
            await pull(c, mirror, "eRX", "5")
    mirror.close()


def test_cli_pull_diff_offline_round_trip(tmp_path):
    runner = CliRunner()
    before = runner.invoke(app, ["--lang", "en", "maxa", "lookup", "eRX", "60281", "--offline"])
    assert before.exit_code == 1 and "simad maxa pull" in before.output
    pulled = runner.invoke(
        app, ["maxa", "pull", "eRX", "--out", str(tmp_path / "e.xlsx"), "--json"]
    )
    assert pulled.exit_code == 0, pulled.output
    assert json.loads(pulled.stdout)["terms"] == 10
    offline = runner.invoke(app, ["maxa", "lookup", "erx", "60281", "--offline", "--json"])
    answer = json.loads(offline.stdout)
    assert (answer["version"], answer["source"]) == ("11000", "mirror")
    changed = runner.invoke(
        app, ["maxa", "diff", "eRX", "1000", "10000", "--json", "--out", str(tmp_path / "d.xlsx")]
    )
    data = json.loads(changed.stdout)
    assert (len(data["added"]), len(data["removed"]), len(data["changed"])) == (2, 1, 2)
    book = openpyxl.load_workbook(tmp_path / "d.xlsx")
    assert book.sheetnames == ["خلاصه", "افزوده", "حذف‌شده", "تغییرکرده"]
    changed_sheet = book["تغییرکرده"]
    headers = [c.value.lstrip("\u200f") for c in changed_sheet[1]]  # marked right to left
    assert headers == ["کد", "مقدار در نسخه 1000", "مقدار در نسخه 10000"]
    assert changed_sheet["A1"].comment.text == "coded_stringField"
    valid = runner.invoke(app, ["maxa", "validate", "erx", "60415", "x", "--offline"])
    assert valid.exit_code == 1
    online = runner.invoke(
        app, ["maxa", "validate", "ContactType", "6", "پست الکترونیکی شخصی", "--json"]
    )
    assert online.exit_code == 0 and json.loads(online.stdout)["valid"] is True
    bad_date = runner.invoke(app, ["maxa", "search", "ContactType", "--since", "yesterday"])
    assert bad_date.exit_code == 2
    assert Path.cwd().joinpath("home", "maxa-mirror.db").exists()


def test_csv_export_neutralises_formulas(tmp_path):
    """OWASP: a value that starts like a formula is written as text, never evaluated."""
    from pipeline.maxa.client import Term, Version
    from pipeline.maxa.mirror import Mirror, export

    mirror = Mirror(tmp_path / "mirror.db")
    values = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "آموکسی‌سیلین"]
    terms = [Term(str(100 + i), v, "eRX") for i, v in enumerate(values)]
    mirror.store("eRX", Version("9", 9, True, 9, "eRX"), terms)
    lines = export(mirror, "eRX", "9", tmp_path / "out.csv").read_text("utf-8-sig").splitlines()
    mirror.close()
    written = [line.split(",", 1)[1].rsplit(",", 2)[0].strip('"') for line in lines[1:]]
    assert written[:4] == ['\'=HYPERLINK(""http://x"")', "'+1+1", "'-2+3", "'@SUM(A1)"]
    assert written[5] == "آموکسی‌سیلین"


def test_every_listed_terminology_can_be_pulled_looked_up_offline_and_diffed(tmp_path):
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["maxa", "terminologies", "--json"]).stdout)
    assert len(listed["terminologies"]) >= 20
    for name in listed["terminologies"]:
        versions = runner.invoke(app, ["maxa", "versions", name, "--json"])
        assert versions.exit_code == 0, (name, versions.output)
        pulled = runner.invoke(app, ["maxa", "pull", name, "--json"])
        assert pulled.exit_code == 0, (name, pulled.output)
        got = json.loads(pulled.stdout)
        assert got["terms"] > 0
        version = got["version"]
        diff = runner.invoke(app, ["maxa", "diff", name, version, version, "--offline", "--json"])
        assert diff.exit_code == 0 and json.loads(diff.stdout)["added"] == []
    religion = runner.invoke(app, ["maxa", "lookup", "thritaEHR.Religion", "1", "--offline"])
    assert religion.exit_code == 0 and religion.output.strip()


def test_versions_of_an_unknown_terminology_is_exit_1():
    result = CliRunner().invoke(app, ["--lang", "en", "maxa", "versions", "NoSuchThing"])
    assert result.exit_code == 1
    assert "lists no versions of 'NoSuchThing'" in result.output


def test_the_results_carry_their_exit_codes():
    """The command line takes a MAXA command's exit code from its result (``Result``)."""
    from pipeline.commands.maxa import Answer, Pulled, Synced
    from pipeline.core.result import Result
    from pipeline.maxa.client import Version
    from pipeline.maxa.mirror import Diff

    found = Answer("eRX", "1", "x", None, "service")
    missing = Answer("eRX", "2", None, None, "service")
    valid = Answer("eRX", "1", "x", None, "service", valid=True)
    invalid = Answer("eRX", "1", "y", None, "service", valid=False)
    assert [a.exit_code for a in (found, missing, valid, invalid)] == [0, 1, 0, 1]
    assert missing.to_dict()["found"] is False and "valid" not in missing.to_dict()
    nothing_new = Synced("eRX", "1", "1", new=False)
    first = Synced("eRX", None, "2", new=True, terms=3)
    same = Synced("eRX", "1", "2", new=True, terms=3, diff=Diff("eRX", "1", "2"))
    assert [s.exit_code for s in (nothing_new, first, same)] == [0, 1, 0]
    pulled = Pulled("eRX", Version("2", 2, True, 7, "eRX"), 3, None)
    assert pulled.to_dict() == {
        "terminology": "eRX",
        "version": "2",
        "terms": 3,
        "is_last": True,
        "exported": None,
    }
    assert all(isinstance(r, Result) for r in (found, first, pulled, Diff("eRX", "1", "2")))
