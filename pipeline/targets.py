"""Open a SIMAD client for a target: the embedded sandbox (in-process) or a base URL."""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from .config import SANDBOX, Credentials, resolve_target, simad_credentials, simad_home
from .simad_client import SimadClient

SANDBOX_BASE_URL = "http://sandbox.local"


def sandbox_transport() -> httpx.ASGITransport:
    """The sandbox app, in-process, with its state in ``SIMAD_HOME/sandbox.db``."""
    from .sandbox import SandboxSettings, create_app

    return httpx.ASGITransport(app=create_app(SandboxSettings(db_path=simad_home() / "sandbox.db")))


@asynccontextmanager
async def open_simad(
    target: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
    max_connections: int = 16,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[SimadClient]:
    """A client for ``target``; tests may hand in their own ``transport``."""
    target = resolve_target(target)
    creds = credentials or simad_credentials(target, interactive=sys.stdin.isatty())
    if target == SANDBOX:
        base, transport = SANDBOX_BASE_URL, transport or sandbox_transport()
    else:
        base = target
    client = SimadClient(
        base, creds, transport=transport, max_connections=max_connections, clock=clock
    )
    try:
        yield client
    finally:
        await client.aclose()
