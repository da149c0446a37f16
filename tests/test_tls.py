"""HTTPS for real: the sandbox served over TLS on 127.0.0.1 with certificates made here. A
certificate this PC does not trust, one for another name, an expired one, a refused port and a
name DNS cannot know are each named for what they are, with the step to take, by `submit`,
`reconcile` and `maxa` (never "server down" for a certificate); SIMAD_CA_BUNDLE /
--ca-bundle makes the private CA trusted; verification is turned off only by
SIMAD_INSECURE_TLS=1, and never for the ministry's hosts."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.config import (
    MAXA_SANDBOX_CLIENT_ID,
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_PASSWORD,
    MAXA_SANDBOX_PID,
    MAXA_SANDBOX_USERNAME,
    SANDBOX_PASSWORD,
    SANDBOX_USERNAME,
    Credentials,
)
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import MESSAGES, language
from pipeline.net import failures, transport
from pipeline.sheets.fakedata import write_workbook
from pipeline.simad.client import SimadClient

from .test_ui_words import workbook_text
from .tlsfixtures import Certs, clear_network_settings, free_port, https_sandbox, make_certs

runner = CliRunner()


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(autouse=True)
def _no_network_settings(monkeypatch):
    clear_network_settings(monkeypatch)


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_workbook(tmp_path / "residents.xlsx", "residents", 3, seed=5, mistakes=False)


def cli(args: list[str], **env: str | None):
    """The command line in-process, in English, with the sandbox's accounts; the settings the
    global options write (SIMAD_PROXY, SIMAD_CA_BUNDLE) are put back afterwards."""
    settings: dict[str, str | None] = {
        "SIMAD_LANG": "en",
        "SIMAD_USERNAME": SANDBOX_USERNAME,
        "SIMAD_PASSWORD": SANDBOX_PASSWORD,
        "MAXA_CLIENT_ID": MAXA_SANDBOX_CLIENT_ID,
        "MAXA_CLIENT_SECRET": MAXA_SANDBOX_CLIENT_SECRET,
        "MAXA_USERNAME": MAXA_SANDBOX_USERNAME,
        "MAXA_PASSWORD": MAXA_SANDBOX_PASSWORD,
        "MAXA_PID": MAXA_SANDBOX_PID,
        "SIMAD_CA_BUNDLE": None,
        "SIMAD_PROXY": None,
        **env,
    }
    return runner.invoke(app, args, env=settings)


def said(result) -> str:
    return " ".join(result.output.split())


def words(key: str, lang: str = "en") -> str:
    """The longest stretch of a message's own words, between its placeholders."""
    return max(re.split(r"\{[^}]*\}", MESSAGES[key][lang]), key=len).strip()


def assert_named(result, kind: str, *parts: str, lang: str = "en") -> None:
    """Exit 3, the failure's own words and its fix, never the generic "server down"."""
    text = said(result)
    assert result.exit_code == 3, text
    assert words(f"conn_{kind}", lang) in text, text
    assert words(f"conn_fix_{kind}", lang) in text, text
    for part in parts:
        assert part in text, (part, text)
    assert words("first_contact_failed", lang) not in text
    assert "ConnectError" not in text and "Traceback" not in text


