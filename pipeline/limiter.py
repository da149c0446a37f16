"""Bounded, adaptive concurrency (additive increase, multiplicative decrease): halve the
requests in flight when the server pushes back (429/503) — at most once per ``cooldown``
seconds, so one burst of refusals counts once — and grow again by one after ``limit``
successes in a row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class AdaptiveLimiter:
    def __init__(
        self, maximum: int, *, cooldown: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.lowest = maximum
        self.active = 0
        self.cooldown = cooldown
        self._clock = clock
        self._last_decrease = float("-inf")
        self._successes = 0
        self._cond = asyncio.Condition()

    async def __aenter__(self) -> AdaptiveLimiter:
        async with self._cond:
            await self._cond.wait_for(lambda: self.active < self.limit)
            self.active += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def push_back(self) -> None:
        """The server said 'slow down'."""
        now = self._clock()
        if now - self._last_decrease < self.cooldown:
            return
        self._last_decrease = now
        self.limit = max(1, self.limit // 2)
        self.lowest = min(self.lowest, self.limit)
        self._successes = 0

    def success(self) -> None:
        self._successes += 1
        if self.limit < self.maximum and self._successes >= self.limit:
            self.limit += 1
            self._successes = 0
