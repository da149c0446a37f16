"""Open a SIMAD client for a target: the embedded sandbox (in-process) or a base URL."""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from pipeline.core.config import (
    SANDBOX,
    Credentials,
    MaxaCredentials,
    http_timeout,
    maxa_credentials,
    resolve_target,
    sandbox_latency,
    simad_credentials,
    simad_home,
)
from pipeline.core.errors import RetryableError
from pipeline.maxa.client import MaxaClient
from pipeline.net import transport as network
from pipeline.net.limiter import Pace
from pipeline.net.retry import RetryPolicy
from pipeline.simad.client import SimadClient

SANDBOX_BASE_URL = "http://sandbox.local"


def network_settings(*, proxy: str | None = None, ca_bundle: str | None = None) -> None:
    """``--proxy`` and ``--ca-bundle`` taken (as SIMAD_PROXY and SIMAD_CA_BUNDLE), then every
    network setting checked before a command does anything (``ConfigError``, exit 2)."""
    network.choose(proxy=proxy, ca_bundle=ca_bundle)
    network.check_settings()


def sandbox_transport() -> httpx.ASGITransport:
    """The sandbox app, in-process, with its state in ``SIMAD_HOME/sandbox.db``; it answers
    after ``SIMAD_SANDBOX_LATENCY_MS`` when set (a rehearsal of a distant server's pace)."""
    # Lazy: the sandbox (Starlette and its routes) is only needed when it is the target, and
    # costs ~30 ms of start-up otherwise.
    from pipeline.sandbox import SandboxSettings, create_app

    settings = SandboxSettings(db_path=simad_home() / "sandbox.db", latency_ms=sandbox_latency())
    return httpx.ASGITransport(app=create_app(settings))


@dataclass(frozen=True)
class Tuning:
    """How a SIMAD client behaves besides its target, credentials, retries and pace."""

    max_connections: int = 16
    timeout: float | None = None  # seconds; None: ``SIMAD_TIMEOUT`` or its default
    clock: Callable[[], float] = time.time
    on_retry: Callable[[int, RetryableError, float], None] | None = None  # hears each retry


def default_policy(timeout: float | None = None) -> RetryPolicy:
    """The retry policy of a command: it gives up 3 × the timeout after a call's first
    attempt, and counts no 429 among the attempts (a limit shared with other offices)."""
    return RetryPolicy(max_elapsed=3 * (timeout or http_timeout()), patient=True)


def paced(max_rate: float | None, policy: RetryPolicy) -> Pace:
    """A pace of at most ``max_rate`` requests per second (None: only push-back slows it),
    on the policy's clock."""
    return Pace(max_rate, clock=policy.clock, sleep=policy.sleep)


@asynccontextmanager
async def open_simad(
    target: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
    policy: RetryPolicy | None = None,
    pace: Pace | None = None,
    tuning: Tuning = Tuning(),
) -> AsyncIterator[SimadClient]:
    """A client for ``target`` whose every call goes through one retry policy (by default
    ``default_policy``) and one pace (by default, only push-back slows it); tests may hand in
    their own ``transport`` and ``policy``."""
    target = resolve_target(target)
    creds = credentials or simad_credentials(target, interactive=sys.stdin.isatty())
    if target == SANDBOX:
        base, transport = SANDBOX_BASE_URL, transport or sandbox_transport()
    else:
        base = target
    seconds = tuning.timeout or http_timeout()
    policy = policy or default_policy(seconds)
    client = SimadClient(
        base,
        creds,
        transport=transport,
        max_connections=tuning.max_connections,
        clock=tuning.clock,
        timeout=httpx.Timeout(seconds, connect=min(10.0, seconds)),
        policy=policy,
        on_retry=tuning.on_retry,
        pace=pace or paced(None, policy),
    )
    try:
        yield client
    finally:
        await client.aclose()


@asynccontextmanager
async def open_maxa(
    target: str | None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: MaxaCredentials | None = None,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[MaxaClient]:
    """A MAXA client for ``target`` (``MAXA_TARGET``; the sandbox by default)."""
    resolved = resolve_target(target, env_var="MAXA_TARGET")
    creds = credentials or maxa_credentials(resolved, interactive=sys.stdin.isatty())
    if resolved == SANDBOX:
        base, transport = SANDBOX_BASE_URL, transport or sandbox_transport()
    else:
        base = resolved
    async with MaxaClient(base, creds, transport=transport, clock=clock) as client:
        yield client
