"""Serve the sandbox over HTTP with uvicorn (``simad sandbox serve``)."""

from __future__ import annotations

import uvicorn

from pipeline.sandbox import create_app
from pipeline.sandbox.settings import SandboxSettings


def serve(settings: SandboxSettings, host: str = "127.0.0.1", port: int = 8765) -> None:
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn.Server(config).run()
