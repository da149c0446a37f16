"""`simad doctor`: every check named, with its fix, in the user's language; exit 0 all hold,
1 something needs attention, 3 a server cannot be reached; read-only but for the login;
nothing secret on the screen, in --json or in the --report file."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands import doctor, targets
from pipeline.core.config import (
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_PASSWORD,
    SANDBOX_PASSWORD,
)
from pipeline.core.context import Context
from pipeline.core.i18n import MESSAGES
from pipeline.net import auth, transport
from pipeline.sandbox import SandboxSettings, create_app

from .tlsfixtures import Certs, free_port, https_sandbox, make_certs

runner = CliRunner()
MARK = re.compile(r"^([✓✗!–]) ", re.MULTILINE)
NETWORK_SETTINGS = (
    "SIMAD_CA_BUNDLE",
    "SIMAD_PROXY",
    "SIMAD_INSECURE_TLS",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "MAXA_TARGET",
)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    """No proxy, bundle or MAXA credentials from the machine running the tests; the clock
    listener the command line sets is removed afterwards."""
    for name in (*NETWORK_SETTINGS, "MAXA_CLIENT_ID", "MAXA_CLIENT_SECRET", "MAXA_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    for name in ("MAXA_PASSWORD", "MAXA_PID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(transport, "_given", {})
    yield
    auth.hear_clock_skew(None)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def run(*args: str, **env: str):
    return runner.invoke(app, ["doctor", "--lang", "en", *args], env=env or None)


def marks(output: str) -> list[str]:
    return MARK.findall(output)


def words(key: str) -> str:
    """The longest stretch of a message's own words, between its placeholders."""
    return max(re.split(r"\{[^}]*\}", MESSAGES[key]["en"]), key=len).strip()


class Counting(httpx.ASGITransport):
    """The sandbox in-process, noting the paths it is asked for."""

    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path.lower())
        return await super().handle_async_request(request)


def test_embedded_sandbox_all_hold():
    result = run()
    assert result.exit_code == 0, result.output
    found = marks(result.output)
    assert "✗" not in found and "!" not in found and found.count("✓") >= 10
    assert words("doctor_not_applicable") in result.output  # DNS, TCP, TLS: no network
    assert words("doctor_login_ok") in result.output  # authenticate, then revoke
    assert "GetDeclareResidents" in result.output and "CtsTerminologies" in result.output
    assert words("doctor_all_hold") in result.output


def test_persian_by_default():
    result = runner.invoke(app, ["doctor", "--no-login"])
    assert result.exit_code == 0, result.output
    assert "سندباکس" in result.output and "دفتر ثبت" in result.output


def test_refused_port_is_named_exit_3():
    port = free_port()
    result = run("--target", f"http://127.0.0.1:{port}", "--no-login")
    assert result.exit_code == 3, result.output
    assert "✗" in marks(result.output)
    assert words("conn_refused") in result.output and words("conn_fix_refused") in result.output
    assert "Traceback" not in result.output


def test_wrong_password_fails_the_login_and_is_never_shown():
    secret = "Wrong-Secret-4711"
    result = run(SIMAD_USERNAME="demo-university", SIMAD_PASSWORD=secret)
    assert result.exit_code == 1, result.output
    login = [line for line in result.output.splitlines() if "SIMAD · login" in line]
    assert login and login[0].startswith("✗")
    assert words("doctor_fix_login") in result.output
    assert secret not in result.output
    assert words("doctor_source_environment") in result.output


def test_json_shape():
    result = run("--json", "--no-login")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"target", "maxa_target", "code", "checks"}
    assert data["target"] == "sandbox" and data["code"] == 0
    names = [c["name"] for c in data["checks"]]
    for name in ("settings", "credentials", "http", "clock", "login", "ledger", "disk", "version"):
        assert name in names
    for check in data["checks"]:
        assert set(check) == {"name", "state", "detail", "fix", "service", "label"}
        assert check["state"] in {"ok", "warn", "fail", "skip"}
    login = [c for c in data["checks"] if c["name"] == "login"]
    assert {c["state"] for c in login} == {"skip"}


def test_no_login_makes_no_token_call(tmp_path):
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db"))
    simad, maxa = Counting(sandbox), Counting(sandbox)
    options = doctor.Options(login=False, transport=simad, maxa_transport=maxa)
    found = doctor.run(options, Context(lang="en"))
    assert found.code == 0
    assert simad.paths and maxa.paths  # the sandbox was asked (its HTTP answer)
    assert not [p for p in simad.paths + maxa.paths if "token" in p]
    # and with the login: authenticate, then revoke; DITAS's token
    simad, maxa = Counting(sandbox), Counting(sandbox)
    doctor.run(doctor.Options(transport=simad, maxa_transport=maxa), Context(lang="en"))
    assert [p for p in simad.paths if "token" in p] == [
        "/api/token/authenticate",
        "/api/token/revoke",
    ]
    assert [p for p in maxa.paths if "token" in p] == ["/oauth/token"]


