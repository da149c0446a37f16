"""A failure to reach a server, named for what it is, with the step to take.

    diagnose(exc, url) -> Failure    for any exception httpx (or ssl/socket) raised

The cause is read from the chain of exceptions (httpx's, httpcore's, then the ``ssl`` or
``socket`` error underneath): a name DNS does not know, a refused or silent port, a
certificate this PC does not trust, one for another name, an expired one, another TLS
failure, a proxy that wants a login (407), refuses, or answers with its own page. For a
certificate, a second handshake with verification off reads the certificate the server
presents, so that the message can say who issued it, to whom and until when.

``FATAL`` kinds are never worth a retry: the same certificate, name or proxy login fails the
same way a second later; the clients end the run with ``RemoteUnreachable`` (exit 3).
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import structlog

from pipeline.core.errors import (
    ConfigError,
    NotTheApi,
    RemoteError,
    RemoteUnreachable,
    RetryableError,
)
from pipeline.core.i18n import t
from pipeline.core.redact import scrub
from pipeline.net import transport

log = structlog.get_logger("simad.net")

# kind: "dns", "refused", "timeout", "untrusted", "wrong_name", "expired", "tls",
#       "proxy_auth", "proxy_login_refused", "proxy_refused", "proxy_page", "other"
FATAL = frozenset(
    {"dns", "untrusted", "wrong_name", "expired", "tls", "proxy_auth", "proxy_login_refused"}
)
CERT_KINDS = frozenset({"untrusted", "wrong_name", "expired"})
HANDSHAKE_TIMEOUT = 5.0
DATE_FORMAT = "%Y-%m-%d %H:%M UTC"

# OpenSSL's verify codes, and the words Windows' and macOS' verifiers use for them
_EXPIRED_CODES = frozenset({10})  # X509_V_ERR_CERT_HAS_EXPIRED
_NAME_CODES = frozenset({62, 64})  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
_EXPIRED_WORDS = ("expired", "cert_e_expired")
_NAME_WORDS = ("hostname mismatch", "ip address mismatch", "doesn't match", "cn_no_match")


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str  # in the user's language, naming the URL and what happened
    fix: str  # in the user's language: the step to take
    details: dict[str, str] = field(default_factory=dict)  # issuer, subject, expires, host …

    @property
    def fatal(self) -> bool:
        """Not worth a retry (``FATAL``)."""
        return self.kind in FATAL

    @property
    def text(self) -> str:
        """The message and its fix, as one line."""
        return f"{self.message} {self.fix}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first(exc: BaseException, kind: type[BaseException]) -> Any:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _names(exc: BaseException) -> set[str]:
    return {type(e).__name__ for e in _chain(exc)}


def _words(exc: BaseException) -> str:
    return " ".join(str(e) for e in _chain(exc)).lower()


def diagnose(exc: BaseException, url: str) -> Failure:
    """What ``exc``, raised while reaching ``url``, means."""
    host, port = transport._host_port(url)
    try:
        proxy, source = transport.choose_proxy(url)
    except ConfigError:
        proxy, source = None, "none"
    base = {"url": url, "host": host, "port": str(port)}
    if proxy:
        base |= {"proxy": transport.shown(proxy) or "", "source": source_shown(source)}
    kind = _kind(exc, proxy)
    details = dict(base)
    if kind in CERT_KINDS:
        certificate = _certificate(url, proxy)
        details |= certificate
        kind = _cert_kind(exc, host, certificate)
    elif kind == "proxy_refused":
        details["status"] = _proxy_status(exc) or scrub(_reason(exc), limit=120)
    elif kind in ("tls", "other"):
        details["reason"] = scrub(_reason(exc), limit=200)
    elif kind == "proxy_auth" and proxy and transport.shown(proxy) != proxy:
        kind = "proxy_login_refused"  # a user and password were given, and refused
    return _failure(kind, details)


def source_shown(source: str) -> str:
    """Where a proxy setting came from, for a person: ``--proxy``, a variable's name, or the
    system's settings."""
    if source == "option":
        return "--proxy"
    return t("proxy_source_system") if source == "system" else source


def _kind(exc: BaseException, proxy: str | None) -> str:
    names = _names(exc)
    if "ProxyError" in names:
        return "proxy_auth" if (_proxy_status(exc) or "").startswith("407") else "proxy_refused"
    if isinstance(exc, NotTheApi):
        return "proxy_page" if proxy else "other"
    if _first(exc, ssl.SSLCertVerificationError) is not None:
        return "untrusted"  # refined by ``_cert_kind``
    if _first(exc, ssl.SSLError) is not None:
        # A proxy that answers the tunnel with its own page: what comes back is no TLS.
        return "proxy_page" if proxy else "tls"
    if _first(exc, socket.gaierror) is not None or _dns_words(_words(exc)):
        return "proxy_refused" if proxy else "dns"
    if _first(exc, ConnectionRefusedError) is not None or "refused" in _words(exc):
        return "proxy_refused" if proxy else "refused"
    if "Timeout" in " ".join(names) or _first(exc, TimeoutError) is not None:
        return "timeout"
    return "other"


def _dns_words(words: str) -> bool:
    return any(
        w in words
        for w in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "temporary failure in name resolution",
            "no address associated",
        )
    )


def _proxy_status(exc: BaseException) -> str | None:
    """The status line a proxy answered CONNECT with ("407 Proxy Authentication Required")."""
    for e in _chain(exc):
        if type(e).__name__ == "ProxyError":
            text = str(e).strip()
            if text[:3].isdigit():
                return scrub(text, limit=80)
    return None


