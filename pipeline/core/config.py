"""Where the tool keeps its state, which server it talks to, and whose credentials it uses.

Settings come from the command line, then the environment, then a ``.env`` file kept in
``SIMAD_HOME`` or the settings folder (never the working folder: a ``.env`` dropped in a shared
folder must not redirect a submission), then the per-user settings file (``settings``).
Credentials come from the environment, then the system keyring (``simad login``), then a hidden
prompt; never from command-line flags. They are held in ``Credentials``, whose repr hides them.
"""

from __future__ import annotations

import getpass
import ipaddress
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
from dotenv import dotenv_values

from pipeline.core import keys, settings
from pipeline.core.errors import ConfigError, LocalStorageError
from pipeline.core.i18n import t
from pipeline.core.private import guard_file, guard_folder, guard_tree
from pipeline.core.redact import scrub

SANDBOX = "sandbox"
# 8 requests in flight reach ~85% of the latency bound; httpx slows down above ~16
# concurrent requests (encode/httpx#3215), so the CLI caps --concurrency at 16.
DEFAULT_CONCURRENCY = 8
_dotenv_cache: dict[str, str | None] | None = None


def simad_home() -> Path:
    """The folder for the ledger, the sandbox database, the terminology mirror and logs.

    Checked once per process before it is used (``LocalStorageError``, exit 3, otherwise): it
    must be a folder this user can write, and on POSIX it and what the tool keeps in it
    (``HOME_FILES``, ``HOME_FOLDERS``) must belong to this user. What belongs to this user but
    is open to others is made owner-only; what belongs to someone else is refused, since on a
    shared PC another account could read the personal data in it or plant a ledger.
    """
    raw = os.environ.get("SIMAD_HOME")
    home = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("simad-sync"))
    key = os.path.abspath(home)
    if key in _safe_homes:
        return home
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        if not home.is_dir():
            if home.exists() or home.is_symlink():
                raise LocalStorageError(t("home_not_folder", path=home)) from exc
            raise LocalStorageError(
                t("home_unusable", path=home, reason=exc.strerror or exc)
            ) from exc
    guard_folder(home)
    try:
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        raise LocalStorageError(t("home_unusable", path=home, reason=exc.strerror or exc)) from exc
    for name in HOME_FILES:
        for side in ("", "-wal", "-shm", "-journal"):
            entry = home / (name + side)
            if entry.exists() or entry.is_symlink():
                guard_file(entry)
    for name in HOME_FOLDERS:
        folder = home / name
        if folder.exists() or folder.is_symlink():
            guard_tree(folder)
    _safe_homes.add(key)
    return home


# What the tool keeps in SIMAD_HOME (``simad_home`` checks these, and nothing else there).
HOME_FILES = ("ledger.db", "sandbox.db", "maxa-mirror.db")
HOME_FOLDERS = ("logs", "locks", "ui", "reports")
_safe_homes: set[str] = set()  # homes checked in this process


def setting(name: str, default: str | None = None) -> str | None:
    """A setting from the environment, else from a ``.env`` in ``SIMAD_HOME`` or the settings
    folder (``dotenv_places``), else ``default``."""
    if name in os.environ:
        return os.environ[name]
    global _dotenv_cache
    if _dotenv_cache is None:
        _dotenv_cache = {}
        for place in reversed(dotenv_places()):  # SIMAD_HOME's wins over the settings folder's
            env_file = place / ".env"
            if env_file.is_file():
                _dotenv_cache.update(dotenv_values(env_file))
        _warn_working_dotenv()
    value = _dotenv_cache.get(name)
    return value if value is not None else default


def dotenv_places() -> list[Path]:
    """The folders a ``.env`` is read from: ``SIMAD_HOME`` (as set, or its default), then the
    settings folder. Never the working folder."""
    raw = os.environ.get("SIMAD_HOME")
    home = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("simad-sync"))
    return [home, settings.folder()]


