"""``simad ui``: serve the web app on 127.0.0.1 and open the browser signed in.

The browser is opened on a *launch file*, not on the one-time address: a command line is
readable by every user of the machine (``/proc/*/cmdline``, the Task Manager's command-line
column), and on a shared office PC another user who read the token there could redeem it first
and take the session. The launch file is a tiny page, written owner-only (0600) in the
session's owner-only folder under SIMAD_HOME, that POSTs the token to the app; the browser is
started with the file's path only. The file is deleted as soon as the token is used, and with
the session folder when the app stops. The address with the token is still printed on the
first line of the console, which is the user's own, for a browser opened by hand.

Coming back: the running app keeps a small owner-only record under SIMAD_HOME
(``ui/running.json``: its address and a door key). ``simad ui`` run again on this PC (a second
double-click on the desktop shortcut) reads it, asks the app on 127.0.0.1 for a fresh sign-in
(``/again``, see ``security``), opens it in a new tab and exits: the running app's work goes
on. A record nobody answers (left by a crash) is ignored and replaced by a new start.

The console carries no traceback: uvicorn's own lines are one line each, without one (what
the app could not answer is a sentence in the page and a warning in the log file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import structlog
import uvicorn

from pipeline.core.config import is_loopback, resolve_target, setting, simad_home
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import language, t
from pipeline.core.private import private_dir
from pipeline.web import workbench
from pipeline.web.app import create_app
from pipeline.web.security import AGAIN_PATH, DOOR_HEADER, Secrets, write_launch_page
from pipeline.web.state import State

STALE_UPLOADS = 24 * 3600  # a session folder left by a killed app is removed a day later
LAUNCH_FILE = "open-simad-ui.html"
RECORD = "running.json"  # under SIMAD_HOME/ui: how ``simad ui`` run again finds this app
ASK_TIMEOUT = 3.0  # seconds to wait for the running app's answer
log = structlog.get_logger("simad.ui")


class OneLine(logging.Formatter):
    """A log line without its traceback (the console is the clerk's), also noted as a
    warning in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        log.warning(
            "ui_server_said",
            said=record.getMessage().strip()[:200],
            error=type(error).__name__ if error is not None else None,
        )
        plain = logging.makeLogRecord(record.__dict__)
        plain.exc_info, plain.exc_text, plain.stack_info = None, None, None
        return super().format(plain)


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"()": OneLine, "format": "%(levelname)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "uvicorn.error": {"level": "WARNING", "propagate": True},
        "uvicorn.asgi": {"level": "WARNING", "propagate": True},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}


def hosts_for(host: str, port: int) -> frozenset[str]:
    """The Host headers the app answers: the address it listens on, by name and number."""
    names = {host, "127.0.0.1", "localhost"} if is_loopback(host) else {host}
    if host in ("0.0.0.0", "::"):  # every address: this machine's names, and loopback
        names |= {socket.gethostname(), socket.getfqdn(), "127.0.0.1", "localhost"}
    return frozenset(f"{name}:{port}".lower() for name in names)


def free_port(host: str, port: int = 0) -> int:
    """``port`` if nobody listens on it (``OSError`` otherwise); by default a port the system
    chooses.

    The probe binds as uvicorn does (``SO_REUSEADDR`` on POSIX): the connections a stopped app
    leaves in TIME_WAIT do not hold the port for a minute, so ``simad ui --port P`` starts
    again at once after Ctrl-C; a socket listening on it still refuses the bind. On Windows
    the option means "steal a port in use" and is not set (a port in TIME_WAIT can be bound
    there anyway)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        if os.name != "nt":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return int(probe.getsockname()[1])


def remove_stale(home: Path) -> None:
    """Session folders (uploads) of apps that were killed before they could clean up."""
    folder = home / "ui"
    if not folder.is_dir():
        return
    now = time.time()
    for child in folder.iterdir():
        with contextlib.suppress(OSError):
            if now - child.stat().st_mtime > STALE_UPLOADS:
                shutil.rmtree(child)


def build(host: str, port: int, lang: str) -> tuple[object, Secrets, State]:
    """The app, its secrets and its memory, for ``host:port``."""
    home = simad_home()
    remove_stale(home)
    configured = setting("SIMAD_TARGET")
    target = resolve_target(configured) if configured else workbench.kept_target(home)
    state = State(home, lang, target)
    keys = Secrets(port, hosts_for(host, port), folder=state.folder, base=address_base(host, port))
    return create_app(keys, state), keys, state


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    lang: str = "fa",
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C. The first line said is the address to open (with its one-time
    token); a host other than loopback is warned about."""
    with language(lang):  # the app's own lines in its language
        if come_back(open_browser=open_browser, say=say):
            return  # one is running for this SIMAD_HOME: opened, and its work goes on
        try:
            port = free_port(host, port)
        except OSError as exc:
            raise ConfigError(t("ui_port_busy", port=port, reason=exc.strerror)) from exc
        app, keys, state = build(host, port, lang)
        address = one_time_address(host, port, keys)
        server = _server(app, host, port)
        if open_browser:
            page = write_launch_file(state.folder, address_base(host, port), keys)
            threading.Timer(0.5, lambda: _open(page.as_uri())).start()
        say(address)
        if not is_loopback(host):
            say(t("ui_exposed", host=host))
        say(t("ui_started"))
        say(t("ui_way_back_console"))
        sys.stdout.flush()
        record = write_record(simad_home(), host, keys)
        try:
            server.run()
        except KeyboardInterrupt:
            pass  # Ctrl-C is how the app is stopped: the session was closed on the way out
        except OSError as exc:
            raise ConfigError(t("ui_port_busy", port=port, reason=exc.strerror)) from exc
        finally:
            forget_record(record, keys)
        for line in farewell(state):
            say(line)