def _reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ssl.SSLError | OSError) and str(e):
            return str(getattr(e, "reason", None) or getattr(e, "strerror", None) or e)
    return str(exc) or type(exc).__name__


def _cert_kind(exc: BaseException, host: str, cert: dict[str, str]) -> str:
    error = _first(exc, ssl.SSLCertVerificationError)
    code = getattr(error, "verify_code", None)
    words = _words(exc)
    if code in _EXPIRED_CODES or any(w in words for w in _EXPIRED_WORDS):
        return "expired"
    if code in _NAME_CODES or any(w in words for w in _NAME_WORDS):
        return "wrong_name"
    # Verifiers other than OpenSSL's (Windows', macOS') say less: the certificate tells.
    if _past(cert.get("expires", "")):
        return "expired"
    if cert.get("names") and not _matches(host, cert.get("names", "").split(", ")):
        return "wrong_name"
    return "untrusted"


def _past(expires: str) -> bool:
    try:
        when = dt.datetime.strptime(expires, DATE_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return False
    return when < dt.datetime.now(dt.UTC)


def _matches(host: str, names: list[str]) -> bool:
    host = host.lower().strip("[]")
    for name in (n.strip().lower() for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
        try:
            if ipaddress.ip_address(name) == ipaddress.ip_address(host):
                return True
        except ValueError:
            continue
    return False


# -- the certificate the server presents --------------------------------------------------


def _certificate(url: str, proxy: str | None) -> dict[str, str]:
    """Issuer, subject, validity and names of the certificate ``url``'s server presents;
    empty when it cannot be read."""
    der = peer_certificate(url, proxy)
    return describe_certificate(der) if der else {}


def peer_certificate(url: str, proxy: str | None = None) -> bytes | None:
    """The server's certificate (DER), read with verification off; None when the handshake
    does not complete."""
    host, port = transport._host_port(url)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        raw = _tunnel(proxy, host, port) if proxy else _direct(host, port)
        with raw, context.wrap_socket(raw, server_hostname=_sni(host)) as tls:
            return tls.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return None


def _sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    return None


def _direct(host: str, port: int) -> socket.socket:
    return socket.create_connection((host.strip("[]"), port), timeout=HANDSHAKE_TIMEOUT)


def _tunnel(proxy: str, host: str, port: int) -> socket.socket:
    """A socket through an HTTP proxy's CONNECT tunnel to ``host:port``."""
    parts = urlsplit(proxy)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError("only an http:// proxy is tunnelled here")
    raw = socket.create_connection((parts.hostname, parts.port or 80), timeout=HANDSHAKE_TIMEOUT)
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(pair.encode()).decode())
    raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer and len(answer) < 16384:
        chunk = raw.recv(4096)
        if not chunk:
            break
        answer += chunk
    status = answer.split(b" ", 2)[1:2]
    if status != [b"200"]:
        raw.close()
        raise ValueError("the proxy did not open the tunnel")
    return raw


def describe_certificate(der: bytes) -> dict[str, str]:
    """Issuer, subject, not_before, expires (UTC dates) and the names of a DER certificate."""
    try:
        from cryptography import x509
    except ImportError:  # pragma: no cover - cryptography is a dependency
        return {}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return {}
    names: list[str] = []
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [*alt.get_values_for_type(x509.DNSName)]
        names += [str(a) for a in alt.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    subject = _common_name(cert.subject)
    return {
        "issuer": _common_name(cert.issuer),
        "subject": subject,
        "not_before": _date(cert.not_valid_before_utc),
        "expires": _date(cert.not_valid_after_utc),
        "names": ", ".join(names or [subject]),
    }


def _common_name(name: Any) -> str:
    from cryptography.x509.oid import NameOID

    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    text = str(found[0].value) if found else name.rfc4514_string()
    return scrub(text, identifiers=False, limit=200) or "?"


def _date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(DATE_FORMAT)


# -- the words ----------------------------------------------------------------------------


def _failure(kind: str, details: dict[str, str]) -> Failure:
    values = {k: details.get(k, "?") for k in _WANTED.get(kind, ())} | {"url": details["url"]}
    fix = t(f"conn_fix_{kind}", **values)
    return Failure(kind, t(f"conn_{kind}", **values), fix, details)


_WANTED: dict[str, tuple[str, ...]] = {
    "dns": ("host",),
    "refused": ("host", "port"),
    "timeout": ("host", "port"),
    "untrusted": ("issuer", "subject", "expires"),
    "wrong_name": ("host", "names", "issuer"),
    "expired": ("expires", "issuer", "subject"),
    "tls": ("reason",),
    "proxy_auth": ("proxy", "source"),
    "proxy_login_refused": ("proxy", "source"),
    "proxy_refused": ("proxy", "source", "status", "host"),
    "proxy_page": ("proxy", "source", "host"),
    "other": ("reason",),
}


def unanswered(exc: httpx.TransportError, url: str, *, answered: bool, path: str) -> RemoteError:
    """A request to ``url`` that got no answer, named for its cause (``diagnose``): a
    certificate, a name, a proxy's login is fatal (``RemoteUnreachable``), and so is any failure
    to connect before the server ever ``answered``; the rest is worth a retry."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError):
        failure = diagnose(exc, url)
        if failure.fatal or not answered:
            log.warning("unreachable", kind=failure.kind)
            return RemoteUnreachable(failure.text)
    if isinstance(exc, httpx.TimeoutException):
        return RetryableError(t("timed_out", path=path))
    return RetryableError(t("connection_error", path=path, error=type(exc).__name__))
