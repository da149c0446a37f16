"""Retry with exponential backoff and jitter, honouring the server's ``Retry-After``.

A call is tried up to ``max_attempts`` times, and not past ``max_elapsed`` seconds from its
first attempt: with the client's 30-second read timeout, a server that hangs is given up on
within about two minutes. The policy receives its clock, sleep function and random source,
so tests never really wait.

A ``patient`` policy (the commands') does not count a 429 among the attempts: the server did
not take the request and asked the client to come back, and the client's pace already slows
it down. Offices sharing one limit may each be refused many times in a row while the others
hold it (eight 429s in a minute failed a row that the next try would have sent), so a
throttled call is given up on only at ``max_elapsed``, and its backoff stays under
``THROTTLED_DELAY`` unless the server asks for longer. A bare 503 still counts: it may be a
server that is failing, not one that is busy.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.core.errors import RetryableError
from pipeline.net.limiter import THROTTLED

T = TypeVar("T")

THROTTLED_DELAY = 4.0  # seconds: the longest backoff after a 429 under a patient policy


@dataclass
class RetryPolicy:
    max_attempts: int = 8  # about a minute of backoff: rides out a short outage
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_elapsed: float = 90.0  # no new attempt starts later than this after the first
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    patient: bool = False  # a 429 is not counted among the attempts, only against the time

    def delay(
        self, attempt: int, retry_after: float | None = None, status: int | None = None
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), whose answer
        had ``status`` (None: no answer)."""
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        jittered: float = backoff / 2 + self.rng.uniform(0, backoff / 2)
        if self._waited(status):
            jittered = min(jittered, THROTTLED_DELAY)
        if retry_after is not None:
            return max(min(retry_after, self.max_delay * 4), jittered)
        return jittered

    def _waited(self, status: int | None) -> bool:
        """Whether an answer with ``status`` only asked the client to wait (a 429, under a
        patient policy): not a failed attempt, and no long backoff."""
        return self.patient and status == THROTTLED

    async def run(
        self,
        call: Callable[[], Awaitable[T]],
        on_retry: Callable[[int, RetryableError, float], None] | None = None,
    ) -> tuple[T, int]:
        """Run ``call`` until it succeeds or attempts or time run out; return its result and
        the attempts made. The last ``RetryableError`` is raised with its ``attempts`` set."""
        attempt, counted = 1, 0  # every try; the failed ones that count as attempts
        first = self.clock()
        while True:
            try:
                return await call(), attempt
            except RetryableError as exc:
                exc.attempts = attempt
                counted += not self._waited(exc.status)
                wait = self.delay(attempt, exc.retry_after, exc.status)
                late = self.clock() - first + wait > self.max_elapsed
                if counted >= self.max_attempts or late:
                    raise
                if on_retry is not None:
                    on_retry(attempt, exc, wait)
                await self.sleep(wait)
                attempt += 1
