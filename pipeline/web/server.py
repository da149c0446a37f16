"""``simad ui``: serve the web app on 127.0.0.1 and open the browser at its one-time address."""

from __future__ import annotations

import contextlib
import shutil
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn

from ..config import is_loopback, resolve_target, setting, simad_home
from ..errors import ConfigError
from ..i18n import language, t
from .app import create_app
from .security import Secrets
from .state import State

STALE_UPLOADS = 24 * 3600  # a session folder left by a killed app is removed a day later


def hosts_for(host: str, port: int) -> frozenset[str]:
    """The Host headers the app answers: the address it listens on, by name and number."""
    names = {host, "127.0.0.1", "localhost"} if is_loopback(host) else {host}
    if host in ("0.0.0.0", "::"):  # every address: this machine's names, and loopback
        names |= {socket.gethostname(), socket.getfqdn(), "127.0.0.1", "localhost"}
    return frozenset(f"{name}:{port}".lower() for name in names)


def free_port(host: str, port: int = 0) -> int:
    """``port`` if nobody listens on it (``OSError`` otherwise); by default a port the system
    chooses."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
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
        app, keys, _state = build(host, port, lang)
        address = one_time_address(host, port, keys)
        server = _server(app, host, port)
        if open_browser:
            threading.Timer(0.5, lambda: _open(address)).start()
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


def one_time_address(host: str, port: int, keys: Secrets) -> str:
    """The address to open, with the one-time token (loopback when listening everywhere)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={keys.once}"


def _server(app: object, host: str, port: int) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host=host,
            port=port,
            log_level="warning",
            access_log=False,  # addresses carry the one-time token; nothing personal is logged
            timeout_graceful_shutdown=3,
            lifespan="on",
        )
    )


def _open(address: str) -> None:
    with contextlib.suppress(Exception):
        webbrowser.open(address)


@contextlib.contextmanager
def running(lang: str = "fa", host: str = "127.0.0.1") -> Iterator[tuple[str, State]]:
    """The app served from a thread, for tests and screenshots: (its one-time address, its
    memory). Stopped (and its session folder removed) when the block ends."""
    port = free_port(host)
    app, keys, state = build(host, port, lang)
    server = _server(app, host, port)
    thread = threading.Thread(target=server.run, name="simad-ui", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield one_time_address(host, port, keys), state
    finally:
        server.should_exit = True
        thread.join(30)
