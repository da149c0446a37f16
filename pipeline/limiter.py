"""Pacing against a busy server: how fast requests leave (``Pace``) and how many are in flight
at once (``InFlight``).

``Pace`` is a token bucket whose rate adapts, in the shape of AWS's adaptive retry mode, whose
growth curve is TCP CUBIC's:

- Until the server first pushes back (429, 503), requests leave as fast as the in-flight cap
  lets them: a server without a limit is used fully.
- On push-back the rate drops to ``BETA`` (0.7) of the rate the server was measured to accept
  over the last second, and that rate becomes the curve's plateau. One cut per round: an
  answer to a request sent before the last cut does not cut again (the same burst).
- On success the rate grows back along ``SCALE·(t − K)³ + plateau``. It rises fast at first,
  flattens near the rate that was pushed back (a long stay just below the server's limit),
  then probes upward slowly. It never goes past twice what the server is measured to accept.
- ``Retry-After`` (seconds or an HTTP date) holds back every request of the client, not only
  the one that got it.
- ``max_rate`` is the office's own cap (``--max-rate``, ``SIMAD_MAX_RATE``): the rate never
  exceeds it, from the first request on.

The bucket holds up to one second of tokens: after a pause the client may use the second the
server banked for it, as a gateway's token bucket allows.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("simad.pace")

BETA = 0.7  # the share of the measured rate kept on push-back (AWS, CUBIC)
SCALE = 0.2  # CUBIC's C: how fast the rate grows back (AWS: 0.4; half as fast refuses less)
RATE_WINDOW = 1.0  # seconds over which the accepted rate is measured
BURST = 1.0  # seconds of requests the bucket may release at once
MIN_RATE = 0.5  # requests per second: never slower than this
MAX_HOLD = 120.0  # the longest Retry-After honoured for the whole client
EPSILON = 1e-6  # seconds (and tokens) below a clock's rounding: no wait that short
THROTTLED, OVERLOADED = 429, 503
PUSH_BACK = frozenset({THROTTLED, OVERLOADED})  # answers that ask the client to slow down
CROWD_SAMPLE, CROWD_SHARE = 10, 0.4  # a bare 503 cuts again when 40% of 10+ answers were


class Pace:
    def __init__(
        self,
        max_rate: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_rate is not None and max_rate <= 0:
            raise ValueError("the maximum rate must be positive")
        self.max_rate = max_rate
        self._clock, self._sleep = clock, sleep
        self.limited = max_rate is not None  # paced at all (else only the in-flight cap)
        self.rate = max_rate or 0.0  # requests per second while ``limited``
        self._tokens = 1.0
        self._filled = clock()
        self.held_until = float("-inf")  # Retry-After: nothing leaves before this
        self._held_from = float("-inf")
        self.plateau = 0.0  # the rate at the last cut
        self._k = 0.0  # seconds the curve takes to climb back to the plateau
        self.last_cut = float("-inf")
        self._answers: deque[tuple[float, bool]] = deque()  # (when, accepted), last second
        self._since_cut = self._pushed_since_cut = 0
        self._first: float | None = None  # when the first answer came
        self.pushed_back = 0  # answers that were push-back (429, 503)
        self.cuts = 0
        self._lock = asyncio.Lock()
        self._skew = 0.0  # time a sleep that did not move the clock (a test's) stood for

    def _now(self) -> float:
        return self._clock() + self._skew

    async def _wait(self, seconds: float) -> None:
        """Sleep; a sleep that returns without the clock moving (a test's no-op sleep with a
        real clock) counts as the time it stood for, so waiting never spins."""
        until = self._now() + seconds
        await self._sleep(seconds)
        if self._now() < until:
            self._skew += until - self._now()

    @property
    def current(self) -> float | None:
        """The rate in use, or None while only the in-flight cap paces the requests."""
        return self.rate if self.limited else None

    async def acquire(self) -> float:
        """Wait for this request's turn; the moment it leaves (to pass to ``answered``)."""
        async with self._lock:  # first come, first served, evenly spaced
            while True:
                now = self._now()
                if now < self.held_until - EPSILON:
                    await self._wait(self.held_until - now)
                    continue
                if not self.limited:
                    return now
                self._refill(now)
                if self._tokens < 1 - EPSILON:
                    await self._wait((1 - self._tokens) / self.rate)
                    self._refill(self._now())
                    self._tokens = max(self._tokens, 1.0)  # waited for: this request's token
                    continue  # a Retry-After may have come meanwhile
                self._tokens = max(self._tokens - 1, 0.0)
                return now

    def answered(self, sent_at: float, status: int, retry_after: float | None = None) -> None:
        """Hear how a request sent at ``sent_at`` was answered (its HTTP status)."""
        now = self._now()
        if retry_after is not None and retry_after > 0:
            if self.held_until < now:  # a new hold; else the one running is extended
                self._held_from = now
            self.held_until = max(self.held_until, now + min(retry_after, MAX_HOLD))
        self._since_cut += 1
        self._answers.append((now, status not in PUSH_BACK))
        if self._first is None:
            self._first = now
        if status not in PUSH_BACK:
            if self.cuts:
                self._grow(now)
            return
        self.pushed_back += 1
        self._pushed_since_cut += 1
        if sent_at <= self.last_cut:
            return  # sent before the last cut: that cut was for it
        why = self._worth_a_cut(now, status, retry_after)
        if why is None:
            return
        measured = self.measured(now, whole_window=why == "limit")
        base = min(measured, self.rate) if self.limited else measured
        self.plateau = max(base, MIN_RATE)
        self._k = (self.plateau * (1 - BETA) / SCALE) ** (1 / 3)
        self.last_cut = now
        self.cuts += 1
        self._since_cut = self._pushed_since_cut = 0
        self.limited = True
        self._set(self.plateau * BETA, now)
        log.info(
            "pace_cut",
            status=status,
            rate=round(self.rate, 1),
            accepted=round(measured, 1),
            retry_after=retry_after,
        )

    def _worth_a_cut(self, now: float, status: int, retry_after: float | None) -> str | None:
        """Why this push-back cuts the rate, or None. A 429 or a Retry-After always cuts (a
        rate limit spoke: "limit"). A bare 503 cuts when many answers since the last cut were
        push-back (that cut was not enough: "crowded"), or once the rate has climbed back to
        the plateau and probed beyond it as long again ("overload"): a server that fails now
        and then at random costs a little speed, and the rate does not collapse."""
        if status == THROTTLED or retry_after is not None:
            return "limit"
        if (
            self.cuts
            and self._since_cut >= CROWD_SAMPLE
            and self._pushed_since_cut >= CROWD_SHARE * self._since_cut
        ):
            return "crowded"
        if not self.cuts or now - self.last_cut >= 2 * self._k:
            return "overload"
        return None

    def measured(self, now: float, *, whole_window: bool = True) -> float:
        """Requests per second the server accepted over the last ``RATE_WINDOW`` seconds, not
        counting the time Retry-After held the client back. A rate limit is measured over the
        whole window even at the start: a gateway's bucket lets one second's worth through at
        once, so that second is its rate. Otherwise over the time there were answers."""
        while self._answers and self._answers[0][0] < now - RATE_WINDOW:
            self._answers.popleft()
        start = now - RATE_WINDOW
        held = max(0.0, min(now, self.held_until) - max(start, self._held_from))
        span = RATE_WINDOW
        if not whole_window and self._first is not None:
            span = min(RATE_WINDOW, now - self._first)
        return sum(1 for _, ok in self._answers if ok) / max(span - held, 0.01)

    def _grow(self, now: float) -> None:
        t = now - self.last_cut
        curve = SCALE * (t - self._k) ** 3 + self.plateau
        ceiling = max(2 * self.measured(now), self.plateau * BETA)
        self._set(min(curve, ceiling), now)

    def _set(self, rate: float, now: float) -> None:
        self._refill(now)
        rate = max(rate, MIN_RATE)
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        self.rate = rate
        self._tokens = min(self._tokens, self._capacity)

    @property
    def _capacity(self) -> float:
        return max(1.0, self.rate * BURST)

    def _refill(self, now: float) -> None:
        if self.limited:
            self._tokens = min(self._capacity, self._tokens + (now - self._filled) * self.rate)
        self._filled = now


class InFlight:
    """At most ``maximum`` requests in flight at once (the concurrency)."""

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.active = 0
        self._cond = asyncio.Condition()

    async def __aenter__(self) -> InFlight:
        async with self._cond:
            await self._cond.wait_for(lambda: self.active < self.maximum)
            self.active += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self._cond:
            self.active -= 1
            self._cond.notify_all()


def jain(throughputs: list[float]) -> float:
    """Jain's fairness index: 1 when every client gets the same, 1/n when one gets it all."""
    if not throughputs or not any(throughputs):
        return 0.0
    return sum(throughputs) ** 2 / (len(throughputs) * sum(x * x for x in throughputs))
