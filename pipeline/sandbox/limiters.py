"""The rate limiters a sandbox can put in front of its service, one per account, in the shapes
gateways and frameworks commonly have, so that a sender can be rehearsed against each:

- ``token-bucket``: ``rate`` tokens a second, ``burst`` seconds of them at most (one by
  default): a burst is let through at once, then ``rate`` a second (API gateways);
- ``sliding-window``: at most ``rate`` accepted requests in any window of one second; or,
  with ``segments`` (ASP.NET Core's ``SlidingWindowRateLimiter`` and its
  ``SegmentsPerWindow``), counted in that many equal parts of the window, from the
  limiter's first request on: at most ``rate`` in the part running and the ones before it
  that the window still covers;
- ``fixed-window``: at most ``rate`` a calendar second, the count reset at each second's
  boundary (ASP.NET Core's ``FixedWindowRateLimiter``);
- ``sliding-window-counter``: the calendar second's count, plus the last second's weighted
  by the share of it the one-second window ending now still covers, below ``rate``
  (Cloudflare's and GitHub's limits, Kong's ``sliding`` policy, most limiters kept in
  Redis): a sliding window told from two counts, which lets more through while the second
  before was quiet (after a hold) than a steady client may send;
- any window may be ``window`` seconds long instead of one (ASP.NET Core's ``Window``
  option, often ten seconds or a minute), holding ``rate`` times as many: the same rate on
  average, in bursts a client meets at each window's start;
- ``leaky-bucket``: requests spaced at least ``1/rate`` apart, with ``burst`` seconds of
  excess tolerated (none by default), as nginx's ``limit_req``: with no burst, a request
  arriving sooner than ``1/rate`` after the last accepted one is refused;
- ``concurrency``: at most ``rate`` requests of the account being served at once.

Only accepted requests count against a limit. A refusal is answered ``push_back`` (429 or
503) with a ``Retry-After`` that is ``exact`` (whole seconds until a request would be
accepted, rounded up), ``one`` (always 1), ``zero`` (0), ``date`` (an HTTP date, exact but
to the second) or ``none`` (no header).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, replace
from email.utils import formatdate
from typing import Protocol

SHAPES = (
    "token-bucket",
    "sliding-window",
    "fixed-window",
    "sliding-window-counter",
    "leaky-bucket",
    "concurrency",
)
BURSTING = ("token-bucket", "leaky-bucket")  # the shapes a burst (``--burst``) shapes
# the shapes a window's length (``--window``) shapes
WINDOWS = ("sliding-window", "fixed-window", "sliding-window-counter")
SEGMENTED = "sliding-window"  # the shape a window's parts (``--segments``) shape
MAX_SEGMENTS = 1000  # the most parts a window is cut into
AN_INSTANT = 1e-9  # seconds: the least wait a refusal says
RETRY_AFTER = ("exact", "one", "zero", "date", "none")
PUSH_BACK = (429, 503)
MAX_WINDOW = 3600.0  # seconds: the longest window a sandbox has (an hour)
# The ways of refusing a rehearsal runs through: 429 with each Retry-After, and a bare 503.
VARIANTS = (*(f"429-{ra}" for ra in RETRY_AFTER), "503-none")


class Limiter(Protocol):
    def admit(self, now: float) -> float | None:
        """None when a request arriving at ``now`` is accepted (and counted), else the
        seconds until one would be."""

    def release(self) -> None:
        """An accepted request has been answered."""


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.size = rate, max(1.0, rate * burst)
        self.tokens, self.last = self.size, -math.inf

    def admit(self, now: float) -> float | None:
        if self.last > -math.inf:
            self.tokens = min(self.size, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate

    def release(self) -> None:
        pass


def window_size(rate: float, window: float) -> int:
    """Requests a window of ``window`` seconds holds at ``rate`` a second: one at least (and
    29 for 0.29 a second over 100 s, which the product of floats puts a hair under)."""
    return max(1, int(rate * window + 1e-9))


class SlidingWindow:
    def __init__(self, rate: float, window: float = 1.0) -> None:
        self.size, self.window = window_size(rate, window), window
        self.accepted: deque[float] = deque()

    def admit(self, now: float) -> float | None:
        while self.accepted and self.accepted[0] <= now - self.window:
            self.accepted.popleft()
        if len(self.accepted) < self.size:
            self.accepted.append(now)
            return None
        return self.accepted[0] + self.window - now

    def release(self) -> None:
        pass


class SegmentedWindow:
    """ASP.NET Core's ``SlidingWindowRateLimiter``: the window cut into ``segments`` equal
    parts, from the limiter's first request on (its timer starts when the limiter is made,
    as the framework makes one per partition at its first request); each accepted request
    is counted in the part it arrives in, and a part's count is freed when the window has
    slid past it. At most ``size`` in the part running and the ``segments - 1`` before it."""

    def __init__(self, rate: float, window: float = 1.0, segments: int = 1) -> None:
        self.size, self.segments = window_size(rate, window), segments
        self.part = window / segments
        self.start: float | None = None
        self.counts: deque[list[int]] = deque()  # [part's number since the start, count]

    def admit(self, now: float) -> float | None:
        if self.start is None:
            self.start = now
        part = math.floor((now - self.start) / self.part + 1e-9)
        while self.counts and self.counts[0][0] <= part - self.segments:
            self.counts.popleft()
        held = sum(count for _, count in self.counts)
        if held < self.size:
            if self.counts and self.counts[-1][0] == part:
                self.counts[-1][1] += 1
            else:
                self.counts.append([part, 1])
            return None
        # The oldest parts leave first: the window has room once enough of them have left.
        gone = itertools.accumulate(count for _, count in self.counts)
        parts = zip(self.counts, gone, strict=True)
        freed = next(number for (number, _), out in parts if held - out < self.size)
        return self.start + (freed + self.segments) * self.part - now

    def release(self) -> None:
        pass


class FixedWindow:
    def __init__(self, rate: float, window: float = 1.0) -> None:
        self.size, self.length = window_size(rate, window), window
        self.window, self.count = -math.inf, 0  # (the window's number since the clock's 0)

    def admit(self, now: float) -> float | None:
        window = math.floor(now / self.length)
        if window != self.window:
            self.window, self.count = window, 0
        if self.count < self.size:
            self.count += 1
            return None
        return (window + 1) * self.length - now

    def release(self) -> None:
        pass


class WindowCounter:
    """The sliding window counter: the count of the window of the clock running, plus the
    window before it weighted by the share of it the window ending now still covers; a
    request is accepted while that estimate is below ``size``. A client sending steadily is
    held to the rate as by a sliding window; after a quiet window (a hold) up to twice as
    many are let through over the next."""

    def __init__(self, rate: float, window: float = 1.0) -> None:
        self.size, self.length = window_size(rate, window), window
        self.window, self.before, self.count = -math.inf, 0, 0

    def admit(self, now: float) -> float | None:
        window = math.floor(now / self.length)
        if window != self.window:
            self.before = self.count if window == self.window + 1 else 0
            self.window, self.count = window, 0
        into = now / self.length - window  # the share of this window gone
        if self.before * (1 - into) + self.count < self.size:
            self.count += 1
            return None
        if self.count < self.size:  # when the window before weighs little enough
            wait = 1 - (self.size - self.count) / self.before - into
        else:  # at the next window, once this one (the window before, then) weighs so
            wait = 1 - into + 1 - self.size / self.count
        return max(wait * self.length, AN_INSTANT)  # (an estimate at the limit: just after)

    def release(self) -> None:
        pass


class LeakyBucket:
    """nginx's ``limit_req``: the excess (in requests) drains at ``rate`` a second; a request
    that would bring it above ``burst`` is refused and not counted."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, rate * burst
        self.excess, self.last = 0.0, -math.inf

    def admit(self, now: float) -> float | None:
        if self.last == -math.inf:
            excess = 0.0  # the first request
        else:
            excess = max(0.0, self.excess - (now - self.last) * self.rate + 1.0)
        if excess > self.burst + 1e-9:
            return (excess - self.burst) / self.rate
        self.excess, self.last = excess, now
        return None

    def release(self) -> None:
        pass


