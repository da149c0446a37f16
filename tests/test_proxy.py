"""Proxies: which one is used (--proxy / SIMAD_PROXY, else HTTPS_PROXY / ALL_PROXY with
NO_PROXY, else the system's settings, else none; never one of the environment for a loopback
target), a proxy that wants a login (407: named, then working with user:password in its
address, which appears nowhere), and a proxy that answers its own page (named as the proxy's,
not the API's). Proxies and servers are real, on 127.0.0.1; so is the web app's page, in-process.

An explicit proxy (--proxy, SIMAD_PROXY) is used for every target, a loopback one included
(only NO_PROXY exempts a host from it): that is how these tests send 127.0.0.1 through it."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.net import transport
from pipeline.sheets.fakedata import write_workbook

from .test_tls import assert_named, cli, said, words
from .tlsfixtures import (
    Certs,
    Proxy,
    clear_network_settings,
    free_port,
    https_sandbox,
    make_certs,
    running,
)

PASSWORD = "Pr0xy-S3cret-Word"


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_workbook(tmp_path / "residents.xlsx", "residents", 3, seed=5, mistakes=False)


@pytest.fixture(autouse=True)
def _no_network_settings(monkeypatch):
    clear_network_settings(monkeypatch)
    monkeypatch.setattr(urllib.request, "getproxies", dict)  # no system proxy unless a test says


def test_which_proxy_is_used_and_where_it_came_from(monkeypatch):
    remote, local = "https://simad.example.org", "https://127.0.0.1:8443"
    assert transport.choose_proxy(remote) == (None, "none")
    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"https": "http://sys.proxy:3128"})
    monkeypatch.setattr(urllib.request, "proxy_bypass", lambda host: host == "intra.example")
    assert transport.choose_proxy(remote) == ("http://sys.proxy:3128", "system")
    assert transport.choose_proxy("https://intra.example") == (None, "no_proxy")
    monkeypatch.setenv("ALL_PROXY", "all.proxy:8080")  # a bare host:port is http://
    assert transport.choose_proxy(remote) == ("http://all.proxy:8080", "ALL_PROXY")
    monkeypatch.setenv("https_proxy", "http://env.proxy:8080")
    assert transport.choose_proxy(remote) == ("http://env.proxy:8080", "HTTPS_PROXY")
    monkeypatch.setenv("NO_PROXY", "localhost, .example.org:443,10.0.0.0/8")
    assert transport.choose_proxy(remote) == (None, "no_proxy")
    assert transport.choose_proxy("https://10.1.2.3") == (None, "no_proxy")
    assert transport.choose_proxy("https://example.org.evil.test")[1] == "HTTPS_PROXY"
    # Loopback: never the environment's, and doctor says so.
    assert transport.choose_proxy(local) == (None, "loopback")
    monkeypatch.setenv("SIMAD_PROXY", "http://office:pw@simad.proxy:8080")
    assert transport.choose_proxy(local) == ("http://office:pw@simad.proxy:8080", "SIMAD_PROXY")
    assert transport.choose_proxy(remote) == (None, "no_proxy")  # NO_PROXY still lists it
    transport.choose(proxy="http://cli.proxy:9")
    chosen = transport.connection("https://other.example.net")
    assert (chosen.proxy, chosen.proxy_source) == ("http://cli.proxy:9", "option")
    with_login = transport.connection(local)
    assert with_login.proxy_shown == "http://cli.proxy:9"
    monkeypatch.setenv("SIMAD_PROXY", "http://office:pw@simad.proxy:8080")
    shown = transport.connection(local)
    assert shown.proxy_source == "SIMAD_PROXY" and shown.proxy_shown == "http://simad.proxy:8080"
    options = transport.client_options(local)
    assert options["trust_env"] is False and options["proxy"].endswith("@simad.proxy:8080")


@pytest.mark.parametrize("bad", ["ftp://proxy:21", "http://", "http://proxy:notaport"])
def test_a_proxy_setting_that_cannot_be_used_is_a_usage_error(bad, monkeypatch, workbook):
    monkeypatch.setenv("HTTPS_PROXY", bad)
    with pytest.raises(ConfigError):
        transport.connection("https://simad.example.org")
    done = cli(["submit", str(workbook), "--target", "https://simad.example.org"])
    assert done.exit_code == 2 and "HTTPS_PROXY" in said(done), said(done)


def secret_anywhere(folder: Path, secret: str) -> list[Path]:
    """The files under ``folder`` (logs, ledger, reports) that hold ``secret``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and secret.encode() in path.read_bytes():
            found.append(path)
    return found


