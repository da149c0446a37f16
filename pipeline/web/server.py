"""``simad ui``: serve the web app on 127.0.0.1 and open the browser signed in.

The browser is opened on a *launch file*, not on the one-time address: a command line is
readable by every user of the machine (``/proc/*/cmdline``, the Task Manager's command-line
column), and on a shared office PC another user who read the token there could redeem it first
and take the session. The launch file is a tiny page, written owner-only (0600) in the
session's owner-only folder under SIMAD_HOME, that POSTs the token to the app; the browser is
started with the file's path only. The file is deleted as soon as the token is used, and with
the session folder when the app stops. The address with the token is still printed on the
first line of the console, which is the user's own, for a browser opened by hand.

The console carries no traceback: uvicorn's own lines are one line each, without one (what
the app could not answer is a sentence in the page and a warning in the log file).
"""

from __future__ import annotations

import contextlib
import html
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

import structlog
import uvicorn

from pipeline.core.config import is_loopback, resolve_target, setting, simad_home
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import language, t
from pipeline.web.app import create_app
from pipeline.web.security import Secrets
from pipeline.web.state import State

STALE_UPLOADS = 24 * 3600  # a session folder left by a killed app is removed a day later
LAUNCH_FILE = "open-simad-ui.html"
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
    state = State(home, lang, resolve_target(configured) if configured else None)
    keys = Secrets(port, hosts_for(host, port))
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
        sys.stdout.flush()
        try:
            server.run()
        except KeyboardInterrupt:
            pass  # Ctrl-C is how the app is stopped: the session was closed on the way out
        except OSError as exc:
            raise ConfigError(t("ui_port_busy", port=port, reason=exc.strerror)) from exc
        say(t("ui_stopped"))


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
    path = folder / LAUNCH_FILE
    token = html.escape(keys.once or "")
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"><title>simad-sync</title></head>'
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(base)}/launch">'
        f'<input type="hidden" name="token" value="{token}">'
        '<button type="submit">simad-sync</button></form></body></html>'
    )
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(page)
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