def test_untrusted_certificate_is_named_by_submit_reconcile_and_maxa(certs, tmp_path, workbook):
    with https_sandbox(tmp_path / "server.db", certs.good) as url:
        submitted = cli(["submit", str(workbook), "--target", url])
        assert_named(submitted, "untrusted", "not trusted", "Rehearsal University")
        assert "SIMAD_CA_BUNDLE" in said(submitted) and "not_sent: 3" in said(submitted)
        report = workbook_text((tmp_path / "residents-submission.xlsx").read_bytes())
        assert words("conn_untrusted") in " ".join(report.split())  # the report says so too
        reconciled = cli(["reconcile", "--year", "1402", str(workbook), "--target", url])
        assert_named(reconciled, "untrusted", "not trusted", "valid until")
        maxa = cli(["maxa", "terminologies", "--target", url])
        assert_named(maxa, "untrusted", "not trusted", "Rehearsal University")
        # Another CA's bundle does not make it trusted ...
        other = cli(["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=str(certs.other_ca))
        assert_named(other, "untrusted", "not trusted")
        # ... the issuing CA's does: by the variable or by the option.
        trusted = cli(["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=str(certs.ca))
        assert trusted.exit_code == 0, said(trusted)
        assert "sent: 3" in said(trusted)
        option = ["--ca-bundle", str(certs.ca)]
        listed = cli([*option, "reconcile", "--year", "1402", str(workbook), "--target", url])
        assert listed.exit_code in (0, 1), said(listed)
        assert "not trusted" not in said(listed)
        terms = cli(["--ca-bundle", str(certs.ca), "maxa", "terminologies", "--target", url])
        assert terms.exit_code == 0, said(terms)


def test_wrong_name_and_expired_certificates_are_named(certs, tmp_path, workbook):
    with https_sandbox(tmp_path / "a.db", certs.other_name) as url:
        wrong = cli(["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=str(certs.ca))
        assert_named(wrong, "wrong_name", "another name", "simad.other.example")
    with https_sandbox(tmp_path / "b.db", certs.expired) as url:
        expired = cli(["submit", str(workbook), "--target", url], SIMAD_CA_BUNDLE=str(certs.ca))
        assert_named(expired, "expired", "expired on")
        maxa = cli(["maxa", "terminologies", "--target", url], SIMAD_CA_BUNDLE=str(certs.ca))
        assert_named(maxa, "expired", "expired on")


def test_refused_port_and_unknown_name_are_named(workbook):
    refused = cli(["submit", str(workbook), "--target", f"https://127.0.0.1:{free_port()}"])
    assert_named(refused, "refused", "refused the connection")
    unknown = cli(["submit", str(workbook), "--target", "https://simad-rehearsal.invalid"])
    assert_named(unknown, "dns", "was not found (DNS)", "simad-rehearsal.invalid")


def test_the_failure_in_persian_by_default(certs, tmp_path, workbook):
    with https_sandbox(tmp_path / "server.db", certs.good) as url:
        done = cli(["submit", str(workbook), "--target", url], SIMAD_LANG=None)
    assert_named(done, "untrusted", "SIMAD_CA_BUNDLE", lang="fa")


def test_diagnose_reads_the_certificate(certs, tmp_path):
    with https_sandbox(tmp_path / "server.db", certs.good) as url:
        with pytest.raises(httpx.ConnectError) as caught:
            httpx.get(url, **transport.client_options(url))
        with language("en"):
            failure = failures.diagnose(caught.value, url)
    assert failure.kind == "untrusted" and failure.fatal
    assert failure.details["issuer"].endswith("O=Rehearsal University")
    assert failure.details["expires"].startswith("3000-")
    assert "127.0.0.1" in failure.details["names"]


def test_a_bundle_that_cannot_be_used_is_a_usage_error_naming_it(tmp_path, workbook):
    missing = tmp_path / "nowhere.pem"
    done = cli(
        ["--ca-bundle", str(missing), "submit", str(workbook), "--target", "https://x.invalid"]
    )
    assert done.exit_code == 2 and "nowhere.pem" in said(done), said(done)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    done = cli(
        ["submit", str(workbook), "--target", "https://x.invalid"], SIMAD_CA_BUNDLE=str(junk)
    )
    assert done.exit_code == 2 and "junk.pem" in said(done), said(done)
    with pytest.raises(ConfigError):
        transport.ssl_context(str(junk))


def test_verification_is_off_only_by_the_rehearsal_setting_and_never_for_the_ministry(
    certs, tmp_path, workbook, monkeypatch
):
    monkeypatch.setattr(transport, "_warned", set())
    context = transport.connection("https://127.0.0.1:9").verify
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    monkeypatch.setenv("SIMAD_INSECURE_TLS", "1")
    # Refused before anything is sent (the client is never made): no network is touched.
    for host in ("simad.behdash.gov.ir", "apigateway.behdasht.gov.ir", "SIMAD.Behdash.gov.ir."):
        with pytest.raises(ConfigError) as refused:
            transport.connection(f"https://{host}")
        assert "SIMAD_INSECURE_TLS" in str(refused.value)
        with pytest.raises(ConfigError):
            SimadClient(f"https://{host}", Credentials("u", "p"))
    for value in ("true", "yes", "0"):  # only "1" turns it off
        monkeypatch.setenv("SIMAD_INSECURE_TLS", value)
        chosen = transport.connection("https://127.0.0.1:9").verify
        assert isinstance(chosen, ssl.SSLContext) and chosen.verify_mode == ssl.CERT_REQUIRED
    monkeypatch.setenv("SIMAD_INSECURE_TLS", "1")
    with https_sandbox(tmp_path / "server.db", certs.good) as url:
        done = cli(["submit", str(workbook), "--target", url])
    assert done.exit_code == 0, said(done)
    assert "SIMAD_INSECURE_TLS=1" in said(done)  # said on the screen


def test_a_verifier_that_says_little_is_read_from_the_certificate():
    """Windows' and macOS' verifiers give no OpenSSL code: the certificate itself tells."""
    vague = ssl.SSLCertVerificationError("certificate verify failed")
    past = {"expires": "2001-01-01 00:00 UTC", "names": "127.0.0.1"}
    later = {"expires": "2999-01-01 00:00 UTC", "names": "simad.other.example, *.example"}
    assert failures._cert_kind(vague, "127.0.0.1", past) == "expired"
    assert failures._cert_kind(vague, "127.0.0.1", later) == "wrong_name"
    assert failures._cert_kind(vague, "a.example", later) == "untrusted"
    assert failures._cert_kind(vague, "a.b.example", later) == "wrong_name"
    refused = httpx.ProxyError("403 Forbidden")
    with language("en"):
        named = failures.diagnose(refused, "https://simad.example.org")
    assert named.kind == "proxy_refused" and "403 Forbidden" in named.message
    assert not named.fatal  # a proxy may let it through a moment later