def farewell(state: State) -> list[str]:
    """What the console says once the app has stopped (its session closed): each submission
    the closing interrupted, with the rows it did not send, then what was kept."""
    cut = [t("ui_run_cut", run=run_id, n=rows) for run_id, rows in state.cut_short()]
    return [*cut, t("ui_stopped")]


def record_path(home: Path) -> Path:
    return home / "ui" / RECORD


def write_record(home: Path, host: str, keys: Secrets) -> Path | None:
    """The running app's record, owner-only, replaced at once (never half-written): its
    address and door key. None for an app not on this machine's loopback (``--host``), which
    ``simad ui`` run again does not look for."""
    if not (is_loopback(host) or host in ("0.0.0.0", "::")):
        return None
    path = record_path(home)
    fresh = private_dir(path.parent) / f".{RECORD}.{os.getpid()}"
    text = json.dumps({"pid": os.getpid(), "base": keys.base, "door": keys.door})
    try:
        with contextlib.suppress(FileNotFoundError):
            fresh.unlink()
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(fresh, flags, 0o600), "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(fresh, path)
    except OSError as exc:  # the app works; only a second start will not find it
        log.warning("ui_record_not_written", error=type(exc).__name__)
        return None
    return path


def forget_record(path: Path | None, keys: Secrets) -> None:
    """Remove the record if it is still this app's (a later app may have replaced it)."""
    if path is not None and _read_record(path).get("door") == keys.door:
        with contextlib.suppress(OSError):
            path.unlink()


def _read_record(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def ask_running(home: Path) -> tuple[str, Path | None] | None:
    """A fresh sign-in from the app running for ``home``: (its address with a one-time
    token, the launch page for it). None when no app answers its record (none was started,
    or it was stopped or killed): then a new one starts."""
    record = _read_record(record_path(home))
    base, door = record.get("base", ""), record.get("door", "")
    if not base.startswith("http://") or not door:
        return None
    try:
        with httpx.Client(trust_env=False, timeout=ASK_TIMEOUT) as client:
            answer = client.post(base + AGAIN_PATH, headers={DOOR_HEADER: door})
        body = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("address"), str):
        return None
    launch = body.get("launch")
    return body["address"], Path(launch) if isinstance(launch, str) else None


def come_back(*, open_browser: bool, say: Callable[[str], None]) -> bool:
    """If an app is running for this SIMAD_HOME: open it signed in, in a new tab (or print
    its address), say so, and answer True; nothing of its work stops."""
    found = ask_running(simad_home())
    if found is None:
        return False
    address, launch = found
    say(address)
    if open_browser and launch is not None:
        _open(launch.as_uri())
        say(t("ui_again_opened"))
    else:
        say(t("ui_again_address"))
    return True


def address_base(host: str, port: int) -> str:
    """The app's address (loopback when listening everywhere)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def one_time_address(host: str, port: int, keys: Secrets) -> str:
    """The address to open, with the one-time token (loopback when listening everywhere)."""
    return f"{address_base(host, port)}/?token={keys.once}"


def write_launch_file(folder: Path, base: str, keys: Secrets) -> Path:
    """The page the browser is opened on: owner-only, in the session's owner-only folder; it
    POSTs the one-time token to the app (by itself, or with its button). Deleted once the
    token is used (``Secrets.redeem``) and with the session folder."""
    path = write_launch_page(folder / LAUNCH_FILE, base, keys.once or "")
    keys.launch_file = path
    return path


def _server(app: object, host: str, port: int) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host=host,
            port=port,
            log_level="warning",
            log_config=LOG_CONFIG,  # one line each, no traceback, on the console
            access_log=False,  # addresses carry the one-time token; nothing personal is logged
            timeout_graceful_shutdown=3,
            lifespan="on",
        )
    )


def _open(address: str) -> None:
    """Start the browser on ``address`` (the launch file's, never one with the token)."""
    with contextlib.suppress(Exception):
        webbrowser.open(address)


@contextlib.contextmanager
def running(lang: str = "fa", host: str = "127.0.0.1") -> Iterator[tuple[str, State]]:
    """The app served from a thread, for tests and screenshots: (its one-time address, its
    memory). Stopped (and its session folder removed) when the block ends."""
    port = free_port(host)
    app, keys, state = build(host, port, lang)
    with serving(app, host, port):
        yield one_time_address(host, port, keys), state


@contextlib.contextmanager
def serving(app: object, host: str, port: int) -> Iterator[uvicorn.Server]:
    """``app`` served from a thread until the block ends."""
    server = _server(app, host, port)
    thread = threading.Thread(target=server.run, name="simad-ui", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(30)