def _warn_working_dotenv() -> None:
    """Say once, on standard error, that a ``.env`` in the working folder is not read."""
    try:
        here = Path.cwd() / ".env"
        if not here.is_file():
            return
        places = dotenv_places()
        if any(here.resolve() == (place / ".env").resolve() for place in places):
            return
    except OSError:
        return
    shown = t("or_between").join(str(place) for place in places)
    print(t("dotenv_ignored", path=here, places=shown), file=sys.stderr)


DEFAULT_TIMEOUT = 30.0
TIMEOUT_RANGE = (0.1, 3600.0)  # seconds
MAX_RATE_RANGE = (0.1, 10_000.0)  # requests per second, as --max-rate
LATENCY_RANGE = (0.0, 60_000.0)  # milliseconds


def _number(
    raw: str | float | None, name: str, bounds: tuple[float, float], message: str
) -> float | None:
    """A number setting: None when not given, else ``raw`` as a finite number within
    ``bounds``; ``ConfigError`` (exit 2) naming ``name`` (the variable or option) otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(raw)
    except (ValueError, OverflowError):
        value = math.nan
    low, high = bounds
    if not low <= value <= high:  # NaN and infinities fail too
        shown = "".join(c if c.isprintable() else "?" for c in str(raw))[:40]
        raise ConfigError(t(message, name=name, value=shown, low=_plain(low), high=_plain(high)))
    return value


def _plain(bound: float) -> float | int:
    """10000, not 10000.0, in a message."""
    return int(bound) if bound == int(bound) else bound


def http_timeout() -> float:
    """Seconds to wait for an answer (``SIMAD_TIMEOUT``, 30 by default). A call is retried
    for at most three times this long, so a server that hangs is given up on within about
    ``3 × SIMAD_TIMEOUT`` seconds (90 s by default)."""
    value = _number(setting("SIMAD_TIMEOUT"), "SIMAD_TIMEOUT", TIMEOUT_RANGE, "bad_timeout")
    return DEFAULT_TIMEOUT if value is None else value


def max_rate(given: float | None = None) -> float | None:
    """The office's own cap on requests per second (``--max-rate``, else ``SIMAD_MAX_RATE``);
    None: the sender finds the server's pace by itself."""
    if given is not None:
        return _number(given, "--max-rate", MAX_RATE_RANGE, "bad_max_rate")
    return _number(setting("SIMAD_MAX_RATE"), "SIMAD_MAX_RATE", MAX_RATE_RANGE, "bad_max_rate")


def sandbox_latency() -> float:
    """Milliseconds the embedded sandbox waits before it answers (``SIMAD_SANDBOX_LATENCY_MS``,
    0 by default), so that a rehearsal shows a submission's progress as a real server would."""
    raw = setting("SIMAD_SANDBOX_LATENCY_MS")
    value = _number(raw, "SIMAD_SANDBOX_LATENCY_MS", LATENCY_RANGE, "bad_latency")
    return 0.0 if value is None else value


def check_settings() -> None:
    """Every number setting of the environment (and a kept ``.env``) checked at once, before a
    command does anything: a bad one is a usage error (``ConfigError``, exit 2) naming it,
    not a run that hangs (``SIMAD_MAX_RATE=1e-9``) or stops half-way."""
    http_timeout()
    max_rate()
    sandbox_latency()


def reset_settings_cache() -> None:
    global _dotenv_cache
    _dotenv_cache = None
    _safe_homes.clear()


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***)"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_target(target: str | None, env_var: str = "SIMAD_TARGET") -> str:
    """``sandbox`` or a validated base URL (https, or http on a loopback address only): the
    one given, else the environment's (or a kept ``.env``'s), else the settings file's, else
    the sandbox."""
    key = "maxa-target" if env_var == "MAXA_TARGET" else "target"
    value = (target or setting(env_var) or settings.get(key) or SANDBOX).strip()
    if value == SANDBOX:
        return SANDBOX
    parts = urlsplit(value)
    if "@" in parts.netloc:
        # A password in an address ends up in banners, reports and logs: refuse it, and
        # never repeat it.
        bare = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
        raise ConfigError(t("target_has_credentials", url=bare))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(t("bad_target", value=scrub(value, identifiers=False, limit=200)))
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(t("http_refused", host=parts.hostname))
    return value.rstrip("/")


