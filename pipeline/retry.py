"""Retry with exponential backoff and jitter, honouring the server's ``Retry-After``.

The policy receives its sleep function and random source, so tests never really wait.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import RetryableError

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_attempts: int = 8  # about a minute of backoff: rides out a short outage
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = backoff / 2 + self.rng.uniform(0, backoff / 2)
        if retry_after is not None:
            return max(min(retry_after, self.max_delay * 4), jittered)
        return jittered

    async def run(
        self,
        call: Callable[[], Awaitable[T]],
        on_retry: Callable[[int, RetryableError, float], None] | None = None,
    ) -> tuple[T, int]:
        """Run ``call`` until it succeeds or attempts run out; return its result and attempts."""
        attempt = 1
        while True:
            try:
                return await call(), attempt
            except RetryableError as exc:
                if attempt >= self.max_attempts:
                    exc.attempts = attempt  # type: ignore[attr-defined]
                    raise
                wait = self.delay(attempt, exc.retry_after)
                if on_retry is not None:
                    on_retry(attempt, exc, wait)
                await self.sleep(wait)
                attempt += 1
