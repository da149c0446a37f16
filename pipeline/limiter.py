"""Bounded, adaptive concurrency: halve the number of requests in flight when the server
pushes back (429/503), grow it again by one after a run of successes."""

from __future__ import annotations

import asyncio


class AdaptiveLimiter:
    def __init__(self, maximum: int):
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.active = 0
        self._successes = 0
        self._cond = asyncio.Condition()
        self.lowest = maximum

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
        self.limit = max(1, self.limit // 2)
        self.lowest = min(self.lowest, self.limit)
        self._successes = 0

    def success(self) -> None:
        self._successes += 1
        if self.limit < self.maximum and self._successes >= 4 * self.limit:
            self.limit += 1
            self._successes = 0
