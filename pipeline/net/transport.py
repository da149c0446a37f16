"""How the tool reaches a server: which certificates it trusts and which proxy it goes through.

    connection(base_url)    -> Connection: the SSL context (system trust store via
                               ``truststore``, ``certifi`` as fallback, plus SIMAD_CA_BUNDLE /
                               --ca-bundle), the proxy chosen and where it came from
    client_options(base_url) -> the keyword arguments for ``httpx.AsyncClient`` / ``httpx.Client``
                               (verify=, proxy=, trust_env=False), used by every client

**Trust.** Certificates are verified against the operating system's store (``truststore``:
Windows' certificate store, macOS' keychain, the distribution's bundle on Linux), where a
university's IT installs its national, intranet and TLS-inspecting proxy CAs. Without
``truststore`` the ``certifi`` bundle is used. ``SIMAD_CA_BUNDLE`` (``--ca-bundle FILE``) adds
the certificates of a PEM file. ``SIMAD_INSECURE_TLS=1`` turns verification off, for
rehearsals against a stand-in only: it is logged, said once on the screen, and refused for the
ministry's own hosts (``PRODUCTION_DOMAINS``). Nothing else turns verification off.

**Proxy.** The first of: ``--proxy URL`` / ``SIMAD_PROXY`` (used for every target, loopback
included, except hosts in ``NO_PROXY``); ``HTTPS_PROXY`` / ``https_proxy`` / ``ALL_PROXY`` /
``all_proxy`` honouring ``NO_PROXY``; the operating system's proxy settings
(``urllib.request.getproxies``: the Windows registry, macOS' settings) honouring its bypass
list; else none. A loopback target never goes through a proxy of the environment or of the
system. httpx is told ``trust_env=False`` and given the proxy chosen here, so what is shown is
what is used. A proxy's ``user:password`` is never shown (``proxy_shown``).
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import structlog

from pipeline.core.config import is_loopback, setting
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import t

log = structlog.get_logger("net.transport")

# The ministry's hosts (SIMAD, the DITAS gateway) and anything under their domains: never
# reached without verifying the certificate.
PRODUCTION_DOMAINS = ("behdash.gov.ir", "behdasht.gov.ir")
ENV_PROXIES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_given: dict[str, str] = {}  # what a command-line option set (``choose``)
_warned: set[str] = set()  # hosts the insecure setting was announced for


@dataclass(frozen=True)
class Connection:
    """How one base URL is reached."""

    verify: ssl.SSLContext | bool
    trust: str  # which store(s) verify certificates, for a person: "system", "system+bundle", …
    proxy: str | None  # the proxy URL with its credentials (never shown: see ``proxy_shown``)
    proxy_shown: str | None  # the proxy URL with any user:password removed
    proxy_source: str  # "option", "SIMAD_PROXY", "HTTPS_PROXY", "system", "none", "no_proxy",
    # "loopback" (a proxy from the environment, not used for this computer's own address)
    ca_bundle: str | None = None  # the PEM file added to the store, if any
    insecure: bool = False  # verification off (SIMAD_INSECURE_TLS=1, a rehearsal)


def choose(*, proxy: str | None = None, ca_bundle: str | None = None) -> None:
    """What ``--proxy`` and ``--ca-bundle`` say: set as SIMAD_PROXY / SIMAD_CA_BUNDLE for
    this process and the ones it starts, remembered as given on the command line."""
    if proxy is not None:
        os.environ["SIMAD_PROXY"] = _given["proxy"] = proxy
    if ca_bundle is not None:
        os.environ["SIMAD_CA_BUNDLE"] = _given["ca_bundle"] = ca_bundle


# -- trust --------------------------------------------------------------------------------


def system_store() -> str:
    """Which store verifies certificates: "system" (``truststore``) or "certifi"."""
    try:
        import truststore  # noqa: F401
    except ImportError:  # pragma: no cover - truststore is a dependency
        return "certifi"
    return "system"


def ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The context that verifies every HTTPS certificate: the system's store, plus the
    certificates of ``ca_bundle`` (a PEM file; ``ConfigError`` naming it when it cannot be
    used)."""
    if ca_bundle:
        try:
            stamp = os.stat(ca_bundle).st_mtime_ns
        except OSError as exc:
            raise ConfigError(_bad_bundle(ca_bundle, exc.strerror or str(exc))) from exc
        return _bundle_context(ca_bundle, stamp)
    return _store_context()


@lru_cache(maxsize=1)
def _store_context() -> ssl.SSLContext:
    return _new_context()


@lru_cache(maxsize=8)
def _bundle_context(ca_bundle: str, _stamp: int) -> ssl.SSLContext:
    """A context with ``ca_bundle`` added (built again when the file changes: ``_stamp``)."""
    try:
        with open(ca_bundle, "rb") as handle:
            pem = handle.read(16 * 1024 * 1024)
    except OSError as exc:
        raise ConfigError(_bad_bundle(ca_bundle, exc.strerror or str(exc))) from exc
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ConfigError(_bad_bundle(ca_bundle, t("ca_bundle_not_pem")))
    context = _new_context()
    try:
        context.load_verify_locations(cadata=pem.decode("ascii", "replace"))
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigError(_bad_bundle(ca_bundle, t("ca_bundle_not_pem"))) from exc
    return context


def _new_context() -> ssl.SSLContext:
    try:
        import truststore
    except ImportError:  # pragma: no cover - truststore is a dependency
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _bad_bundle(path: str, reason: str) -> str:
    return t("ca_bundle_unusable", path=path, reason=reason)


def is_production(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in PRODUCTION_DOMAINS)


