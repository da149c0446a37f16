"""Serve the sandbox with uvicorn (``simad sandbox serve``): over HTTP, or over HTTPS with a
certificate and key given (``--tls-cert``/``--tls-key``), for rehearsals of real TLS."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from pipeline.sandbox import create_app
from pipeline.sandbox.settings import SandboxSettings


def server_config(
    settings: SandboxSettings,
    host: str = "127.0.0.1",
    port: int = 8765,
    tls: tuple[Path, Path] | None = None,
) -> uvicorn.Config:
    """The uvicorn configuration of the sandbox; ``tls``: (certificate, key) PEM files."""
    app = create_app(settings)
    certificate, key = (str(tls[0]), str(tls[1])) if tls else (None, None)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ssl_certfile=certificate,
        ssl_keyfile=key,
        date_header=False,  # the sandbox dates its answers itself, on its own clock
    )


def serve(
    settings: SandboxSettings,
    host: str = "127.0.0.1",
    port: int = 8765,
    tls: tuple[Path, Path] | None = None,
) -> None:
    uvicorn.Server(server_config(settings, host, port, tls)).run()
