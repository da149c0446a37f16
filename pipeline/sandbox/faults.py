"""Fault injection for rehearsals and tests: latency, random 503s and a rate limit (429).

Seeded, so a run with the same seed and the same requests sees the same faults.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send


class FaultInjector:
    def __init__(
        self,
        app: ASGIApp,
        *,
        latency_ms: float = 0.0,
        fail_rate: float = 0.0,
        rate_limit: float = 0.0,
        seed: int = 0,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.app = app
        self.latency = latency_ms / 1000.0
        self.fail_rate = fail_rate
        self.rate_limit = rate_limit
        self.rng = random.Random(seed)
        self.clock = clock
        self.sleep = sleep
        self._tokens = rate_limit
        self._last = clock()
        self.counts = {"requests": 0, "failed_503": 0, "limited_429": 0}

    def _take_token(self) -> bool:
        now = self.clock()
        self._tokens = min(self.rate_limit, self._tokens + (now - self._last) * self.rate_limit)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counts["requests"] += 1
        if self.latency:
            await self.sleep(self.latency)
        if self.rate_limit and not self._take_token():
            self.counts["limited_429"] += 1
            wait = max(1, math.ceil(1 / self.rate_limit))
            await _reply(
                send,
                429,
                {"title": "Too Many Requests", "status": 429},
                [(b"retry-after", str(wait).encode())],
            )
            return
        if self.fail_rate and self.rng.random() < self.fail_rate:
            self.counts["failed_503"] += 1
            await _reply(send, 503, None, [])
            return
        await self.app(scope, receive, send)


async def _reply(send: Send, status: int, body: dict | None, headers: list) -> None:
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
