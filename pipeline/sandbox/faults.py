"""Fault injection for rehearsals and tests, seeded so that the same requests see the same
faults:

- ``latency_ms``: a delay before every answer; ``hang``: seconds every request waits before
  its answer (a server that does not answer);
- ``fail_rate``: a share of requests answered 503 at random;
- ``rate_limit``: requests per second per account (or, for the ``concurrency`` shape, at once)
  beyond which a request is refused; ``limiter`` is the limiter's shape, ``burst`` its seconds
  of burst, ``window`` a window's seconds and ``segments`` a sliding window's parts,
  ``retry_after`` and ``push_back`` how a refusal is answered (``limiters`` says what each
  does; by default a token bucket with one second of burst, 429 and ``Retry-After`` in
  whole seconds until the account has a token again);
- ``overload_at``: a server that answers 503 to a request arriving while this many are
  already being served (overloaded, whatever the account);
- ``bogus_200``: a share of requests answered ``200 text/html`` with a login page, as a proxy
  or a login wall does, without reaching the service;
- ``echo_errors``: every error answer echoes the request's headers and body (the password, the
  bearer token, national codes), as a debugging server does;
- ``huge_error_body``: every error answer carries that many megabytes of text;
- ``garbled_get``: every GET (GetDeclareResidents, GetFinalResults, MAXA's Terminology) is
  answered ``200 application/json`` with these bytes instead of the service's answer — a
  number, a text, null, a maintenance notice, JSON cut short or nested 200,000 deep — as a
  server under maintenance or a broken proxy does; the client must not read it as "nothing".
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.sandbox.guard import MAX_BODY, read_body, replaying
from pipeline.sandbox.limiters import Limits, LimitSpec
from pipeline.sandbox.settings import SandboxSettings


@dataclass(frozen=True)
class Faults:
    """The faults a sandbox injects (the module's docstring says what each does), and the seed
    of its random ones."""

    latency_ms: float = 0.0
    fail_rate: float = 0.0
    rate_limit: float = 0.0
    limiter: str = "token-bucket"
    burst: float | None = None
    retry_after: str = "exact"
    push_back: int = 429
    window: float = 1.0
    segments: int = 0
    overload_at: int = 0
    bogus_200: float = 0.0
    echo_errors: bool = False
    hang: float = 0.0
    huge_error_body: float = 0.0
    garbled_get: bytes | None = None
    seed: int = 0

    @classmethod
    def of(cls, settings: SandboxSettings) -> Faults:
        """The faults a sandbox's settings ask for: every field the settings share by name
        (they have no ``garbled_get``)."""
        return cls(
            **{f.name: getattr(settings, f.name) for f in fields(cls) if f.name != "garbled_get"}
        )

    @property
    def any(self) -> bool:
        """Whether any fault is injected at all (the seed alone injects none)."""
        shaping = (
            *("seed", "garbled_get", "limiter", "burst", "retry_after", "push_back"),
            *("window", "segments"),
        )
        kept = (f.name for f in fields(self) if f.name not in shaping)
        return self.garbled_get is not None or any(getattr(self, name) for name in kept)


class FaultInjector:
    def __init__(
        self,
        app: ASGIApp,
        faults: Faults | None = None,
        *,
        clock: Callable[[], float],
        account_of: Callable[[Scope], str] = lambda _scope: "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        faults = faults if faults is not None else Faults()
        self.faults = faults
        self.app = app
        self.latency = faults.latency_ms / 1000.0
        self.fail_rate = faults.fail_rate
        self.rate_limit = faults.rate_limit
        self.overload_at = faults.overload_at
        self.account_of = account_of
        self.in_flight = 0
        self.bogus_200 = faults.bogus_200
        self.echo_errors = faults.echo_errors
        self.hang = faults.hang
        self.huge_error_body = int(faults.huge_error_body * 1024 * 1024)
        self.garbled_get = faults.garbled_get
        self.rng = random.Random(faults.seed)
        self.clock = clock
        self.sleep = sleep
        self.limits = (
            Limits(
                LimitSpec(
                    faults.rate_limit,
                    faults.limiter,
                    faults.burst,
                    faults.retry_after,
                    faults.push_back,
                    faults.window,
                    faults.segments,
                )
            )
            if faults.rate_limit
            else None
        )
        self.counts = {
            "requests": 0,
            "failed_503": 0,
            "limited_429": 0,
            "overloaded_503": 0,
            "bogus_200": 0,
            "garbled_get": 0,
        }
        self.accepted_by: dict[str, int] = {}  # account → requests let through the limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counts["requests"] += 1
        if self.overload_at and self.in_flight >= self.overload_at:
            self.counts["overloaded_503"] += 1
            if self.latency:
                await self.sleep(self.latency)
            await _reply(send, 503, None, [])
            return
        self.in_flight += 1
        account = self.account_of(scope)
        # A concurrency limit counts a request from its arrival to its answer; a rate limit
        # counts it when it reaches the service, after the latency.
        early = self.limits is not None and self.limits.spec.shape == "concurrency"
        wait = self.limits.admit(account, self.clock()) if early and self.limits else None
        try:
            if wait is None:
                await self._serve(scope, receive, send, account, counted=early)
            else:
                if self.latency:
                    await self.sleep(self.latency)
                await self._refuse(send, wait)
        finally:
            self.in_flight -= 1
            if early and wait is None and self.limits:
                self.limits.release(account)

    async def _refuse(self, send: Send, wait: float) -> None:
        """Answer a request the limiter refused, ``wait`` seconds before one would pass."""
        assert self.limits is not None
        spec = self.limits.spec
        self.counts["limited_429"] += 1
        value = spec.retry_after_value(wait, self.clock())  # the sandbox's clock is wall time
        headers = [] if value is None else [(b"retry-after", value.encode())]
        title = "Too Many Requests" if spec.push_back == 429 else "Service Unavailable"
        await _reply(send, spec.push_back, {"title": title, "status": spec.push_back}, headers)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, account: str, *, counted: bool
    ) -> None:
        if self.latency:
            await self.sleep(self.latency)
        if self.hang:
            await self.sleep(self.hang)
        rewrite = self.echo_errors or self.huge_error_body
        body = await read_body(receive, MAX_BODY) if rewrite else b""
        if rewrite:
            receive = replaying(body, receive)
            send = self._error_rewriter(scope, body, send)
        if self.limits is not None and not counted:
            wait = self.limits.admit(account, self.clock())
            if wait is not None:
                await self._refuse(send, wait)
                return
        self.accepted_by[account] = self.accepted_by.get(account, 0) + 1
        if self.fail_rate and self.rng.random() < self.fail_rate:
            self.counts["failed_503"] += 1
            await _reply(send, 503, None, [])
            return
        if self.bogus_200 and self.rng.random() < self.bogus_200:
            self.counts["bogus_200"] += 1
            await _send_all(send, 200, b"text/html; charset=utf-8", LOGIN_PAGE)
            return
        if self.garbled_get is not None and scope.get("method") == "GET":
            self.counts["garbled_get"] += 1
            await _send_all(send, 200, b"application/json; charset=utf-8", self.garbled_get)
            return
        await self.app(scope, receive, send)

    def _error_rewriter(self, scope: Scope, request_body: bytes, send: Send) -> Send:
        """A ``send`` that replaces the body of every error answer (status ≥ 400) with the
        original plus an echo of the request and/or a huge padding."""
        held: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewriting(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] < 400:
                    held["pass"] = True
                    await send(message)
                else:
                    held["start"] = message
                return
            if held.get("pass") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            start = held["start"]
            payload = b"".join(chunks)
            if self.echo_errors:
                lines = [f"{k.decode()}: {v.decode('latin-1')}" for k, v in scope["headers"]]
                payload += (
                    b"\n--- request (debug) ---\n"
                    + f"{scope['method']} {scope['path']}\n".encode()
                    + "\n".join(lines).encode()
                    + b"\n\n"
                    + request_body
                )
            if self.huge_error_body:
                payload += b"\n" + b"x" * self.huge_error_body
            await _send_all(send, start["status"], b"text/plain; charset=utf-8", payload)

        return rewriting


LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
    b"<form method='post' action='/login'><input name='user'><input name='password' "
    b"type='password'><button>Sign in</button></form></body></html>"
)


async def _send_all(send: Send, status: int, ctype: bytes, payload: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", ctype), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _reply(
    send: Send, status: int, body: dict[str, Any] | None, headers: list[tuple[bytes, bytes]]
) -> None:
    if body is None:
        payload, ctype = b"Service Unavailable", b"text/plain"
    else:
        payload, ctype = json.dumps(body).encode(), b"application/problem+json"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ctype),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
