"""Pacing against a busy server: how fast requests leave (``Pace``) and how many are in flight
at once (``InFlight``).

``Pace`` is an adaptive rate limiter in the shape of AWS's adaptive retry mode, with the
additive increase that makes clients sharing one limit converge to equal shares (Chiu and
Jain's AIMD; TCP CUBIC's "TCP-friendly" region):

- Until the server first pushes back (429, 503), requests leave as fast as the in-flight cap
  lets them: a server without a limit is used fully.
- On push-back the rate drops to ``BETA`` (0.75) of the rate the server accepted from this
  client over the last second. One cut per round: an answer to a request sent before the
  last cut does not cut again (the same burst).
- On success the rate grows back by ``GROWTH`` requests per second every second, the same for
  every client whatever its rate, and never past twice what the server is measured to accept.
  A cut takes more from a fast client than from a slow one and the growth gives both the same,
  so clients sharing one limit drift towards equal shares; a lone client spends most of its
  time between 75% and 100% of the limit. (CUBIC's curve grows back to each client's own
  previous rate instead, which keeps an unfair split unfair.)
- After a storm of bare 503s (cuts less than ``STORM`` apart) the rate doubles each second
  back to ``BETA`` of what was accepted before the storm, then grows as above.
- Requests leave at the current rate, at moments a little random (gaps vary by about half
  their mean): a client sending in strict lockstep finds the server's tokens as they come
  and leaves the refusals to the others, so the fast one would never be told to slow down.
- ``Retry-After`` (seconds or an HTTP date) holds back every request of the client, not only
  the one that got it; the hold is not made up for afterwards with a burst.
- ``max_rate`` is the office's own cap (``--max-rate``, ``SIMAD_MAX_RATE``): the rate never
  exceeds it, from the first request on, and requests are at least ``1/max_rate`` apart.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("simad.pace")

BETA = 0.75  # the share of the accepted rate kept on push-back (AWS and CUBIC keep 0.7)
GROWTH = 4.0  # requests per second added each second after a cut, the same for every client
SPREAD = 4  # gaps between requests are Gamma(4): about half their mean either way
RATE_WINDOW = 1.0  # seconds over which the accepted rate is measured
MIN_RATE = 0.5  # requests per second: never slower than this
MAX_HOLD = 120.0  # the longest Retry-After honoured for the whole client
EPSILON = 1e-6  # seconds below a clock's rounding: no wait that short
THROTTLED, OVERLOADED = 429, 503
PUSH_BACK = frozenset({THROTTLED, OVERLOADED})  # answers that ask the client to slow down
STORM = 2.0  # seconds: 503 cuts closer together than this are one storm, remembered as one
CROWD_SAMPLE, CROWD_SHARE = 20, 0.4  # a bare 503 cuts again when 40% of 20+ answers were


class Pace:
    def __init__(
        self,
        max_rate: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if max_rate is not None and max_rate <= 0:
            raise ValueError("the maximum rate must be positive")
        self.max_rate = max_rate
        self._clock, self._sleep = clock, sleep
        self._rng = rng or random.Random()
        self.limited = max_rate is not None  # paced at all (else only the in-flight cap)
        self.rate = max_rate or 0.0  # requests per second while ``limited``
        self._next = float("-inf")  # the earliest moment the next request may leave
        self.held_until = float("-inf")  # Retry-After: nothing leaves before this
        self._held_from = float("-inf")
        self.floor = 0.0  # the rate right after the last cut, where the growth starts
        self.threshold = 0.0  # below it the rate doubles each second (back after a 503 storm)
        self._k = 0.0  # seconds the growth takes to climb back to the rate that was cut
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
        async with self._lock:  # first come, first served
            while True:
                now = self._now()
                turn = max(self.held_until, self._next) if self.limited else self.held_until
                if now < turn - EPSILON:
                    await self._wait(turn - now)
                    continue  # a Retry-After or a cut may have come meanwhile
                if self.limited:
                    # Counted from this request's turn, not from when the sleep returned:
                    # a timer's lateness is made up for, a pause longer than a gap is not.
                    late = now - self._next < 1 / self.rate
                    self._next = (self._next if late else now) + self._gap()
                return now

    def _gap(self) -> float:
        """Seconds until the next request may leave: ``1/rate`` on average, a little random,
        and never less than ``1/max_rate``."""
        mean = 1 / self.rate
        least = min(1 / self.max_rate, mean) if self.max_rate else 0.0
        spread = mean - least
        return least + (self._rng.gammavariate(SPREAD, spread / SPREAD) if spread > 0 else 0.0)

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
        before = self.rate if self.limited else measured
        base = max(min(measured, before), MIN_RATE)
        self.floor = base * BETA
        if why == "limit" or now - self.last_cut > STORM:
            self.threshold = self.floor
        self._k = self._climb(base)
        self.last_cut = now
        self.cuts += 1
        self._since_cut = self._pushed_since_cut = 0
        self.limited = True
        self._set(self.floor)
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
        push-back (that cut was not enough: "crowded"), or once the rate has grown back to
        where it was cut and beyond for as long again ("overload"): a server that fails now
        and then at random costs a little speed, and the rate does not collapse. Either needs
        ``CROWD_SAMPLE`` answers over the last second."""
        if status == THROTTLED or retry_after is not None:
            return "limit"
        if len(self._answers) < CROWD_SAMPLE:
            return None  # too few answers over the last second to tell a storm from bad luck
        if (
            self.cuts
            and self._since_cut >= CROWD_SAMPLE
            and self._pushed_since_cut >= CROWD_SHARE * self._since_cut
        ):
            return "crowded"
        if not self.cuts or now - self.last_cut >= max(2 * self._k, STORM):
            return "overload"
        return None

    def measured(self, now: float, *, whole_window: bool = True, sending: bool = False) -> float:
        """Requests per second the server accepted over the last ``RATE_WINDOW`` seconds: what
        this client really got, time held back by Retry-After included, or with ``sending``
        per second it was free to send. A rate limit is measured over the whole window even at
        the start: a gateway's bucket lets one second's worth through at once, so that second
        is its rate. Otherwise over the time there were answers."""
        while self._answers and self._answers[0][0] < now - RATE_WINDOW:
            self._answers.popleft()
        span = RATE_WINDOW
        if not whole_window and self._first is not None:
            span = min(RATE_WINDOW, now - self._first)
        if sending:
            start = now - span
            span -= max(0.0, min(now, self.held_until) - max(start, self._held_from))
        return sum(1 for _, ok in self._answers if ok) / max(span, 0.01)

    def _fast(self) -> float:
        """Seconds of doubling from the floor up to the threshold (after a storm of 503s)."""
        return math.log2(self.threshold / self.floor) if self.threshold > self.floor else 0.0

    def _grown(self, t: float) -> float:
        """The rate ``t`` seconds after the last cut: doubling each second up to the
        threshold, then ``GROWTH`` more each second."""
        fast = self._fast()
        if t < fast:
            return self.floor * 2**t
        return max(self.threshold, self.floor) + GROWTH * (t - fast)

    def _climb(self, rate: float) -> float:
        """Seconds the growth takes from the floor to ``rate`` (``_grown`` inverted)."""
        top = max(self.threshold, self.floor)
        if rate <= top:
            return math.log2(rate / self.floor) if rate > self.floor else 0.0
        return self._fast() + (rate - top) / GROWTH

    def _grow(self, now: float) -> None:
        grown = self._grown(now - self.last_cut)
        # Never past twice what the server accepted while the client was free to send: a
        # client just out of a hold is not kept at the crawl the hold made of its last second.
        ceiling = max(2 * self.measured(now, sending=True), self.floor)
        self._set(min(grown, ceiling))

    def _set(self, rate: float) -> None:
        rate = max(rate, MIN_RATE)
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        self.rate = rate


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