def _insecure_context(host: str) -> ssl.SSLContext:
    """Verification off, for a rehearsal: refused for the ministry's hosts, announced once."""
    if is_production(host):
        raise ConfigError(t("insecure_tls_refused", host=host))
    if host not in _warned:
        _warned.add(host)
        log.warning("insecure_tls", host=host)
        print(t("insecure_tls_on", host=host), file=sys.stderr)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# -- proxy --------------------------------------------------------------------------------


def shown(url: str | None) -> str | None:
    """``url`` without any ``user:password@``."""
    if not url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _proxy_url(raw: str, source: str) -> str:
    """A proxy setting as a URL httpx takes (``host:port`` is ``http://host:port``);
    ``ConfigError`` naming the setting (never its credentials) otherwise."""
    value = raw.strip()
    if "://" not in value:
        value = "http://" + value
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ConfigError(t("bad_proxy", name=source, value=shown(value) or "?"))
    return value


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port or default
    except ValueError:
        port = default
    return (parts.hostname or "").lower(), port


def bypassed(host: str, port: int, no_proxy: str | None) -> bool:
    """Whether ``NO_PROXY`` (names, ``.domain``, ``host:port``, addresses, CIDR, ``*``)
    lists ``host``."""
    for raw in (no_proxy or "").replace(";", ",").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if ":" in entry and not entry.startswith("[") and entry.count(":") == 1:
            entry, _, wanted = entry.partition(":")
            if wanted.isdigit() and int(wanted) != port:
                continue
        entry = entry.strip("[]").lstrip("*").lstrip(".")
        if _listed(host.strip("[]"), entry):
            return True
    return False


def _listed(host: str, entry: str) -> bool:
    if "/" in entry:
        try:
            return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    return host == entry or host.endswith("." + entry)


def _explicit_proxy() -> tuple[str, str] | None:
    raw = setting("SIMAD_PROXY")
    if not raw or not raw.strip():
        return None
    source = "option" if _given.get("proxy") == raw else "SIMAD_PROXY"
    return _proxy_url(raw, "--proxy" if source == "option" else "SIMAD_PROXY"), source


def _environment_proxy() -> tuple[str, str] | None:
    for name in ENV_PROXIES:
        raw = os.environ.get(name)
        if raw and raw.strip():
            return _proxy_url(raw, name), name.upper()
    return None


def _system_proxy(host: str) -> tuple[str, str] | None:
    found = urllib.request.getproxies()
    raw = found.get("https") or found.get("all")
    if not raw:
        return None
    if urllib.request.proxy_bypass(host):
        return "", "no_proxy"
    return _proxy_url(raw, "system"), "system"


def _no_proxy() -> str:
    return os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""


def choose_proxy(base_url: str) -> tuple[str | None, str]:
    """(the proxy URL or None, where the choice came from) for ``base_url``."""
    host, port = _host_port(base_url)
    explicit = _explicit_proxy()
    if explicit is not None:
        if bypassed(host, port, _no_proxy()):
            return None, "no_proxy"
        return explicit
    if is_loopback(host):  # this computer's own address: never through a proxy set for all
        given = any((os.environ.get(name) or "").strip() for name in ENV_PROXIES)
        return None, "loopback" if given else "none"
    found = _environment_proxy()
    if found is not None and bypassed(host, port, _no_proxy()):
        return None, "no_proxy"
    if found is None:
        found = _system_proxy(host)
    if found is None:
        return None, "none"
    url, source = found
    return url or None, source


# -- the whole ----------------------------------------------------------------------------


def connection(base_url: str) -> Connection:
    """The trust and the proxy for ``base_url`` from the settings (``ConfigError``, exit 2,
    for a bundle that cannot be used, a bad proxy setting, or verification off for the
    ministry's host)."""
    host, _port = _host_port(base_url)
    bundle = (setting("SIMAD_CA_BUNDLE") or "").strip() or None
    insecure = (setting("SIMAD_INSECURE_TLS") or "").strip() == "1"
    verify: ssl.SSLContext = _insecure_context(host) if insecure else ssl_context(bundle)
    store = system_store()
    trust = "none" if insecure else f"{store}+bundle" if bundle else store
    proxy, source = choose_proxy(base_url)
    return Connection(
        verify=verify,
        trust=trust,
        proxy=proxy,
        proxy_shown=shown(proxy),
        proxy_source=source,
        ca_bundle=bundle,
        insecure=insecure,
    )


def check_settings() -> None:
    """The network settings checked before a command does anything (``ConfigError``, exit 2,
    naming the one that cannot be used): the CA bundle, the proxy settings, and
    SIMAD_INSECURE_TLS against the targets the environment names."""
    bundle = (setting("SIMAD_CA_BUNDLE") or "").strip()
    if bundle:
        ssl_context(bundle)
    _explicit_proxy()
    _environment_proxy()
    if (setting("SIMAD_INSECURE_TLS") or "").strip() == "1":
        for name in ("SIMAD_TARGET", "MAXA_TARGET"):
            host, _port = _host_port((setting(name) or "").strip())
            if host and is_production(host):
                raise ConfigError(t("insecure_tls_refused", host=host))


def client_options(base_url: str) -> dict[str, Any]:
    """``verify``, ``proxy`` and ``trust_env`` for an httpx client of ``base_url``."""
    chosen = connection(base_url)
    return {"verify": chosen.verify, "proxy": chosen.proxy, "trust_env": False}


def proxy_secrets(base_url: str) -> tuple[str, ...]:
    """The proxy's user and password for ``base_url`` (to be hidden wherever text goes)."""
    proxy, _source = choose_proxy(base_url)
    if not proxy:
        return ()
    parts = urlsplit(proxy)
    return tuple(unquote(v) for v in (parts.password,) if v)
