"""The gaps at which a client's requests reach a limit that spaces them (``ArrivalGaps``).

A leaky bucket without burst (nginx's ``limit_req``) accepts no request sooner than ``1/rate``
after the last it accepted, so the gaps between the arrivals it accepted bound its spacing
from above, and a refused request arrived closer than that to the last accepted one. The
client sees only when each request left and when its answer came, so it takes when the
request arrived from its round trip:

- **At the midpoint** (NTP's assumption): half the round trip each way. Where the network
  adds its jitter on both ways alike, the gaps read are the limit's own, and a plateau one
  jitter wider than the shortest gap accepted is refused by nothing (a sender told the limit
  does no better).
- **Where they best tell accepted from refused**, once a refusal came as far from the last
  accepted arrival as a gap the limit accepted (the midpoints no longer tell them apart):
  at the end of the round trip (its latency before the limiter, as the sandbox process
  sleeps its latency before its limiter counts) or at its start (a server's own work after
  the limiter, the slowest and least even part of an answer) — whichever leaves the
  shortest gap accepted furthest above the longest refused. Every gap is read at all three
  places at once, so the move costs nothing but the refusals that tell.
- **Anywhere in it**, where no one place tells them apart: each gap read as the longest it
  could have been (a refusal's, the shortest), which still bounds the spacing from above;
  the jitter to leave is then a whole round trip's spread, not half.
- **Not at all**, where not even that does: the arrivals accepted between this client's own
  were another's (clients sharing the limit).

A refusal is read once a request that left after it is accepted (the answer to one that left
just before it may come after its own). The plateau these gaps set (``Pace._gap_target``) is
kept to only while they are trusted; each refusal met there widens the gaps by what it
showed, and a few more (``REFUSALS`` where each holds the client a second) and they are not
trusted.
"""

from __future__ import annotations

import bisect
import math
from collections import deque

KEPT = 200  # accepted requests remembered, by when they left, to read the gaps between
FEW = 20  # gaps read, at least, before the shortest bounds the limit's spacing (``known``)
NEAR = 1.25  # a refusal this near the shortest gap (its gap times this, at least): ``tight``
WIDEN = 1.1  # a refusal at the plateau widens the gaps by this much more than it showed
REFUSALS = 2  # refusals at the plateau, at most, where each holds the client a second,
FREE_REFUSALS = 10  # and where each costs only its retry, before the gaps are not trusted
# Where in its round trip a request may reach the limiter: at the midpoint, at the end (the
# latency before the limiter), at the start (the server's own work after it). None: anywhere,
# each gap read as the longest (a refusal's, the shortest) it could have been.
PLACES: tuple[float, ...] = (0.5, 1.0, 0.0)
WHERE: tuple[float | None, ...] = (*PLACES, None)

Trip = tuple[float, float]  # (when the request left, its round trip), seconds