def describe_target(target: str, *, short: bool = False, labelled: bool = True) -> str:
    """The line every screen shows about where data goes (``Target: …``); without its label
    for a report's summary, whose row already says "Target"; ``short``: the target's name
    alone, for a table cell."""
    if short:
        return t("target_sandbox_short") if target == SANDBOX else target
    what = t("target_sandbox") if target == SANDBOX else target
    return t("target_line", target=what) if labelled else what


SANDBOX_USERNAME = "demo-university"
SANDBOX_PASSWORD = "demo-pass-1403"
MAXA_SANDBOX_CLIENT_ID = "demo-his"
MAXA_SANDBOX_CLIENT_SECRET = "demo-his-secret"
MAXA_SANDBOX_USERNAME = "demo-maxa"
MAXA_SANDBOX_PASSWORD = "demo-maxa-pass"
MAXA_SANDBOX_PID = "demo-pid"


def simad_credentials(target: str, *, interactive: bool = True) -> Credentials:
    """Credentials for SIMAD: the environment's, else the system keyring's for this target
    (``simad login``), else asked for (the username kept in the settings file is offered).
    The sandbox's demo account is used when nothing is configured."""
    username = setting("SIMAD_USERNAME")
    password = setting("SIMAD_PASSWORD")
    if not (username and password):
        kept = keys.load("simad", target)
        username = username or kept.get("username")
        if not password and username and username == kept.get("username"):
            password = kept.get("password")
    if target == SANDBOX and not username and not password:
        return Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)
    username = username or settings.get("username")
    if not username and interactive:
        username = input(t("prompt_username")).strip()
    if not password and interactive:
        password = getpass.getpass(t("prompt_password"))
    if not username or not password:
        raise ConfigError(
            t("missing_settings", names="SIMAD_USERNAME, SIMAD_PASSWORD", login="simad login")
        )
    return Credentials(username, password)


@dataclass(frozen=True)
class MaxaCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    pid: str = ""

    def __repr__(self) -> str:
        return (
            f"MaxaCredentials(client_id={self.client_id!r}, username={self.username!r}, "
            f"pid={self.pid!r}, client_secret=***, password=***)"
        )


MAXA_VARIABLES = (
    "MAXA_CLIENT_ID",
    "MAXA_CLIENT_SECRET",
    "MAXA_USERNAME",
    "MAXA_PASSWORD",
    "MAXA_PID",
)


def maxa_credentials(target: str, *, interactive: bool = True) -> MaxaCredentials:
    """DITAS credentials: the environment's, else the system keyring's for this target, else
    asked for; the sandbox's demo account when nothing is configured."""
    values = {name: setting(name) for name in MAXA_VARIABLES}
    if not all(values.values()):  # the system keyring's for this target (`simad login`)
        kept = keys.load("maxa", target)
        values = {name: values[name] or kept.get(name) for name in MAXA_VARIABLES}
    if target == SANDBOX and not any(values.values()):
        return MaxaCredentials(
            MAXA_SANDBOX_CLIENT_ID,
            MAXA_SANDBOX_CLIENT_SECRET,
            MAXA_SANDBOX_USERNAME,
            MAXA_SANDBOX_PASSWORD,
            MAXA_SANDBOX_PID,
        )
    for name in MAXA_VARIABLES:
        if not values[name] and interactive:
            secret = name.endswith(("SECRET", "PASSWORD"))
            values[name] = (
                getpass.getpass(t("prompt_setting", name=name))
                if secret
                else input(t("prompt_setting", name=name)).strip()
            )
    missing = [name for name in MAXA_VARIABLES if not values[name]]
    if missing:
        raise ConfigError(
            t("missing_settings", names=", ".join(missing), login="simad login --service maxa")
        )
    return MaxaCredentials(
        values["MAXA_CLIENT_ID"] or "",
        values["MAXA_CLIENT_SECRET"] or "",
        values["MAXA_USERNAME"] or "",
        values["MAXA_PASSWORD"] or "",
        values["MAXA_PID"] or "",
    )
