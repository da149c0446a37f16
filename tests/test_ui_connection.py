"""`simad ui`'s connection page: the checks of `simad doctor` for the chosen target, run from
the page with the credentials it holds (never shown), in Persian first and English with the
switch; no traceback, no secret on the page or in its report. Driven in-process."""

from __future__ import annotations

import re

import pytest

from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from pipeline.net import auth
from tests.inprocess import in_process
from tests.tlsfixtures import clear_network_settings, free_port, https_sandbox, make_certs


@pytest.fixture(autouse=True)
def _no_network_settings(monkeypatch):
    clear_network_settings(monkeypatch)
    yield
    auth.hear_clock_skew(None)


def states(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-check="([a-z]*-[a-z]+)" data-state="([a-z]+)"', page))


def test_the_page_runs_the_checks_on_the_sandbox():
    with in_process("fa", port=8767) as (browser, token, _state):
        h = {"x-csrf-token": token}
        browser.post("/target", data={"target": "sandbox"}, headers=h)
        page = browser.get("/connection").text
        assert 'href="/connection"' in page and "اتصال به سرورها" in page
        assert "هنوز بررسی نشده است." in page
        answer = browser.post("/connection/check", data={}, headers=h)
        assert answer.status_code == 200
        found = states(answer.text)
        assert found["simad-login"] == "ok" and found["simad-read"] == "ok"
        assert found["maxa-read"] == "ok" and found["-ledger"] == "ok"
        assert found["simad-dns"] == "skip"  # not applicable: the embedded sandbox
        assert "fail" not in found.values() and "warn" not in found.values()
        assert "همه چیز درست است." in answer.text
        for secret in (SANDBOX_PASSWORD, "Traceback", "demo-maxa-pass"):
            assert secret not in answer.text
        # The page shows the last checks again, and in English with the switch.
        browser.post("/lang", data={"lang": "en", "next": "/connection"}, headers=h)
        page = browser.get("/connection").text
        assert "Connection to the servers" in page and "All checks hold." in page
        assert "GetDeclareResidents" in page


def test_without_login_no_token_is_asked():
    with in_process("en", port=8768) as (browser, token, _state):
        h = {"x-csrf-token": token}
        browser.post("/target", data={"target": "sandbox"}, headers=h)
        answer = browser.post("/connection/check", data={"no_login": "on"}, headers=h)
        found = states(answer.text)
        assert found["simad-login"] == "skip" and found["maxa-login"] == "skip"


def test_a_ministry_out_of_reach_is_named_and_the_password_never_shown():
    port = free_port()
    typed = "Typed-In-Page-5150"
    with in_process("en", port=8769) as (browser, token, _state):
        h = {"x-csrf-token": token}
        address = f"http://127.0.0.1:{port}"
        browser.post("/target", data={"target": "remote", "address": address}, headers=h)
        browser.post("/credentials", data={"username": "u", "password": typed}, headers=h)
        answer = browser.post("/connection/check", data={}, headers=h)
        assert answer.status_code == 200
        found = states(answer.text)
        assert found["simad-tcp"] == "fail"
        assert "refused the connection" in answer.text and "Traceback" not in answer.text
        assert "typed in this page" in answer.text  # where the credentials come from
        report = browser.get("/connection/report")
        assert report.status_code == 200 and "[fail]" in report.text
        for page in (answer.text, report.text, browser.get("/connection").text):
            assert typed not in page


def test_a_ministry_login_only_with_what_the_page_holds(monkeypatch, tmp_path):
    """Against a ministry-like HTTPS server (a private CA in SIMAD_CA_BUNDLE): the page never
    uses the settings' SIMAD login: without credentials typed in the page the login line says
    where to type them; with them, the login holds (and the password is never shown)."""
    monkeypatch.setenv("SIMAD_USERNAME", SANDBOX_USERNAME)
    monkeypatch.setenv("SIMAD_PASSWORD", SANDBOX_PASSWORD)
    certs = make_certs(tmp_path / "certs")
    monkeypatch.setenv("SIMAD_CA_BUNDLE", str(certs.ca))
    with (
        https_sandbox(tmp_path / "s.db", certs.good) as url,
        in_process("en", port=8770) as (browser, token, _state),
    ):
        h = {"x-csrf-token": token}
        browser.post("/target", data={"target": "remote", "address": url}, headers=h)
        page = browser.post("/connection/check", data={}, headers=h).text
        found = states(page)
        assert found["simad-tls"] == "ok" and found["simad-login"] == "warn", found
        assert "Type the username and password on the Submit page." in page
        login = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
        browser.post("/credentials", data=login, headers=h)
        page = browser.post("/connection/check", data={}, headers=h).text
        assert states(page)["simad-login"] == "ok"
        assert SANDBOX_PASSWORD not in page and "typed in this page" in page