def test_a_proxy_that_wants_a_login(certs, tmp_path, workbook):
    bundle = str(certs.ca)
    proxy = Proxy(user="office", password=PASSWORD)
    with https_sandbox(tmp_path / "server.db", certs.good) as url, running(proxy):
        bare = ["--proxy", proxy.url]
        refused = cli([*bare, "submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=bundle)
        assert_named(refused, "proxy_auth", "407", proxy.url, "--proxy")
        reconciled = cli(
            [*bare, "reconcile", "--year", "1402", str(workbook), "--target", url],
            SIMAD_CA_BUNDLE=bundle,
        )
        assert_named(reconciled, "proxy_auth", "407")
        maxa = cli([*bare, "maxa", "terminologies", "--target", url], SIMAD_CA_BUNDLE=bundle)
        assert_named(maxa, "proxy_auth", "407")
        assert proxy.tunnels == 0
        # A wrong password is named as refused (not as missing), and is not shown either.
        wrong = f"http://office:not-{PASSWORD}@127.0.0.1:{proxy.port}"
        denied = cli(["--proxy", wrong, "submit", str(workbook), "--target", url])
        assert_named(denied, "proxy_login_refused", "407")
        assert "not-" + PASSWORD not in said(denied) and "office" not in said(denied)
        # With the login in the proxy's address (SIMAD_PROXY, or --proxy), it goes through.
        login = f"http://office:{PASSWORD}@127.0.0.1:{proxy.port}"
        sent = cli(
            ["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=bundle, SIMAD_PROXY=login
        )
        assert sent.exit_code == 0, said(sent)
        assert "sent: 3" in said(sent) and proxy.tunnels > 0
        listed = cli(
            ["--proxy", login, "reconcile", "--year", "1402", str(workbook), "--target", url],
            SIMAD_CA_BUNDLE=bundle,
        )
        # (a 407 named, not the digits inside a port such as 58407)
        assert listed.exit_code in (0, 1) and not re.search(r"\b407\b", said(listed))
        terms = cli(
            ["--proxy", login, "maxa", "terminologies", "--target", url], SIMAD_CA_BUNDLE=bundle
        )
        assert terms.exit_code == 0, said(terms)
    assert proxy.seen_auth  # the login was sent to the proxy ...
    for result in (refused, reconciled, maxa, denied, sent, listed, terms):
        assert PASSWORD not in result.output  # ... and is shown nowhere
        assert "office:" not in result.output
    assert list((tmp_path / "home" / "logs").rglob("*.*"))  # the log was written ...
    assert secret_anywhere(tmp_path, PASSWORD) == []  # ... and nothing holds it (ledger, reports)


def test_a_proxy_that_answers_its_own_page(certs, tmp_path, workbook):
    proxy = Proxy(mode="page")
    with https_sandbox(tmp_path / "server.db", certs.good) as url, running(proxy):
        env = {"SIMAD_CA_BUNDLE": str(certs.ca), "SIMAD_PROXY": proxy.url}
        submitted = cli(["submit", str(workbook), "--target", url], **env)
        assert_named(submitted, "proxy_page", "not the API", proxy.url, "SIMAD_PROXY")
        reconciled = cli(["reconcile", "--year", "1402", str(workbook), "--target", url], **env)
        assert_named(reconciled, "proxy_page", "not the API")
        maxa = cli(["maxa", "terminologies", "--target", url], **env)
        assert_named(maxa, "proxy_page", "not the API")
        # Plain http (a loopback stand-in): the page itself comes back, a 200 text/html.
        plain = f"http://127.0.0.1:{free_port()}"
        for args in (
            ["submit", str(workbook), "--target", plain],
            ["maxa", "terminologies", "--target", plain],
        ):
            done = cli(args, SIMAD_PROXY=proxy.url)
            assert_named(done, "proxy_page", "not the API")
            assert "Incorrect" not in said(done)  # not read as the server refusing a login


def test_an_environment_proxy_is_not_used_for_a_loopback_target(
    certs, tmp_path, workbook, monkeypatch
):
    proxy = Proxy(mode="page")
    with https_sandbox(tmp_path / "server.db", certs.good) as url, running(proxy):
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        done = cli(["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=str(certs.ca))
        checked = cli(["doctor", "--target", url, "--no-login"], SIMAD_CA_BUNDLE=str(certs.ca))
    assert done.exit_code == 0 and "sent: 3" in said(done), said(done)
    assert words("doctor_proxy_loopback", "en") in said(checked), said(checked)


def test_the_web_page_names_the_certificate(certs, tmp_path):
    from tests.inprocess import in_process
    from tests.test_ui import SAMPLE
    from tests.test_ui_job import send

    with (
        https_sandbox(tmp_path / "server.db", certs.good) as url,
        in_process("en", port=8771) as (client, token, state),
    ):
        h = {"x-csrf-token": token}
        files = {"files": ("sample.xlsx", SAMPLE.read_bytes())}
        client.post("/upload", files=files, headers=h)
        client.post("/target", data={"target": "remote", "address": url}, headers=h)
        login = {"username": "demo-university", "password": "demo-pass-1403"}
        client.post("/credentials", data=login, headers=h)
        send(client, h, state)
        pages = client.get("/submit").text + client.get("/runs").text
    flat = " ".join(pages.split())
    assert "is not trusted on this PC" in flat, flat[:3000]
    assert "SIMAD_CA_BUNDLE" in flat
    assert "may be down" not in flat