class ArrivalGaps:
    """The gaps between accepted arrivals a client has seen, and what its refusals said, read
    at each place in ``WHERE`` at once; the place read from is the one that best tells the
    gaps accepted from those refused."""

    def __init__(self) -> None:
        self._accepted: list[Trip] = []  # the last ``KEPT``, by when they left
        # refused, not read yet (and the margin the plateau left, when refused there); a
        # storm's may never be read: the last ``KEPT``
        self._waiting: deque[tuple[Trip, float | None]] = deque(maxlen=KEPT)
        self._least = dict.fromkeys(WHERE, math.inf)  # the shortest gap accepted, at each
        self._longest = dict.fromkeys(WHERE, 0.0)  # the longest gap refused, at each place
        self.where: float | None = PLACES[0]  # the place the gaps are read at
        self.read = 0  # gaps read
        self.trusted = True
        self.widened = 0.0  # the most a refusal at the plateau showed two arrivals closer
        self.refusals = 0  # refusals at the plateau
        self.patience = FREE_REFUSALS  # of them, at most (``REFUSALS`` once a refusal held)

    @property
    def least(self) -> float:
        """The shortest gap between two accepted arrivals, as read at ``where``."""
        return self._least[self.where]

    @property
    def refused_gap(self) -> float:
        """The longest gap from the last accepted arrival that was refused, as read there."""
        return self._longest[self.where]

    @property
    def spread_share(self) -> float:
        """The share of half the round trips' spread two arrivals may come closer by than
        they left: that half at the midpoints, all of it at either end or anywhere, none
        where the round trip's spread comes after the limiter."""
        return 2.0 if self.where is None else 2 * self.where

    def known(self) -> bool:
        """Whether the shortest gap bounds the limit's spacing: trusted, and read from
        ``FEW`` gaps or bracketed by a refusal nearly as far (``tight``)."""
        return self.trusted and (self.read >= FEW or self.tight())

    def tight(self) -> bool:
        """Whether a refusal came nearly as far from the last accepted arrival as the
        shortest gap accepted: the limit's spacing lies between the two."""
        return self.least <= NEAR * self.refused_gap

    def trips(self) -> list[float]:
        """The round trips of the accepted requests remembered."""
        return [trip for _, trip in self._accepted]

    def heard(self, now: float, sent: float, pushed: bool, margin: float | None = None) -> None:
        """A request that left at ``sent`` answered at ``now``: accepted, or refused
        (``pushed``), at the plateau the gaps set with ``margin`` seconds left beyond the
        shortest gap, or not there (None). A refusal is read once a request that left after
        it is accepted: the answer to one that left just before it may come after its own."""
        this = (sent, now - sent)
        if pushed:
            self._waiting.append((this, margin))
            return
        at = bisect.bisect(self._accepted, this)
        before = self._accepted[at - 1] if at else None
        after = self._accepted[at] if at < len(self._accepted) else None
        for first, then in ((before, this), (this, after)):
            if first is not None and then is not None:
                for where in WHERE:
                    gap = _gap(first, then, where)
                    self._least[where] = min(self._least[where], gap)
                self.read += 1
        self._accepted.insert(at, this)
        if len(self._accepted) > KEPT:
            self._accepted.pop(0)
        while self._waiting and self._waiting[0][0][0] < sent:
            refused, left = self._waiting.popleft()
            at = bisect.bisect(self._accepted, refused)
            if at:
                self._refused(self._accepted[at - 1], refused, left)
        self._choose()

    def _refused(self, before: Trip, this: Trip, margin: float | None) -> None:
        """A refusal read: the longest gap refused at each place; at the plateau (which left
        ``margin`` seconds beyond the shortest gap), the gaps widened by what it showed, and
        after ``patience`` such refusals not trusted."""
        for where in WHERE:
            gap = _gap(before, this, where, refused=True)
            self._longest[where] = max(self._longest[where], gap)
        if margin is not None and self.trusted:
            self.refusals += 1
            shown = WIDEN * _closer(before, this, self.where)
            self.widened = max(self.widened, shown)
            self.trusted = self.refusals <= self.patience

    def _choose(self) -> None:
        """Keep reading the gaps where they are read while that tells the gaps accepted from
        those refused (the shortest accepted above the longest refused); else at the place
        that best tells them apart; anywhere in the round trip where no one place does;
        nowhere (not trusted) where not even that does: another's arrivals between this
        client's own."""
        if not self.trusted or not any(self._longest[where] for where in WHERE):
            return  # (no refusal read yet: at the midpoints)
        apart = {where: self._least[where] - self._longest[where] for where in WHERE}
        if apart[self.where] > 0:
            return  # (the place read at still tells them apart)
        best = max(PLACES, key=lambda where: apart[where])
        if apart[best] > 0:
            where: float | None = best
        elif apart[None] > 0:
            where = None
        else:
            self.trusted = False
            return
        if where != self.where:
            self.where, self.widened = where, 0.0


def _gap(first: Trip, then: Trip, where: float | None, refused: bool = False) -> float:
    """How far apart two requests reached the server, read at ``where`` in their round trips;
    anywhere, the longest they could have been apart (a refusal's, the shortest: a bound from
    below)."""
    (left, trip), (later, later_trip) = first, then
    longer = later_trip - trip
    if where is not None:
        return later - left + where * longer
    return later - left + (min(0.0, longer) if refused else max(0.0, longer))


def _closer(first: Trip, then: Trip, where: float | None) -> float:
    """How much closer than they left two requests reached the server, at most."""
    shorter = first[1] - then[1]
    return max(0.0, shorter) if where is None else where * shorter