class Concurrency:
    def __init__(self, most: float) -> None:
        self.most, self.active = max(1, int(most)), 0

    def admit(self, now: float) -> float | None:
        if self.active >= self.most:
            return 1.0  # no telling when one ends: a second, as servers say
        self.active += 1
        return None

    def release(self) -> None:
        self.active -= 1


@dataclass(frozen=True)
class LimitSpec:
    """A limiter's shape and how its refusals are answered (the module's docstring)."""

    rate: float
    shape: str = "token-bucket"
    burst: float | None = None  # seconds of burst; None: one for a token bucket, else none
    retry_after: str = "exact"
    push_back: int = 429
    window: float = 1.0  # a window's seconds (the window shapes), holding rate × window
    segments: int = 0  # a sliding window's parts (ASP.NET Core's); 0: exact, any second

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown limiter shape {self.shape!r}")
        if self.retry_after not in RETRY_AFTER:
            raise ValueError(f"unknown Retry-After variant {self.retry_after!r}")
        if self.push_back not in PUSH_BACK:
            raise ValueError("push-back must be 429 or 503")
        if not 0 < self.window <= MAX_WINDOW:
            raise ValueError(f"a window is more than 0 and at most {MAX_WINDOW} seconds long")
        if not 0 <= self.segments <= MAX_SEGMENTS:
            raise ValueError(f"a window has 0 to {MAX_SEGMENTS} segments")

    @property
    def bursts(self) -> bool:
        """Whether a burst shapes this limiter (a window, or a limit on requests at once, has
        none to tell)."""
        return self.shape in BURSTING

    def with_burst(self, burst: float | None) -> LimitSpec:
        """This limiter with ``burst`` seconds of burst when a burst shapes it (given), else
        as it is."""
        return replace(self, burst=burst) if burst is not None and self.bursts else self

    @property
    def windowed(self) -> bool:
        """Whether a window's length shapes this limiter."""
        return self.shape in WINDOWS

    def with_window(self, window: float | None) -> LimitSpec:
        """This limiter with windows ``window`` seconds long when it has windows (given),
        else as it is."""
        return replace(self, window=window) if window is not None and self.windowed else self

    def with_segments(self, segments: int | None) -> LimitSpec:
        """This limiter with its window in ``segments`` parts when it is a sliding window
        (given), else as it is."""
        if segments is None or self.shape != SEGMENTED:
            return self
        return replace(self, segments=segments)

    @property
    def burst_seconds(self) -> float:
        """Seconds of burst: as given, else one for a token bucket and none otherwise."""
        if self.burst is not None:
            return self.burst
        return 1.0 if self.shape == "token-bucket" else 0.0

    def make(self) -> Limiter:
        if self.shape == "token-bucket":
            return TokenBucket(self.rate, self.burst_seconds)
        if self.shape == "sliding-window" and self.segments:
            return SegmentedWindow(self.rate, self.window, self.segments)
        if self.shape == "sliding-window":
            return SlidingWindow(self.rate, self.window)
        if self.shape == "fixed-window":
            return FixedWindow(self.rate, self.window)
        if self.shape == "sliding-window-counter":
            return WindowCounter(self.rate, self.window)
        if self.shape == "leaky-bucket":
            return LeakyBucket(self.rate, self.burst_seconds)
        return Concurrency(self.rate)

    def capacity(self, span: float, service: float) -> float:
        """Requests the limiter lets through over ``span`` seconds at most, to a client that
        sends at the right moments; for a concurrency limit, when each request takes
        ``service`` seconds."""
        if self.shape == "token-bucket":
            return self.rate * span + max(1.0, self.rate * self.burst_seconds)
        if self.windowed:  # (the first window's whole count, at once)
            return self.rate * (span + self.window)
        if self.shape == "leaky-bucket":
            return self.rate * span + 1 + self.rate * self.burst_seconds
        return max(1, int(self.rate)) * span / service

    def retry_after_value(self, wait: float, wall: float) -> str | None:
        """The ``Retry-After`` of a refusal ``wait`` seconds before a request would be
        accepted, at wall-clock time ``wall`` (for a date); None: no header."""
        whole = max(1, math.ceil(wait - 1e-9))
        if self.retry_after == "exact":
            return str(whole)
        if self.retry_after == "one":
            return "1"
        if self.retry_after == "zero":
            return "0"
        if self.retry_after == "date":
            return formatdate(wall + wait, usegmt=True)
        return None


def limit_for(shape: str, rate: float, variant: str, service: float) -> LimitSpec:
    """A limiter of ``shape`` standing for ``rate`` requests a second, refusing as ``variant``
    says (``429-one``, ``503-none``): for a concurrency limit, the number at once (one at
    least) whose capacity is nearest ``rate`` when a request takes ``service`` seconds."""
    status, retry_after = variant.split("-")
    limit = max(1.0, round(rate * service)) if shape == "concurrency" else rate
    return LimitSpec(limit, shape, retry_after=retry_after, push_back=int(status))


class Limits:
    """One limiter per account."""

    def __init__(self, spec: LimitSpec) -> None:
        self.spec = spec
        self._by: dict[str, Limiter] = {}

    def admit(self, account: str, now: float) -> float | None:
        limiter = self._by.get(account)
        if limiter is None:
            limiter = self._by[account] = self.spec.make()
        return limiter.admit(now)

    def release(self, account: str) -> None:
        self._by[account].release()
