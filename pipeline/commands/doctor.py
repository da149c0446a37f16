"""`simad doctor`: what stands between this PC and the servers, one check a line, each with
the step to take. Read-only but for the login check (authenticate, then revoke at once),
which ``login=False`` skips.

The checks, in order: the settings found (target, SIMAD_HOME, where the credentials come
from, never their values); then for SIMAD, and for DITAS/MAXA: the name (DNS), the port
(TCP), the certificate (TLS: who issued it, until when, which store trusts it), the proxy,
an HTTP answer, the server's clock against this PC's (its ``Date``), the login, and one
harmless read whose shape is compared with what the tool understands (SIMAD's
GetDeclareResidents for a student number that cannot exist; DITAS's terminologies); last
the ledger, the free disk space under SIMAD_HOME, the version and Python. The embedded
sandbox has no network: its name, port, certificate and proxy are "not applicable".

The CLI prints the checks, the web app's connection page shows them; ``Doctor.code`` is the
exit code: 0 all hold, 1 something needs attention, 3 a server cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import sqlite3
import ssl
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jdatetime

from pipeline import __version__
from pipeline.commands import targets
from pipeline.core import config, keys
from pipeline.core.config import SANDBOX, Credentials, MaxaCredentials
from pipeline.core.context import Context
from pipeline.core.errors import AuthError, ConfigError, SimadError
from pipeline.core.files import write_atomically
from pipeline.core.i18n import listing, number, t
from pipeline.core.private import restrict
from pipeline.core.redact import scrub
from pipeline.net import failures, transport
from pipeline.net.auth import SKEW_REPORTED, hear_clock_skew, server_date, skew_text
from pipeline.net.retry import RetryPolicy
from pipeline.simad.results import parse_record

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
IMPOSSIBLE_STUDENT = "00000000"  # no resident has it: the read returns nobody's data
LOW_DISK = 500 * 2**20  # bytes free under SIMAD_HOME below which a run may fail
CERT_SOON = 30  # days before a certificate's expiry worth a warning
NETWORK_TIMEOUT = 10.0
SINCE = date(2000, 1, 1)  # every terminology of DITAS changed after it


@dataclass(frozen=True)
class Check:
    """One line: what was checked (``name``), for which service ("simad", "maxa", or "" for
    this PC), how it went (ok, warn, fail, skip), what was found, and the step to take."""

    name: str
    state: str
    detail: str
    fix: str = ""
    service: str = ""

    @property
    def label(self) -> str:
        what = t(f"doctor_{self.name}")
        return f"{t(f'doctor_service_{self.service}')} · {what}" if self.service else what


@dataclass
class Doctor:
    """What the checks found, and whether a server could not be reached."""

    target: str
    maxa_target: str
    checks: list[Check] = field(default_factory=list)
    unreachable: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)
    refused: str | None = None  # why SIMAD refused the login, when it did

    @property
    def code(self) -> int:
        if self.unreachable:
            return 3
        return 1 if any(c.state in (WARN, FAIL) for c in self.checks) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "maxa_target": self.maxa_target,
            "code": self.code,
            "checks": [asdict(c) | {"label": c.label} for c in self.checks],
        }


@dataclass(frozen=True)
class Options:
    """What to check. ``credentials`` / ``maxa_credentials``: those held already (the web
    page's); otherwise the settings', asked for only when ``interactive``. ``transport`` /
    ``maxa_transport``: how the embedded sandbox is reached instead of the usual way."""

    target: str | None = None
    maxa_target: str | None = None
    login: bool = True
    interactive: bool = False
    credentials: Credentials | None = None
    maxa_credentials: MaxaCredentials | None = None
    transport: httpx.AsyncBaseTransport | None = None
    maxa_transport: httpx.AsyncBaseTransport | None = None
    settings_login: bool = True  # False: SIMAD's login only with ``credentials`` (a page's)


class Lines:
    """The checks of one service, as they are found."""

    def __init__(self, doctor: Doctor, service: str) -> None:
        self.doctor, self.service = doctor, service

    def add(self, name: str, state: str, detail: str, fix: str = "") -> None:
        self.doctor.checks.append(Check(name, state, detail, fix, self.service))

    def failed(self, name: str, failure: failures.Failure) -> None:
        self.add(name, FAIL, failure.message, failure.fix)


def run(options: Options = Options(), ctx: Context = Context()) -> Doctor:
    """Every check, in order (blocking: the web app calls it in a worker thread)."""
    with ctx.applied():
        target = config.resolve_target(options.target)
        maxa_target = config.resolve_target(options.maxa_target, env_var="MAXA_TARGET")
        doctor = Doctor(target, maxa_target)
        _settings(doctor, options)
        asyncio.run(_services(doctor, options))
        _local(doctor)
        return doctor


async def _services(doctor: Doctor, options: Options) -> None:
    for service, target in (("simad", doctor.target), ("maxa", doctor.maxa_target)):
        lines = Lines(doctor, service)
        if target == SANDBOX:
            reached = await _sandbox_network(lines, options, service)
        else:
            reached = await _network(lines, target)
        doctor.unreachable |= not reached
        if not reached:
            lines.add("login", SKIP, t("doctor_not_reached"))
        elif service == "simad":
            await _simad_login(lines, options)
        else:
            await _maxa_login(lines, options)


# -- settings -------------------------------------------------------------------------------


def _settings(doctor: Doctor, options: Options) -> None:
    lines = Lines(doctor, "")
    try:
        home: str = str(config.simad_home())
    except SimadError as exc:
        home = "?"
        lines.add("settings", FAIL, scrub(exc), t("doctor_fix_home"))
    else:
        where = t("doctor_settings_detail", target=_shown(doctor.target), home=home)
        maxa = _shown(doctor.maxa_target)
        lines.add("settings", OK, f"{where} · {t('doctor_maxa_target', target=maxa)}")
    names = ("SIMAD_USERNAME", "SIMAD_PASSWORD")
    asked = options.interactive and options.login
    simad = _source(names, ("simad", doctor.target), options.credentials, asked)
    maxa_service = ("maxa", doctor.maxa_target)
    maxa = _source(config.MAXA_VARIABLES, maxa_service, options.maxa_credentials, asked)
    text = t("doctor_credentials_detail", simad=simad, maxa=maxa)
    lines.add("credentials", OK, text)


def _shown(target: str) -> str:
    return t("target_sandbox_short") if target == SANDBOX else target


def _source(
    names: tuple[str, ...], service: tuple[str, str], held: object | None, asked: bool
) -> str:
    """Where the credentials of ``service`` (its name and target) come from, in words (never
    their values): as ``config.simad_credentials`` looks for them."""
    if held is not None:
        return t("doctor_source_page")
    if any(name in os.environ for name in names):
        return t("doctor_source_environment")
    if any(config.setting(name) for name in names):
        return t("doctor_source_dotenv")
    if keys.load(*service):
        return t("doctor_source_keyring")
    if service[1] == SANDBOX:
        return t("doctor_source_sandbox")
    return t("doctor_source_prompt" if asked else "doctor_source_none")


# -- the network ------------------------------------------------------------------------------


async def _sandbox_network(lines: Lines, options: Options, service: str) -> bool:
    """The embedded sandbox: no name, port, certificate or proxy; its answer and its clock."""
    for name in ("dns", "tcp", "tls", "proxy"):
        lines.add(name, SKIP, t("doctor_not_applicable"))
    given = options.transport if service == "simad" else options.maxa_transport
    way = given or targets.sandbox_transport()
    async with httpx.AsyncClient(transport=way, base_url=targets.SANDBOX_BASE_URL) as http:
        response = await http.get("/")
    _answered(lines, response, 0.0)
    return True


async def _network(lines: Lines, base: str) -> bool:
    """Name, port, certificate, proxy and an HTTP answer of ``base``: whether it answered."""
    try:
        chosen = transport.connection(base)
    except SimadError as exc:
        lines.add("proxy", FAIL, scrub(exc), t("doctor_fix_settings"))
        return False
    parts = urlsplit(base)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not await _dns(lines, base, host, port, chosen.proxy):
        return False
    if not await _tcp(lines, base, host, port, chosen.proxy):
        return False
    if parts.scheme == "https" and not await _tls(lines, base, host, port, chosen):
        return False
    if parts.scheme != "https":
        lines.add("tls", SKIP, t("doctor_tls_plain"))
    _proxy_line(lines, chosen)
    return await _http(lines, base)


async def _dns(lines: Lines, base: str, host: str, port: int, proxy: str | None) -> bool:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        if proxy:  # the proxy looks the name up, not this PC
            lines.add("dns", SKIP, t("doctor_dns_by_proxy", host=host))
            return True
        lines.failed("dns", failures.diagnose(exc, base))
        return False
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))[:3]
    lines.add("dns", OK, t("doctor_dns_ok", host=host, addresses=listing(addresses)))
    return True


async def _tcp(lines: Lines, base: str, host: str, port: int, proxy: str | None) -> bool:
    if proxy:
        parts = urlsplit(proxy)
        host, port = parts.hostname or "", parts.port or 80
    started = time.monotonic()
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), NETWORK_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        lines.failed("tcp", failures.diagnose(exc, base))
        return False
    writer.close()
    ms = round((time.monotonic() - started) * 1000)
    key = "doctor_tcp_proxy" if proxy else "doctor_tcp_ok"
    lines.add("tcp", OK, t(key, host=host, port=port, ms=ms))
    return True


async def _tls(lines: Lines, base: str, host: str, port: int, chosen: transport.Connection) -> bool:
    """The certificate: verified with the context every client uses (through the proxy, by
    the HTTP check); who issued it and until when."""
    if chosen.insecure:
        lines.add("tls", WARN, t("doctor_tls_insecure"), t("doctor_fix_insecure"))
        return True
    if chosen.proxy:
        der = await asyncio.to_thread(failures.peer_certificate, base, chosen.proxy)
        about = failures.describe_certificate(der) if der else {}
        lines.add("tls", OK, _cert_words(about, t("doctor_tls_by_proxy")))
        return True
    try:
        der = await _handshake(host, port, chosen.verify)
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        lines.failed("tls", failures.diagnose(exc, base))
        return False
    trusted = t("doctor_trust_" + chosen.trust.replace("+", "_"))
    if chosen.ca_bundle:
        try:
            await _handshake(host, port, transport.ssl_context(None))
            trusted = t("doctor_trust_system")
        except (OSError, TimeoutError, ssl.SSLError):
            trusted = t("doctor_trust_bundle_only", bundle=chosen.ca_bundle)
    about = failures.describe_certificate(der) if der else {}
    state, fix = OK, ""
    days = _days_left(about.get("expires"))
    if days is not None and days < CERT_SOON:
        state, fix = WARN, t("doctor_fix_cert_soon")
    lines.add("tls", state, _cert_words(about, trusted), fix)
    return True


async def _handshake(host: str, port: int, context: ssl.SSLContext | bool) -> bytes | None:
    verify = context if isinstance(context, ssl.SSLContext) else transport.ssl_context(None)
    _reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=verify, server_hostname=host), NETWORK_TIMEOUT
    )
    try:
        tls = writer.get_extra_info("ssl_object")
        return tls.getpeercert(binary_form=True) if tls is not None else None
    finally:
        writer.close()


def _cert_words(about: dict[str, str], trusted: str) -> str:
    if not about:
        return trusted
    days = _days_left(about.get("expires"))
    return t(
        "doctor_tls_ok",
        issuer=about.get("issuer", "?"),
        expires=about.get("expires", "?"),
        days=days if days is not None else "?",
        trusted=trusted,
    )


def _days_left(expires: str | None) -> int | None:
    try:
        moment = datetime.strptime(expires or "", "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int((moment.timestamp() - time.time()) // 86400)


def _proxy_line(lines: Lines, chosen: transport.Connection) -> None:
    if chosen.proxy_shown:
        where = t(f"doctor_proxy_source_{chosen.proxy_source.lower()}")
        lines.add("proxy", OK, t("doctor_proxy_used", proxy=chosen.proxy_shown, source=where))
    elif chosen.proxy_source == "no_proxy":
        lines.add("proxy", OK, t("doctor_proxy_bypassed"))
    elif chosen.proxy_source == "loopback":
        lines.add("proxy", OK, t("doctor_proxy_loopback"))
    else:
        lines.add("proxy", OK, t("doctor_proxy_none"))


async def _http(lines: Lines, base: str) -> bool:
    started = time.monotonic()
    options = transport.client_options(base)
    try:
        async with httpx.AsyncClient(timeout=NETWORK_TIMEOUT, **options) as http:
            response = await http.get(base.rstrip("/") + "/")
    except httpx.HTTPError as exc:
        lines.failed("http", failures.diagnose(exc, base))
        return False
    _answered(lines, response, time.monotonic() - started)
    return True


def _answered(lines: Lines, response: httpx.Response, seconds: float) -> None:
    """The HTTP line and the clock line, from one answer."""
    ms = round(seconds * 1000)
    lines.add("http", OK, t("doctor_http_ok", status=response.status_code, ms=ms))
    said = server_date(response)
    if said is None:
        lines.add("clock", SKIP, t("doctor_clock_unknown"))
        return
    skew = time.time() - said
    if abs(skew) > SKEW_REPORTED:
        lines.add("clock", WARN, skew_text(skew), t("doctor_fix_clock"))
    else:
        lines.add("clock", OK, t("doctor_clock_ok", seconds=round(abs(skew))))


# -- login and one harmless read -------------------------------------------------------------


def _login_of(lines: Lines, ask: Callable[[], Any]) -> Any | None:
    """The credentials ``ask`` finds, or None (said as a skipped login, with how to give them)."""
    try:
        return ask()
    except SimadError:
        lines.add("login", WARN, t("doctor_no_credentials"), t(f"doctor_fix_{lines.service}_creds"))
        return None


async def _simad_login(lines: Lines, options: Options) -> None:
    if not options.login:
        lines.add("login", SKIP, t("doctor_login_skipped"))
        return
    target = lines.doctor.target
    creds = options.credentials or _login_of(lines, partial(_simad_settings, target, options))
    if creds is None:
        return
    lines.doctor.secrets += (creds.password,)
    way = options.transport or (targets.sandbox_transport() if target == SANDBOX else None)
    policy = RetryPolicy(max_attempts=1)
    async with targets.open_simad(target, transport=way, credentials=creds, policy=policy) as c:
        if not await _step(lines, "login", c.authenticate):
            return
        try:
            lines.add("login", OK, t("doctor_login_ok"))
            await _step(lines, "read", lambda: _simad_read(lines, c))
        finally:
            lines.doctor.secrets += tuple(s for s in c.auth.secrets() if s)
            await _step(lines, "revoke", c.revoke, quiet=True)


def _simad_settings(target: str, options: Options) -> Credentials:
    if not options.settings_login and target != SANDBOX:
        raise ConfigError(t("doctor_no_credentials"))
    return config.simad_credentials(target, interactive=options.interactive)


async def _step(
    lines: Lines, name: str, call: Callable[[], Awaitable[Any]], *, quiet: bool = False
) -> bool:
    """``call``; a failure is the line ``name`` (and exit 3 when the server went away)."""
    try:
        await call()
    except AuthError as exc:
        reason = scrub(exc, secrets=lines.doctor.secrets)
        lines.add(name, FAIL, reason, t("doctor_fix_login"))
        if lines.service == "simad":
            lines.doctor.refused = reason
        return False
    except SimadError as exc:
        if not quiet:
            lines.add(name, FAIL, scrub(exc, secrets=lines.doctor.secrets), t("doctor_fix_read"))
        return False
    return True


async def _simad_read(lines: Lines, client: Any) -> None:
    year = jdatetime.date.today().year
    found = await client.get_declare_residents(year, student_number=IMPOSSIBLE_STUDENT)
    if not found:
        lines.add("read", OK, t("doctor_read_empty", year=year))
        return
    parsed = [parse_record(record) for record in found]
    if any(record is None for record in parsed):
        lines.add("read", WARN, t("doctor_read_unknown_shape"), t("doctor_fix_shape"))
        return
    extra = sorted({str(k) for record in parsed if record for k in record.extra})
    if extra:
        names = listing(scrub(name, limit=60) for name in extra[:20])
        lines.add("read", WARN, t("doctor_read_extra", fields=names), t("doctor_fix_shape"))
    else:
        lines.add("read", OK, t("doctor_read_records", n=len(found)))


async def _maxa_login(lines: Lines, options: Options) -> None:
    if not options.login:
        lines.add("login", SKIP, t("doctor_login_skipped"))
        return
    target = lines.doctor.maxa_target
    creds = options.maxa_credentials or _login_of(
        lines, lambda: config.maxa_credentials(target, interactive=options.interactive)
    )
    if creds is None:
        return
    lines.doctor.secrets += (creds.password, creds.client_secret)
    way = options.maxa_transport or (targets.sandbox_transport() if target == SANDBOX else None)
    async with targets.open_maxa(target, transport=way, credentials=creds) as client:
        if not await _step(lines, "login", client.authenticate):
            return
        lines.doctor.secrets += tuple(s for s in client.auth.secrets() if s)
        lines.add("login", OK, t("doctor_maxa_login_ok"))
        await _step(lines, "read", lambda: _maxa_read(lines, client))


async def _maxa_read(lines: Lines, client: Any) -> None:
    names = await client.cts_terminologies(SINCE)
    if not names:
        lines.add("read", WARN, t("doctor_maxa_read_none"), t("doctor_fix_shape"))
        return
    some = listing(scrub(n, limit=30) for n in names[:5])
    lines.add("read", OK, t("doctor_maxa_read_ok", n=len(names), some=some))


# -- this PC --------------------------------------------------------------------------------


def _local(doctor: Doctor) -> None:
    lines = Lines(doctor, "")
    try:
        home = config.simad_home()
    except SimadError as exc:
        lines.add("ledger", FAIL, scrub(exc), t("doctor_fix_home"))
        return
    _ledger(lines, home / "ledger.db")
    free = shutil.disk_usage(home).free
    gb = number(round(free / 2**30, 1))
    if free < LOW_DISK:
        lines.add("disk", WARN, t("doctor_disk_free", gb=gb, home=home), t("doctor_fix_disk"))
    else:
        lines.add("disk", OK, t("doctor_disk_free", gb=gb, home=home))
    python = platform.python_version()
    system = f"{platform.system()} {platform.release()}".strip()
    lines.add(
        "version", OK, t("doctor_version_detail", version=__version__, python=python, os=system)
    )


def _ledger(lines: Lines, path: Path) -> None:
    if not path.exists():
        lines.add("ledger", OK, t("doctor_ledger_none"))
        return
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        lines.add("ledger", FAIL, t("doctor_ledger_bad", reason=scrub(exc)), t("doctor_fix_ledger"))
        return
    if verdict and verdict[0] == "ok":
        lines.add("ledger", OK, t("doctor_ledger_ok", path=path))
    else:
        reason = scrub(verdict[0] if verdict else "?", limit=200)
        lines.add("ledger", FAIL, t("doctor_ledger_bad", reason=reason), t("doctor_fix_ledger"))


# -- the report for whoever supports the tool --------------------------------------------------


def report_text(doctor: Doctor) -> str:
    """The checks as text, redacted: no password, token or proxy login."""
    head = [
        t("doctor_report_title"),
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} · simad-sync {__version__}",
        f"Python {platform.python_version()} · {platform.platform()}",
        "",
    ]
    body = []
    for check in doctor.checks:
        body.append(f"[{check.state}] {check.label}: {check.detail}")
        if check.fix:
            body.append(f"    → {check.fix}")
    return _redacted(doctor, "\n".join([*head, *body, ""]))


def write_report(doctor: Doctor, path: Path) -> None:
    """``report_text`` (or its JSON, for a ``.json`` file) written owner-only to ``path``."""
    if path.suffix.lower() == ".json":
        data = doctor.as_json() | {
            "version": __version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        text = _redacted(doctor, json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    else:
        text = report_text(doctor)
    try:
        restrict(write_atomically(path, lambda handle: handle.write(text.encode("utf-8"))))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(t("doctor_report_unwritable", path=path, reason=reason)) from exc


def _redacted(doctor: Doctor, text: str) -> str:
    hidden = (*doctor.secrets, *_proxy_secrets(doctor))
    home = str(Path.home())
    if len(home) > 3:  # the account's folder names a person: "~" says as much
        text = text.replace(home, "~").replace(json.dumps(home)[1:-1], "~")
    kept = []
    for line in text.split("\n"):
        indent = line[: len(line) - len(line.lstrip())]  # scrub makes one bare line
        kept.append(indent + scrub(line, secrets=hidden, identifiers=True, limit=2000))
    return "\n".join(kept)


def _proxy_secrets(doctor: Doctor) -> tuple[str, ...]:
    found: list[str] = []
    for target in (doctor.target, doctor.maxa_target):
        if target != SANDBOX:
            try:
                found += transport.proxy_secrets(target)
            except SimadError:
                continue
    return tuple(found)


def own_clock_line() -> None:
    """The clock lines say the skew: no separate warning while the checks run."""
    hear_clock_skew(None)


def interactive() -> bool:
    """Whether a person at a terminal can be asked for credentials."""
    return sys.stdin.isatty()