def test_report_holds_no_secret(tmp_path, monkeypatch):
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db"))
    found = doctor.run(
        doctor.Options(transport=httpx.ASGITransport(app=sandbox)), Context(lang="en")
    )
    tokens = [s for s in found.secrets if s and len(s) > 20]
    assert tokens  # the tokens of the login were seen, and are what must stay out
    for name in ("report.txt", "report.json"):
        doctor.write_report(found, tmp_path / name)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "simad-sync" in text and "GetDeclareResidents" in text
        for secret in (*tokens, SANDBOX_PASSWORD, MAXA_SANDBOX_PASSWORD):
            assert secret not in text
        assert MAXA_SANDBOX_CLIENT_SECRET not in text
    json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))


def test_report_from_the_command_line_hides_the_proxy_login(tmp_path):
    port, proxy_port = free_port(), free_port()
    report = tmp_path / "diag.txt"
    result = run(
        "--target",
        f"http://127.0.0.1:{port}",
        "--no-login",
        "--report",
        str(report),
        SIMAD_PROXY=f"http://office:Proxy-Pass-99@127.0.0.1:{proxy_port}",
    )
    assert result.exit_code == 3, result.output
    text = report.read_text(encoding="utf-8")
    assert "Proxy-Pass-99" not in text and "Proxy-Pass-99" not in result.output
    assert f"127.0.0.1:{proxy_port}" in text  # the proxy is named, without its login


def test_clock_hours_off_is_a_warning_with_its_size(tmp_path, monkeypatch):
    def shifted() -> httpx.ASGITransport:
        settings = SandboxSettings(db_path=tmp_path / "s.db", clock_offset=3 * 3600 + 120)
        return httpx.ASGITransport(app=create_app(settings))

    monkeypatch.setattr(targets, "sandbox_transport", shifted)
    result = run()
    assert result.exit_code == 1, result.output
    clock = [line for line in result.output.splitlines() if "SIMAD · clock" in line]
    assert clock and clock[0].startswith("!")
    assert "3 hours 2 minutes behind the server" in clock[0]
    assert "Warning:" not in result.output  # the clock line says it; no second warning


def test_untrusted_certificate_is_named(certs, tmp_path):
    with https_sandbox(tmp_path / "s.db", certs.good) as url:
        result = run("--target", url, "--no-login")
    assert result.exit_code == 3, result.output
    tls = [line for line in result.output.splitlines() if "certificate (TLS)" in line]
    assert tls and tls[0].startswith("✗"), result.output
    assert words("conn_fix_untrusted") in result.output
    assert "Rehearsal University" in result.output  # who issued it


def test_bundle_trusts_it_and_no_credentials_are_asked(certs, tmp_path):
    """With the private CA in SIMAD_CA_BUNDLE the certificate holds (issuer, expiry, which
    store); with no credentials and no terminal, the login is skipped, with how to give them."""
    with https_sandbox(tmp_path / "s.db", certs.good) as url:
        result = run("--target", url, SIMAD_CA_BUNDLE=str(certs.ca))
    assert result.exit_code == 1, result.output
    tls = [line for line in result.output.splitlines() if "certificate (TLS)" in line]
    assert tls and tls[0].startswith("✓"), result.output
    assert "SIMAD_CA_BUNDLE" in tls[0] and "Rehearsal University" in tls[0]
    login = [line for line in result.output.splitlines() if "SIMAD · login" in line]
    assert login and login[0].startswith("!")
    assert "SIMAD_USERNAME" in result.output  # how to give them


class Surprising(httpx.AsyncBaseTransport):
    """The sandbox, but GetDeclareResidents answers a record with fields the tool does not
    know (a newer server)."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("GetDeclareResidents"):
            record = {"StudentNumber": "1", "YearId": 1405, "ScholarTier": 2, "NewFlag": True}
            return httpx.Response(200, json=[record], headers={"date": "x"})
        return await self.inner.handle_async_request(request)


def test_fields_the_tool_does_not_expect_are_listed(tmp_path):
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db"))
    found = doctor.run(doctor.Options(transport=Surprising(sandbox)), Context(lang="en"))
    read = [c for c in found.checks if c.service == "simad" and c.name == "read"]
    assert read and read[0].state == "warn"
    assert "NewFlag" in read[0].detail and "ScholarTier" in read[0].detail
    assert "StudentNumber" not in read[0].detail
    assert found.code == 1
