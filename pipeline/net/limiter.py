"""Pacing against a busy server: how fast requests leave and how many are in flight (``Pace``),
and the engine's cap on requests in flight (``InFlight``).

``Pace`` settles just under whatever limit it meets (a token bucket, a sliding or fixed
window, a leaky bucket, a limit on requests in flight), however the server says no (429 or
503, with an exact ``Retry-After``, always 1, 0, a date, or none). What it takes from TCP's
congestion controls and from the limiters it meets, and why:

- **The rate refused at is remembered** (CUBIC's ``W_max``), measured as the server's
  delivery rate (BBR's bottleneck bandwidth): what the server accepted from this client over
  the last second when it refused. Against a rate limit that is the limit itself, whatever
  its shape, which a congestion window never knows. Answers accepted from the refused round
  that come back afterwards raise it (clients sharing a limit are refused moments apart).
  Later refusals lower it by at most ``BETA`` at a time (a hold, or requests waiting out
  their retries, can leave the last second short of requests). A first measure taken on too
  few answers is a guess: the rate doubles each second from it until refused again, and
  that refusal measures it (``_after_a_guess``: what was sent lately, or, under ten a
  second, what was accepted over the second unless the limit spaces requests; not the
  guess). Against a limit
  of a few a second (ten: a burst of nine accepted) the guess is the second's count, not
  nine answers over their 40 ms (200 a second), and a second's count sent over a second or
  more is a measure, however few: a guess kept for ever was stepped down by 15% a refusal
  from 200, a refusal (and a held second) every second of the run. So is a guess refused
  again at about the rate the last was, below ten a second (``_guessed_alike``; not after
  a first burst all but refused): there every second's count is few, and against a limit
  of five a second the climb from each guess was refused within the second, a fifth of
  the requests refused to the end. A first measure
  taken on an unpaced burst is provisional: the next refusal, met while sending evenly at
  the rate, measures again without that floor (a fixed window straddled by the burst let up
  to twice its limit through, a bucket its burst). The first count is taken one request
  less: it may hold the login, which a limit per account does not count (and so is a
  recount of its round).
- **A fixed window read from its own seconds** (ASP.NET Core's ``FixedWindowRateLimiter``:
  its seconds are not the client's, and a count over one second that straddles two of them
  holds up to twice the limit): the answers of the last ``WINDOW_MEMORY`` seconds are tried
  against every phase the window's seconds may have. Under the right one, every second
  holding a refusal holds the limit and nothing accepted after its first refusal (answers
  ``REORDER_TIME`` apart may come in another order than sent, at a refusal or a second's
  edge), and no second holds more. When every phase that fits gives the same count within
  ``WINDOW_SPREAD``, the limit is that count (their median), read exactly: no login in it,
  no burst's count to replace, no step. A first burst alone fits many phases (a second
  that began anywhere in it); one that straddled two seconds gives itself away by the
  answers accepted right after its refusal, and a refusal a second after the hold pins
  the phase. It is read where a count says nothing: the first refusal after a burst's
  measure, a refusal soon after resuming (``_blind``), and bare 503s too few to cut for as
  a share, once ``FULL_SECONDS`` seconds that refused are over (after a first burst
  measured up to twice the limit, the retries' backoff kept them under a tenth and the
  client stayed above the limit to the end). Failures at random fit no phase (answers are
  accepted right after them), nor do a bucket's or a sliding window's refusals, between
  which requests are accepted, nor, mostly, another client's share, which varies. Not the
  late answers of a first burst's round: offices joining a busy token bucket read their
  bursts as windows and kept the smaller shares.
- **A second's count that says nothing**, where no window is read: refused twice in a row
  soon after the client resumed, the count no lower than before — or once,
  a second or more after the first burst's hold, with everything sent over the last second
  accepted — the rate refused at steps down by ``BLIND`` (15%), no lower than what was
  accepted since the last cut, instead of following the count. Once, after the first
  burst's hold, it may step further (two steps at most), to the busiest of the window's own
  seconds since the client resumed: seconds of every phase are tried, and the phase whose
  busiest second holds the fewest is the window's (a second of any other phase straddles
  two of its seconds). Clients sharing a limit each count only their own share there, on
  little more than a second, so the step is bounded. A sliding window counter (Cloudflare's:
  the clock second's count plus the second before, weighted by what the window still covers)
  says nothing either: after a held second it lets the client through above its limit for a
  second or two. Where each refusal holds the client, the answers of the round refused,
  which such a counter lets through as the second before weighs less, do not recount the
  step back up (a step recounted to above the limit cost a held second at each refusal).
- **Back quickly to a plateau just under it** (CUBIC's concave region): on push-back the rate
  drops to ``BETA`` (0.85) of the rate refused at and climbs back within ``RETURN`` (a
  second) to ``SETTLE`` (0.98) of it — 20 ms to spare in a second for the network's and
  the event loop's jitter against a window; after a ``Retry-After`` hold of half a second or
  more it starts there at once (the server had its rest: a slow climb after a held second
  would cost a second again). It stays there for ``PLATEAU`` (20 s, a quarter more or less
  at random, so that clients sharing a limit do not probe together; 12 s, ``FREE_PLATEAU``,
  after a limit measured again where no refusal has held the client: a probe there costs a
  retry, and the office the first second gave least, measuring the same share at its own
  probe, kept it for twenty seconds and finished alone; 4 s when refused below
  90% of the best rate seen; 7 s when met 5% or more below the rate refused at before, two
  seconds or more into the plateau, or so met soon after resuming once the first
  ``SHARED_AFTER`` seconds are over: another client's probe, and a whole plateau there kept
  the share the first second gave until the others were done, then finished alone; and
  once met so, after every rate limit's refusal, the client's own probes' too: the limit
  is shared, and an office refused at its own probe as the others finished kept a whole
  plateau alone at its share). An
  AIMD saw tooth (down to 0.75, then a few requests a second more each second) met the
  limit every few seconds; against a limiter answering ``Retry-After: 1`` each meeting
  costs a held second, which no pacing wins back. So meetings are made rare.
- **A first burst's count is probed for soon** where it costs little: it is a window's
  limit, or a bucket's depth, which may be less than a second of its rate (nginx's
  ``burst=10`` at 40 a second). Where a 429 holds nothing, the plateau after it lasts
  ``FIRST_PLATEAU`` (3 s): a bucket whose burst is a quarter of a second is found within
  some ten seconds, not after twenty at a quarter of its rate, and a window's probe is
  refused and retried, nothing more. Where each refusal holds the client a second, that
  second is what a window's probe would cost: the plateau stays whole, and a small bucket
  is found only after it.
- **Probing above only slowly** (CUBIC's convex region, in absolute terms as AIMD's
  increase, the same for every client whatever its rate): after the plateau the rate grows
  by ``PROBE·τ²`` requests a second; 25% past the rate refused at and still not refused, the
  share was freed (another client left, the limit was raised) and the rate grows by half
  each second until refused again.
- **Evenly spaced departures** (nginx's ``limit_req`` without burst refuses a request that
  comes sooner than ``1/rate`` after the last; a window counts every request of a second):
  requests leave ``1/rate`` apart on a grid, each moved later by at most ``JITTER`` (2%) of a
  gap. A token bucket's bursts are not copied: the count in any second never exceeds the
  rate by more than one, so a window at 98% of its limit is not overrun, and a client's own
  spacing does not cause a leaky bucket's refusals. A cut moves the departure already set
  to one new gap after the last request (on the old spacing a leaky bucket refused it too,
  and counted, that second cut took the rate refused at 15% lower). A timer's lateness is
  made up for on the grid; a request that came after its turn, none waiting, is not (the
  first burst's retries waiting out their backoff in seven of the eight places in flight,
  one request went each round trip, and the grid's catch-up sent the next 4 ms after it:
  a leaky bucket at 120/s refused it, and that second's count became its limit).
- **Spaced from a late write**: what reaches the server is the moment a request is written,
  not the moment it left the pace, and the client's own loop is late to write now and then
  (against the sandbox process, the first request after each held second was written 4-10
  ms after it left, the process having slept, and one in a few hundred some 60-70 ms late,
  the loop stalled: the next, on time, arrived a few milliseconds after it). Against a limit
  that spaces requests that next one was refused, a held second again, and so on; against
  a window it was one request more in the second after the late one (a sliding window at
  40/s refused the request forty on, a held second: 85% used against the sandbox process,
  91% now). The client tells the pace when each request's last byte is written
  (``written``, from httpx's trace). A write later than the plateau's margin and the
  departures' own jitter allow (against a limit that spaces requests), or than
  ``LATE_WRITE`` (5 ms, a quarter of the 2% a window's second has to spare), holds the next
  request until a gap after it (less that jitter, as on the grid), and the grid starts again
  from there; a request not yet written holds the next. Written on time, departures keep the
  grid: spaced from every write, a leaky bucket at 40/s never saw an accepted gap shorter
  than the pace's own, and the plateau read from those gaps was never raised (65-71% used
  against 73-80%).
- **A limit that spaces requests** (a leaky bucket without burst), told by a first round all
  but refused (the burst's first request accepted, the rest not) from a server that says
  ``Retry-After``, so that every refusal costs a held second: the plateau leaves each gap
  wider than ``1/rate`` by the jitter the round trips show (half the spread of the last 200
  from the 5th to the 95th percentile, as their quartiles give it, and the pace's own: the
  whole spread was the first second's slow answers, each connection set up first, or a
  stall of the machine, 12-35 ms against a server process on the same machine, and even
  the 5th to the 95th percentile held a stall's answers, 16 ms), and a refusal there (the
  network's jitter brought two requests closer than the limit allows) keeps the rate
  refused at instead of cutting by 15%; refused again with the gaps that wide, the limit
  fell. Without a ``Retry-After`` a refusal costs only its retry, and the plateau stays at
  98%. A bucket faster than one request per round trip refuses a first burst as a limit of
  one request at a time does: the client keeps to one in flight (below), and tells them
  apart by trying more (``_grow_window``): one request at a time refuses every request at
  two in flight, a leaky bucket lets several through before the jitter brings two too
  close. A first burst all but refused also makes the first cut a guess, and a bare 503
  afterwards a limit's (at most one a second; more are a storm's or failures', as below).
  Where no ``Retry-After`` makes a refusal cost a held second, a request refused that left
  alone (one in flight) starts the climb from ``BETA`` of the rate it left at (its gap,
  ``Departure.gap``), a bound from above, not from the first second's few answers: kept to
  one in flight, a leaky bucket at 40/s refused a round trip's spacing, and the climb from
  a fifth of it took two seconds. A bucket slower than one request per round trip (five a
  second) refuses even one request at a time: bare 503s that let a trickle through
  (``_trickling``: most of the last twenty refused, not all) are its limit's, not a storm
  to leave to the retries' backoff (which sent a request each round trip to the end, two
  refused for every one accepted).
- **The gaps at which requests arrived** (``pipeline.net.gaps``), against such a limit: the
  rate a climb was refused at was already lowered by the jitter (it brought two requests too
  close), so a plateau one jitter below it left the jitter twice (81 a second of a leaky
  bucket's 120). The gaps between the arrivals the limit accepted bound its spacing from
  above, taken at the round trips' midpoints, or, where a refusal says otherwise, where in
  the round trip they best tell accepted from refused (the sandbox process sleeps its
  latency before its limiter; a server's own work comes after it). Once known, the plateau
  is that gap and the jitter once, a tenth of a round trip at least (a server's own queue
  bunches requests before its limiter unseen) (``_gap_target``): raised to it once known
  (``_regap``), a guess's climb ends there when a refusal came nearly as far (``tight``),
  and it sets the plateau, lower too, once a plateau it did not set was refused. A refusal
  at it widens the gaps by what it showed; more than two there where each held the client
  a second (ten where each cost a retry), or a refusal further from the client's last
  accepted arrival than any reading explains (another client's arrivals between its own),
  and the gaps are not trusted. A window of
  one from the first burst grows every quarter second, not every second (``FAST_EVERY``).
- **A window still full is waited out:** refused while sending below the rate refused at
  and the server accepted as much over the last second (the window still holds a burst, a
  fixed window's second is not over), the client does not cut again: it waits until the
  answers accepted over the last second fall below its plateau. Refusals into a full window
  were most of the refusals of the first second without a ``Retry-After``.
- **A limit on requests in flight** (a concurrency limit: the rate is concurrency over
  latency, and no rate settles under it) is found from the levels requests leave at: each
  request's level is how many of the client's requests were in flight with it
  (``Departure.level``). Refused at a level no request was accepted at lately, the client
  keeps below that level (its window) and does not slow down: with one request in flight,
  the next leaves when the last is answered. Refused within its window (a 429), the limit is
  not on concurrency and the window goes; a bare 503 sets a window only with a second one (a
  failure at random is followed by requests above it accepted); bound by its window and not
  refused for a plateau, the window grows by one, and a probe that meets the limit is
  undone. A window of one from the first burst grows each quarter second instead, its requests
  spaced by the round trip over the window plus the round trips' spread, until refused:
  above the window, one request at a time it was (one refusal, a held second with
  ``Retry-After``: the price of not taking a leaky bucket for it), unless ``PASSED_ABOVE``
  (3) or more requests at the probe's level were accepted first (one request at a time
  refuses them all: a leaky bucket's refusal of the jitter, and kept to one in flight a
  leaky bucket at 120/s was 31% used against the sandbox process); within the window, not a
  limit on requests in flight, and the window goes.
- ``Retry-After`` (seconds or an HTTP date) holds every request of the client, not only the
  one that got it, and the hold is not made up for afterwards with a burst. One hold per
  round: refusals of requests sent before the hold began (a run of refusals each saying
  ``Retry-After: 1``) do not extend it.
- **A limit closed for a while is waited out** (``_closed``): when every answer of the last
  ``CLOSED`` seconds (1.5) was a 429, the limit is not one the rate can settle under — a
  window longer than a second (ASP.NET Core's ``Window``: ten seconds, a minute) full until
  its end, or a limit of requests at once that other offices hold — and the client holds a
  second and tries again, as a ``Retry-After: 1`` would have it, instead of cutting the
  rate by 15% at each refusal: through a window's remaining nine seconds those cuts took it
  to a few a second, and it climbed back only well into the next window (56-59% used at
  worst without ``Retry-After``; 69-82% now, some 5% refused at 40/s: a try a second).
- **A bare 503** (no ``Retry-After``) may be a limit's or a failure at random. It cuts when
  10% of the answers (beyond the server's known background) were refusals, when most of the
  last twenty or 40% since the last cut were (a storm), or while probing; and in the first
  second when a burst of twenty accepted or more ends in ``BURST_RUN`` (8) of its last
  nine answers, the requests it had in flight (``_burst_refused``). If slowing down
  by a fifth leaves the share of 503s about the same and the rate accepted fell with it
  (a limit's does not), they were failures at random: the cuts are undone and that share
  is remembered as the server's background. That is judged on the plateau too
  (``_judged_random``), not only at the next cut for a share, which failures under a tenth
  never bring; cuts that were all for bare 503s are undone to no pace at all, as before the
  first. Above a first burst's measure, 5% over the last second cut again
  (``RECENT_SHARE``): a bucket's depth in that measure is spent only seconds on, and the
  share since the cut stayed under the tenth (a token bucket at 40/s: 4-8% refused to the
  end). Before any cut, 6% over two seconds after the first cuts (``_sustained``), the rate
  measured over them: met unpaced, a bucket's 503s each wait out a retry's backoff in a
  place in flight, which slows the client until they are a steady 8-10% of its requests
  (at 120/s 8.4% refused to the end). The cuts are undone only while what the client sends
  is below what the server accepted too, not its pace alone. A first cut within the first
  second is not
  compared with: a fixed window straddled by the first burst lets twice its limit through.
  A first cut half a second or more after the first 503 (``PAST_BURST``; round trips of
  50 ms: eight in flight send 145 a second, and the second counted held a token bucket's
  burst) is measured since that 503, if lower: counted over the second, 78 a second
  against 40, the cuts stepped down 15% at a time, the share of 503s stayed, and they were
  taken for failures at random, a sixth of the requests refused to the end.
  Nor is a first cut made, for a share or a crowd, for 503s scattered among accepted
  answers (fewer than half of the answers since the first were refusals; a limit met by the
  first burst refuses most of what follows): two failures at random among the first twenty
  answers measured a tenth of a second's answers as a second's rate, and probing back up met
  more failures — one run in four against a server failing 5% at random ended at a tenth to
  a twentieth of its speed.
  Bare 503s cut for as a share after the first cut, when what the server accepted over the
  last second is a fixed window's limit read from the answers, are the window's
  (``_window_agrees``), not a storm's (a first burst straddling two of its seconds let
  twice the limit through, and each climb back towards 85% of that was refused again).
  After a storm the rate doubles each second back towards ``BETA`` of what was accepted
  before it, from ``STORM_FLOOR`` (an eighth) of that at least: three doublings, not six
  from the next to nothing a storm's second counts; a client kept to one request in flight
  by its window leaves a storm to the retries' backoff.
- Until the server first pushes back, requests leave as fast as the in-flight cap lets them:
  a server without a limit is used fully.
- ``max_rate`` is the office's own cap (``--max-rate``, ``SIMAD_MAX_RATE``): the rate never
  exceeds it, from the first request on, and requests are at least ``1/max_rate`` apart.

Not won (BENCHMARKS.md, Pacing, has the figures): a leaky bucket without burst refuses two
requests that *arrive* closer than ``1/rate``, so the network's jitter alone is refused even
under the rate (with 2 ms each way, 2% refused needs gaps 1.6 ms longer than ``1/rate``: 94%
of 40/s, 84% of 120/s at best, for any sender); several clients sharing such a bucket, or a
limit of one request in flight, cannot interleave requests they do not see. Clients sharing
a limit keep for a plateau the unequal shares their first second gave them, so a slower one
may still finish alone for a few seconds (a shorter plateau after another's probe narrows
that; a shorter one still did worse against a window, where a probe refuses several at
once), and a probe by one meets the limit for the others too (the request refused is whichever
arrives), each such refusal with ``Retry-After: 1`` costing an office a second.
A fixed window's limit is found by steps, each costing a held second, when its answers do
not show its phase (a first burst that did not straddle two of its seconds). A window longer
than a second is read as a second's count: the client sends a window's count at its start
and waits out the rest, a try a second, but does not learn the window's length, and with
``Retry-After: 1`` it is held a second at a time through it (70-80% used).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import structlog

from pipeline.net.gaps import REFUSALS as GAP_REFUSALS
from pipeline.net.gaps import WIDEN as GAP_WIDEN
from pipeline.net.gaps import ArrivalGaps

log = structlog.get_logger("simad.pace")

BETA = 0.85  # on push-back, the share of the rate refused at the rate drops to
SETTLE = 0.98  # the plateau: this share of the rate refused at
SETTLE_MARGIN = 0.25  # probing: 25% past the rate refused at and not refused, then
GROW_PAST = 1.5  # the rate grows by half each second until refused again
RETURN = 1.0  # seconds from the cut back to the plateau (counted after any Retry-After hold)
PLATEAU = 20.0  # seconds on the plateau before probing above it
FREE_PLATEAU = 12.0  # after a limit measured again where no refusal has held the client
FIRST_PLATEAU = 3.0  # after a first burst's count refused with a 429 that holds nothing
SHORT_PLATEAU, SHORT_BELOW = 4.0, 0.9  # the plateau when refused below 90% of the best rate
SHARED_PLATEAU = 7.0  # the plateau once met lower on the plateau (``_met_for_another``)
SHARED_AFTER = 5.0  # seconds: from then on a limit met lower soon after resuming is shared
PROBE = 0.5  # probing: PROBE·τ² requests per second more after τ seconds of it
JITTER = 0.02  # each departure is moved later by up to this share of a gap
RATE_WINDOW = 1.0  # seconds over which the accepted rate is measured
MIN_RATE = 0.5  # requests per second: never slower than this
MAX_HOLD = 120.0  # the longest Retry-After honoured for the whole client
HELD = 0.5  # seconds: a hold at least this long is the rest a cut would give
LEVEL_MEMORY = 2.0  # seconds over which the levels in flight accepted are remembered
EPSILON = 1e-6  # seconds below a clock's rounding: no wait that short
THROTTLED, OVERLOADED = 429, 503
PUSH_BACK = frozenset({THROTTLED, OVERLOADED})  # answers that ask the client to slow down
STORM_FLOOR = 0.125  # after a storm the climb back starts at this share of its target, at least
STORM = 2.0  # seconds: 503 cuts closer together than this are one storm, remembered as one
CROWD_SAMPLE, CROWD_SHARE = 20, 0.4  # a bare 503 cuts again when 40% of 20+ answers were
BURST_RUN = 8  # bare 503s in a row that end a first burst (as many as it has in flight)
CROWDED = 0.6  # or when 60% of the last 20 were (at random, 20% failing: one in 10,000)
TRICKLE = 2  # answers of those twenty accepted, at least: a trickle, not a storm
FIRST_RUN = 0.5  # of the answers since the first bare 503, refusals: a limit's, not chance
RECENT_SHARE = 0.05  # or 5% over the last second, above a first burst's measure
SUSTAINED, SUSTAINED_SHARE = 2.0, 0.06  # or 6% over the last 2 s after the first second,
# before any cut (a bucket's 503s with the retries' backoff: a steady 8-10% of the requests)
FIRST_SHARE = 0.1  # a bare 503 cuts when 10% (more than the background) of the answers were
PHASES = 20  # the phases of a fixed window's seconds tried (``_aligned_count``)
ALIGNED_MEMORY = 3.0  # seconds of accepted answers it reads
BLIND, BLIND_SOON, SAME_MEASURE = 0.85, 2.0, 0.95  # a fixed window's refusals (``_blind``)
BUSY = 0.8  # answers over the time free to send, as a share of the rate: sending at it
LATELY = 0.25  # seconds over which the rate a guess was refused at is measured
UNSURE = 10  # fewer accepted answers than this over the first cut's second: a guess
AGAIN_AFTER = 0.5  # seconds: a guess refused again this long after its cut (``_guessed_alike``)
SAME_SHARE, SLOWER = 0.5, 0.8  # bare 503s as often after slowing down by a fifth: at random
MOST_BACKGROUND = 0.5  # the largest share of refusals taken for random failures
KEPT_SHARE, MOST_JUDGED = 0.25, 0.12  # on the plateau: a quarter of the share or more kept,
# at most 12% (``_judged_random``; more, from four offices sharing a bucket, was their limit)
SPACING_REFUSED = 2  # the first round refused this many times more than accepted: spacing
ROUND_TRIPS = 200  # accepted answers whose round trips give the network's jitter
SPREAD_TRIPS = 10  # the fewest round trips a spread is taken from percentiles of
IQR_TO_SPREAD = 1.8  # the 5th to 95th percentile over the quartiles' span (an even jitter)
PASSED_ABOVE = 3  # requests accepted at a window of one's probe's level: no such limit
WINDOW_MEMORY = 5.0  # seconds of answers a fixed window's limit is read from (``_window_limit``)
WINDOW_PHASES = 100  # the phases of its seconds tried, 10 ms apart
FULL_SECONDS = 3  # seconds over, each with a refusal, that bare 503s are read from at least
WINDOW_EVERY = 0.5  # seconds: bare 503s are read for a fixed window at most this often
REORDERED = 2  # answers the network may move across a second's edge
WINDOW_SPREAD = 0.05  # the phases that explain the answers read limits this close, at most
REORDER_TIME = 0.01  # seconds: answers this close may have come in another order than sent
CLOSED, CLOSED_LEAST = 1.5, 2  # seconds every 429 of (two at least): a limit closed a while
PAST_BURST = 0.5  # seconds from the first push-back to a first cut measured since it
CLOSED_PROBE = 1.0  # seconds a closed limit is waited out before the next request tries it
GAP_PRIOR = 0.1  # of a round trip: the least margin a spacing limit's plateau leaves
GAP_EVERY = 0.25  # seconds: the plateau is raised to the gaps at most this often
FAST_EVERY = 0.25  # seconds: a window of one from the first burst grows this often
LATE_WRITE = 0.005  # seconds: a write this late holds the next (a quarter of a window's 2%)


class _ShareCut(NamedTuple):
    """A cut for a share of bare 503s, to compare the next with (``_random_failures``)."""

    share: float  # of the answers since the cut before, push-back
    aim: float  # the rate to go back to if they prove failures at random
    rate: float  # the rate sent at
    accepted: float  # per second since the cut before
    whole: bool  # a second or more after the first answer: not a first burst's measure
    opening: bool  # the cuts since the first were all for bare 503s


class Departure(float):
    """The moment a request left (a float, as ``acquire`` always returned), how many of the
    client's requests were in flight with it, itself included (its level), and the seconds
    since the request before it left (its gap)."""

    level: int
    gap: float
    written: bool  # its last byte is on the wire (``Pace.written``), or it was answered

    def __new__(cls, when: float, level: int, gap: float = math.inf) -> Departure:
        made = super().__new__(cls, when)
        made.level, made.gap, made.written = level, gap, False
        return made


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
        self._grid = float("-inf")  # the next departure before its jitter
        self._next = float("-inf")  # the earliest moment the next request may leave
        self.jitter = JITTER  # the share of a gap a departure is moved later by, at most
        self.held_until = float("-inf")  # Retry-After: nothing leaves before this
        self.held = 0.0  # seconds Retry-After held the client, in all
        self._held_from = float("-inf")
        self._last_hold = (float("-inf"), float("-inf"))  # the hold before the one running
        self.refused_at = 0.0  # the rate the server last refused at (CUBIC's W_max)
        self.floor = 0.0  # the rate right after the last cut, where the climb starts
        self.target = 0.0  # where the climb goes: the plateau, or back after a storm
        self._storm_top = 0.0  # the rate refused at when a storm of 503s began
        self._climb_from = float("-inf")  # when the climb began (the cut, or the hold's end)
        self.last_cut = float("-inf")
        self._answers: deque[tuple[float, bool]] = deque()  # (when, accepted), last second
        self._heard: deque[tuple[float, bool]] = deque()  # (when, accepted), the first aside
        self._heard_from = float("-inf")  # answers before this are forgotten
        self._window_tried = float("-inf")  # when bare 503s were last read for a window
        self._window_seen = 0.0  # the limit they showed
        self._counted = False  # the rate refused at is no second's count: a fixed window's
        # read exactly, a rate since the first push-back, a held client's ``_blind_step``
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS)  # seconds, accepted
        self.margin = 0.0  # seconds added to each gap at the plateau (a leaky bucket's)
        self._gaps = ArrivalGaps()  # when accepted requests reached the server (a leaky
        # bucket's spacing), read from their round trips
        self._gap_paced = False  # the plateau was set by those gaps
        self._gap_first = False  # a plateau they did not set was refused: they set it since
        self._regapped = float("-inf")  # when the plateau was last raised to the gaps
        self._first_round = [0, 0]  # the first push-back's round: answers refused, accepted
        self._first_push = math.inf  # when the first push-back came
        self._holds = False  # the server has said Retry-After: each refusal costs a hold
        self._since_cut = self._pushed_since_cut = 0
        self._best = 0.0  # the highest rate refused at so far
        self._unsure = False  # the rate refused at is a guess: climb until refused again
        self._provisional = False  # the rate refused at was measured on a first burst
        self._measured_again = False  # this cut's rate is a limit met again, measured
        self._accepted_since_cut = 0
        self._soon = False  # the last cut came soon after the one before it (``_blind``)
        self._recent: deque[bool] = deque(maxlen=CROWD_SAMPLE)
        self._plateau = PLATEAU
        self._contested = False  # a cut was another client's probe's: the limit is shared
        # (kept through every rate limit's cut after it; a cut of another kind clears it)
        self._rested = False  # the last cut came with a hold: no climb back after it
        self.background = 0.0  # the share of bare 503s that slowing down did not change
        self._share_cut: _ShareCut | None = None  # the last cut for a share of bare 503s
        self._first: float | None = None  # when the first answer came
        self.answers = 0  # answers heard
        self.pushed_back = 0  # answers that were push-back (429, 503)
        self.cuts = 0
        self._span = RATE_WINDOW  # seconds the last cut's rate refused at was measured over
        self._undone = False  # every cut was undone (failures at random): unpaced again
        self._lock = asyncio.Lock()
        self.in_flight = 0  # requests that left and have no answer yet
        self.window: int | None = None  # at most this many in flight (a concurrency limit)
        self._window_at = float("-inf")  # when the window was last set (a cut or a probe)
        self._window_bound = float("-inf")  # since when requests wait on the window only
        self._window_probed = False  # the window was last raised by a probe
        self._window_fast = False  # a window of one from the first burst: grown quickly
        self._lone_level: int | None = None  # a bare 503's level, alone so far
        self._levels_ok: deque[tuple[float, int]] = deque()  # (when, level) accepted lately
        self._freed = asyncio.Event()
        self._departed = float("-inf")  # when the last request left
        self._wrote = float("-inf")  # the last write later than the margin allows (``written``)
        self._told, self._unwritten, self._on_wire = False, 0, asyncio.Event()  # (``written``)
        self._refused_sent = float("-inf")  # when the last push-back's request left
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

    async def acquire(self) -> Departure:
        """Wait for this request's turn; the moment it leaves (to pass to ``answered``, or to
        ``forget`` when no answer came)."""
        async with self._lock:  # first come, first served
            timed = False  # it waited for its turn on a timer (whose lateness is made up for)
            while True:
                now = self._now()
                turn = max(self.held_until, self._next) if self.limited else self.held_until
                if now < turn - EPSILON:
                    await self._wait(turn - now)
                    timed = True
                    continue  # a Retry-After or a cut may have come meanwhile
                if self._spaced_by_writes():
                    if self._unwritten:  # the last one is not on the wire yet
                        self._on_wire.clear()
                        await self._on_wire.wait()
                        timed = False
                        continue
                    after = self._wrote + (1 - self.jitter) / self.rate  # (as the grid)
                    if now < after - EPSILON:
                        await self._wait(after - now)
                        timed = False  # (held for a late write: no catch-up on the grid)
                        continue
                if self.window is not None and self.in_flight >= self.window:
                    if self._window_bound == float("-inf"):
                        self._window_bound = now
                    self._freed.clear()
                    await self._freed.wait()
                    timed = False
                    continue
                if self.limited:
                    self._schedule(now, timed)
                self.in_flight += 1
                self._unwritten += 1
                gap, self._departed = now - self._departed, now
                return Departure(now, self.in_flight, gap)

    def written(self, sent_at: float) -> None:
        """The request that left at ``sent_at`` is on the wire: its last byte was written.
        Written later than the plateau's margin and the departures' jitter allow (against a
        limit that spaces requests), or than ``LATE_WRITE``, the next request leaves a gap
        after this write, and the grid starts again from there."""
        now, self._told = self._now(), True
        spare = self.margin + (self.jitter / self.rate if self.limited else 0.0)
        if not self._spaced_burst():
            spare = max(spare, LATE_WRITE)
        if self._wire(sent_at) and now - sent_at > spare:
            self._wrote = max(self._wrote, now)

    def _wire(self, sent_at: float) -> bool:
        """Mark a departure written (or answered); whether it was not before."""
        if not isinstance(sent_at, Departure) or sent_at.written:
            return False
        sent_at.written = True
        self._unwritten -= 1
        self._on_wire.set()
        return True

    def _spaced_by_writes(self) -> bool:
        """Whether a request waits for the last to be written, and a gap after a late write:
        paced (not kept to by a window of requests in flight), once the client tells when
        requests are written."""
        return self.limited and self._told and self.window is None

    def forget(self, sent_at: float) -> None:
        """A request that left got no answer (the connection failed, the run was stopped)."""
        self._landed(sent_at)

    def _landed(self, sent_at: float) -> None:
        self._wire(sent_at)
        if isinstance(sent_at, Departure) and self.in_flight > 0:
            self.in_flight -= 1
            self._freed.set()

    def _schedule(self, now: float, timed: bool = True) -> None:
        """The next departure: one gap after this one's grid point (a timer's lateness is made
        up for, a pause longer than a gap is not, nor a request that came after its turn, none
        waiting: the next left a few milliseconds after it, and a leaky bucket refused it),
        moved later by a random part of a gap, and never sooner than ``1/max_rate`` after
        this one."""
        gap = 1 / self.rate
        base = self._grid if timed and now - self._grid < gap else now
        self._grid = base + gap
        spread = self.jitter * gap
        least = 1 / self.max_rate if self.max_rate else 0.0
        self._next = max(self._grid + self._rng.uniform(0, spread), now + least)

    def answered(self, sent_at: float, status: int, retry_after: float | None = None) -> None:
        """Hear how a request sent at ``sent_at`` was answered (its HTTP status)."""
        now = self._now()
        self._landed(sent_at)
        pushed = status in PUSH_BACK
        above_window = self._mind_window(now, sent_at, pushed, status == THROTTLED)
        if retry_after is not None and retry_after > 0:
            self._hold(now, sent_at, retry_after)
        self._count(now, sent_at, pushed)
        paced = self.cuts > 0 and not self._undone  # (a pace of its own, not only max_rate)
        if not pushed:
            if paced and sent_at <= self.last_cut and now - self.last_cut < RATE_WINDOW:
                self._recount(now)  # the cut's round, still coming back
            if paced:
                self._regap(now)
                self._grow(now)
            return
        self.pushed_back += 1
        self._pushed_since_cut += 1
        self._refused_sent = sent_at
        if status == OVERLOADED and retry_after is None and self._judged_random(now):
            return
        if above_window:
            return  # the window keeps the client below that level: no need to slow down
        if self._left_to_backoff(status):
            return  # one at a time already: a storm of 503s is left to the retries' backoff
        if sent_at <= self.last_cut:
            return  # sent before the last cut: that cut was for it
        if paced and status == THROTTLED and self._closed(now):
            self.held_until = max(self.held_until, now + CLOSED_PROBE)  # waited out, a
            return  # second at a time, not cut for
        if paced and self.rate < self.refused_at <= self.measured(now):
            self._wait_out_the_window(now)  # below the rate refused at, and as much
            return  # accepted: a window still full
        why = self._why(now, status, retry_after)
        if why is not None:
            self._cut(now, why, status, retry_after)

    def _hold(self, now: float, sent_at: float, retry_after: float) -> None:
        """A Retry-After holds every request of the client (one hold per round: answers to
        requests sent before the hold began do not extend it)."""
        self._holds = True
        self._gaps.patience = GAP_REFUSALS  # each refusal at its plateau costs a held second
        if sent_at < self._held_from:
            return
        if self.held_until < now:  # a new hold; else the one running is extended
            self._last_hold = (self._held_from, self.held_until)
            self._held_from = now
        until = max(self.held_until, now + min(retry_after, MAX_HOLD))
        self.held += until - max(self.held_until, now)
        self.held_until = until

    def _count(self, now: float, sent_at: float, pushed: bool) -> None:
        """Keep an answer in the counts the pace is measured on."""
        if pushed:
            self._first_push = min(self._first_push, now)
        if self.cuts <= 1 and sent_at <= self._first_push:
            self._first_round[not pushed] += 1
        self._since_cut += 1
        self.answers += 1
        self._answers.append((now, not pushed))
        self._recent.append(pushed)
        if self._first is None:  # (the login, which a limit per account does not count)
            self._first = now
        else:
            self._heard.append((now, not pushed))
            while self._heard[0][0] < now - WINDOW_MEMORY:
                self._heard.popleft()
                self._heard_from = now - WINDOW_MEMORY
        if sent_at > self._first_push and self._first is not None:
            margin = self._gap_margin() if pushed and self._at_gap_target() else None
            self._gaps.heard(now, sent_at, pushed, margin)
        if pushed:
            return
        self._accepted_since_cut += 1
        if self._first is not None and sent_at >= self._first + RATE_WINDOW:
            self._round_trips.append(now - sent_at)  # (the first second's are slower: each
            # connection is set up first, the login's with it)

    def _regap(self, now: float) -> None:
        """Raise the plateau to what the gaps between accepted arrivals allow once they are
        known (at most every ``GAP_EVERY`` seconds): a limit that spaces requests, met while
        fewer round trips were heard than its jitter is read from, set a plateau below it
        (a leaky bucket at 120/s, refused within its first second at 88 a second)."""
        if now - self._regapped < GAP_EVERY or (self._probing(now) and not self._unsure):
            return
        self._regapped = now
        spaced = self._gap_target()
        if self._unsure and spaced and self._holds and self._gaps.tight():  # a guess's climb
            # ends there: a refusal came nearly as far from the last accepted arrival
            self._unsure, self.target, self._gap_paced = False, spaced, True
            self.floor = min(self.floor, spaced)
        elif spaced > self.target:
            self.target, self._gap_paced = spaced, True

    def _below_known_gaps(self) -> bool:
        """Whether the client is at its plateau or below it while the gaps between accepted
        arrivals are known. Refused so by a rate limit, the gaps set the plateau from then
        on, lower too (kept at the rate refused at, a leaky bucket at 120/s whose limit the
        latency before it hid refused its plateau every few seconds, a held second each)."""
        return self.rate <= self.target * (1 + EPSILON) and self._gap_target() > 0

    def _at_gap_target(self) -> bool:
        """Whether the client is paced at its plateau (or below it) as the gaps between
        accepted arrivals set it, and still trusts them."""
        return self._gap_paced and self._below_known_gaps()

    def _gap_target(self) -> float:
        """The rate a limit that spaces requests allows this client every gap of: the
        shortest gap between its accepted arrivals (``ArrivalGaps``), widened by the jitter
        the round trips show (more where a refusal holds, or what a refusal there showed)
        and the pace's own; 0 where no such bound is known."""
        gaps = self._gaps
        if not (gaps.known() and self._spaced_burst() and self.window is None):
            return 0.0  # (a limit on requests in flight is kept to by the window)
        margin = self._gap_margin()
        if margin is None:
            return 0.0
        return 1 / max((gaps.least + margin) * (1 + JITTER), EPSILON)

    def _gap_margin(self) -> float | None:
        """Seconds the plateau leaves beyond the shortest gap accepted: the jitter the round
        trips show, a tenth of a round trip at least (more where a refusal holds), or what a
        refusal there showed; None before any round trip is heard. The floor is a server's
        own queue, which the round trips do not show: the sandbox process, its round trips
        spread over half a millisecond, let requests through to its limiter closer than
        they left, and a plateau at 96% of 40/s was refused every few seconds."""
        gaps = self._gaps
        trips = self._round_trips or gaps.trips()
        if not trips:
            return None
        least = GAP_PRIOR * statistics.median(trips)  # (a server's own queue, unseen)
        if len(self._round_trips) >= SPREAD_TRIPS:
            least = max(least, self._jitter() * gaps.spread_share)
        return max(least * (GAP_WIDEN if self._holds else 1.0), gaps.widened)

    def _mind_window(self, now: float, sent_at: float, pushed: bool, throttled: bool) -> bool:
        """A concurrency limit refuses the requests above a number in flight and none below:
        refused at a level no request was accepted at lately, the client keeps below that
        level (the window); refused below its window, the limit is not (only) one of
        concurrency and the window goes (a bare 503 within it may be a failure: it
        stays); so it does when a window of one from the first burst, tried at more, is
        refused after several requests at the probe's level were accepted. Window-bound and
        not refused for ``PLATEAU`` seconds, it grows by one (a probe). A bare 503 sets a
        window only with a second one above a level accepted lately: one alone, followed by
        requests above it accepted, was a failure at random (taken for a window in the first
        round, it kept the client to fewer in flight for good: half its speed)."""
        level = getattr(sent_at, "level", 0)
        while self._levels_ok and self._levels_ok[0][0] < now - LEVEL_MEMORY:
            self._levels_ok.popleft()
        if not pushed:
            self._window_accepted(now, level)
            return False
        if level < 1:
            return False
        fast, self._window_fast = self._window_fast, False  # refused: grown no further
        top = max((lv for _, lv in self._levels_ok), default=0)
        same_round = sent_at <= self._window_at
        window = self.window
        # A window of one tried at more, refused after the probe's level passed several
        # times: no limit on requests in flight (a leaky bucket's refusal of the jitter).
        passed = fast and self._passed(level) >= PASSED_ABOVE
        met = self._window_probed and level >= (window or math.inf) and not same_round
        if window is not None and met and not passed:
            self.window, self._window_at = window - 1, now  # the probe met the limit
            self._window_probed = False
            if fast and not self.cuts:  # one at a time after all: the window alone paces,
                self.limited = self.max_rate is not None  # as before the probe
                self.rate = self.max_rate or 0.0
            return True
        if level > 1 and top < level and (window is None or same_round or level > window):
            if not throttled and window is None and self._lone_level is None:
                self._lone_level = level  # one bare 503 may be a failure at random: a
                return False  # limit on requests in flight refuses every level above it
            level = min(level, self._lone_level or level)
            self._lone_level = None
            self.window = min(level - 1, window or level)
            self._window_at, self._window_probed = now, False
            self._window_fast = self.window == 1 and not self.cuts
            return True
        # Refused within its window (a 429; a bare 503 may be a failure, unless it came to
        # a window of one grown each second): not (only) a concurrency limit.
        within = window is not None and level <= window and not same_round
        if passed or (within and (throttled or (fast and window is not None and window > 1))):
            self.window = None
            self._freed.set()
        return False

    def _window_accepted(self, now: float, level: int) -> None:
        """An answer accepted at ``level`` in flight: remembered, and the window grown when
        it has bound the client and was not refused for a plateau (a window of one from the
        first burst: each ``FAST_EVERY`` seconds)."""
        if level:
            self._levels_ok.append((now, level))
            if self._lone_level is not None and level >= self._lone_level:
                self._lone_level = None  # accepted above it: a failure at random
        bound = self._window_bound
        if self._window_fast:  # each second after the hold, its spacing known
            quiet = now - max(self._window_at, self.held_until) > FAST_EVERY
            quiet = quiet and len(self._round_trips) >= SPREAD_TRIPS
        else:  # bound by the window, and not refused for a plateau
            quiet = now - max(self._window_at, self.last_cut) > self._plateau
            quiet = quiet and bound > -math.inf and now - bound > 0.5
        if self.window is not None and quiet:
            self._grow_window(now)
        if self.window is None or self.in_flight < self.window - 1:
            self._window_bound = float("-inf")

    def _passed(self, level: int) -> int:
        """Requests at ``level`` in flight or more accepted since the window was last set."""
        return sum(1 for when, lv in self._levels_ok if when > self._window_at and lv >= level)

    def _grow_window(self, now: float) -> None:
        """One more request in flight (a probe). A window of one from the first burst (a
        burst refused but for one request, which a leaky bucket gives too) grows quickly,
        its requests spaced by the round trip over the window and the round trips' spread:
        a limit on requests in flight refuses the first probe, a leaky bucket none until the
        spacing nears its own."""
        self.window = (self.window or 0) + 1
        self._window_at = now
        self._window_probed = True
        if self._window_fast and not self.cuts:
            trip, spread = self._spread()  # and never slower than the window before it
            self.limited = True
            self._set(max(1 / (trip / self.window + spread), (self.window - 1) / trip))

    def _wait_out_the_window(self, now: float) -> None:
        """Refused while the server accepted from this client as much over the last second
        as it refused at: nothing more leaves until that second's answers are older than a
        second but for a plateau's worth (a window still full of a burst refuses anything
        sent into it)."""
        times = [when for when, ok in self._answers if ok]
        over = len(times) - max(math.floor(self.target), 1) + 1
        if 0 < over <= len(times):
            self.held_until = max(self.held_until, times[over - 1] + RATE_WINDOW)

    def _closed(self, now: float) -> bool:
        """Whether the limit has been closed for a while: every answer over the last
        ``CLOSED`` seconds (``CLOSED_LEAST`` at least, not in the first seconds, whose
        refusals are the first burst's) was refused.
        A window longer than a second (ASP.NET Core's ``Window``: ten seconds, a minute) is
        full until its end, whatever the rate; so is a limit of requests at once that other
        offices' requests hold. Cut for at each refusal, the rate fell by 15% a time through
        the rest of the window, and the next found the client at a few a second (a ten-second
        window without ``Retry-After``: 56-59% used)."""
        if self._running_for(now) < CLOSED + RATE_WINDOW:
            return False
        answers, accepted = self._heard_over(now, CLOSED)
        return answers >= CLOSED_LEAST and not accepted

    def _why(self, now: float, status: int, retry_after: float | None) -> str | None:
        """Why this push-back cuts the rate (``_worth_a_cut``), or None; "window" for a
        fixed window's bare 503s."""
        why = self._worth_a_cut(now, status, retry_after)
        if why != "limit" and status == OVERLOADED and self._over_a_window(now):
            return "window"  # a fixed window's bare 503s, too few to cut for as a share
        if why in ("share", "sustained") and self._window_agrees(now):
            return "window"  # and a share of them, whose count is the window's limit
        return why

    def _worth_a_cut(self, now: float, status: int, retry_after: float | None) -> str | None:
        """Why this push-back cuts the rate, or None. A 429 or a Retry-After always cuts (a
        rate limit spoke: "limit"). A bare 503 cuts when most of the last ``CROWD_SAMPLE``
        answers, or many since the last cut, were push-back ("crowded"), or while probing above
        the plateau ("overload"): a server that fails now and then at random costs a little
        speed, and the rate does not collapse."""
        if status == THROTTLED or retry_after is not None:
            return "limit"
        if self._storming() or self._burst_refused(now):
            return "crowded"
        if self._spacing_refused() and now - self.last_cut >= RATE_WINDOW:
            return "limit"  # (more within a second: a storm, or failures, as below)
        if (
            self._since_cut >= CROWD_SAMPLE
            and self._pushed_since_cut >= CROWD_SHARE * self._since_cut
            and (self.cuts or not self._scattered(now))
        ):
            return "crowded"
        if self.cuts and self._probing(now) and not self._undone:
            return "overload"  # (unpaced again after failures at random: nothing to probe)
        if self.cuts:
            share = self._share_since_cut()
            enough = self._since_cut >= 2 * CROWD_SAMPLE
            many = enough and share >= self.background + FIRST_SHARE
            if self._provisional and self.cuts == 1 and not self.background:
                # Above a first burst's measure (a bucket's depth in it), the 503s come back
                # only once the bucket is spent, seconds on, and since the cut their share
                # stays under a tenth: at 40/s 4-8% of the requests were refused to the end.
                many = many or self._refused_over_second(RECENT_SHARE)
            return "share" if many else None
        if self._refused_over_second(FIRST_SHARE):
            if self._scattered(now):
                return None  # failures at random, by the look of them
            return "share"  # the first: slow down, and see whether the share falls
        if self._sustained(now):
            return "sustained"
        return None

    def _refused_over_second(self, share: float) -> bool:
        """Whether ``share`` or more of the answers over the last second (twenty at least)
        were push-back."""
        answers = len(self._answers)
        return answers >= CROWD_SAMPLE and answers - self._accepted() >= share * answers

    def _sustained(self, now: float) -> bool:
        """Whether ``SUSTAINED_SHARE`` or more of the answers over the last ``SUSTAINED``
        seconds, after the first second, were push-back. A token bucket met by an unpaced
        client answering bare 503s: each refused request waits out its retry's backoff in one
        of the eight places in flight, which slows the client until the 503s are a steady
        8-10% of its requests, under the tenth over a second that cuts: at 120/s, 8.4% of
        the requests were refused to the end in the median run. Measured over those seconds,
        not the last one's count (which, a few answers more, put the plateau above the
        rate)."""
        if self._running_for(now) < RATE_WINDOW + SUSTAINED:
            return False  # (the first second's burst left out)
        answers, accepted = self._heard_over(now, SUSTAINED)
        return answers >= CROWD_SAMPLE and answers - accepted >= SUSTAINED_SHARE * answers

    def _running_for(self, now: float) -> float:
        """Seconds since the first answer (the login's), 0 before it."""
        return 0.0 if self._first is None else now - self._first

    def _heard_over(self, now: float, span: float) -> tuple[int, int]:
        """Answers, and accepted ones, over the last ``span`` seconds (the first aside)."""
        lately = [ok for when, ok in self._heard if when >= now - span]
        return len(lately), sum(lately)

    def _scattered(self, now: float) -> bool:
        """Whether the bare 503s of the first second came scattered among accepted answers,
        as failures at random do: fewer than ``FIRST_RUN`` of the answers since the first were
        refusals. A limit met by the first burst refuses most of what follows its first
        refusal (the burst spent, a bucket lets a trickle through). Cut for, a few failures at
        random among twenty answers in the first tenth of a second measured a rate a tenth of
        the server's (a second's count), and probing back up met more of them: one run in
        four against a server failing 5% at random ended at a tenth to a twentieth of its
        speed. So with 40% of the answers since the last cut (a crowd): eight of twenty
        failing at 20% measured a third of a second's answers as a second's rate."""
        if self._first is None or self._running_for(now) >= RATE_WINDOW:
            return False
        since = [ok for when, ok in self._answers if when >= self._first_push]
        return since.count(False) < FIRST_RUN * len(since)

    def _burst_refused(self, now: float) -> bool:
        """The first burst met a limit: in the first second, before any cut, ``BURST_RUN``
        of the last ``BURST_RUN + 1`` answers (this bare 503's among them) were bare 503s,
        after ``CROWD_SAMPLE`` accepted. Waiting for most of the last twenty (``_storming``), a
        sliding window at 120/s met by a burst of eight in flight refused 16 requests and
        the cut came 0.8 s in, half a second lost (89% used at worst). One answer among
        them may be accepted: a sliding window counter lets one through as its weight of
        the second before falls (or the network reorders one sent before them), and eight
        in a row never came: the sender went on unpaced, its places in flight waiting out
        their retries, and cut 0.9 s in on what got through meanwhile, 24 a second of 120
        (37% used). Eight of nine at random, 10% failing, come about once in ten million
        answers, and the first second has a few hundred."""
        if self.cuts or self._first is None or self._running_for(now) >= RATE_WINDOW:
            return False
        recent = list(self._recent)[-BURST_RUN - 1 :]
        many = len(recent) > BURST_RUN and sum(recent) >= BURST_RUN
        return many and self._accepted() >= CROWD_SAMPLE

    def _storming(self) -> bool:
        """Most of the last ``CROWD_SAMPLE`` answers were push-back, beyond the server's known
        background of failures at random (at 20% failing, 12 of 20 come some time in a long
        run: cut for after the cuts were undone, each probe back up met another failure, and
        the run kept a fifth of its speed)."""
        most = min(CROWDED + self.background, 1.0) * CROWD_SAMPLE
        return len(self._recent) == CROWD_SAMPLE and sum(self._recent) >= most

    def _cut(self, now: float, why: str, status: int, retry_after: float | None) -> None:
        self._span = SUSTAINED if why == "sustained" else RATE_WINDOW  # (measured over it)
        why = "share" if why == "sustained" else why
        if why == "share" and self._random_failures():
            return
        if why in ("limit", "window"):
            self._share_cut = None
        self._measured_again = False
        self._gap_first = self._gap_first or (why == "limit" and self._below_known_gaps())
        refused_at = self._refused_at(now, why)
        refused_at = max(refused_at, MIN_RATE)
        storm = why not in ("limit", "window") and now - self.last_cut < STORM
        if self._unsure:
            self._storm_top = 0.0  # nothing known to go back to
        elif not storm or self.rate > self.refused_at:  # refused again above the last cut's
            self._storm_top = refused_at  # rate on the way back: that was too high
        self._contested = self._met_for_another(now, why, refused_at)
        self._aim(refused_at, first=not self.cuts and not self._counted)
        if storm:  # back towards what was accepted before it, from an eighth of that at least
            self.target = max(self.target, BETA * self._storm_top)
            self.floor = max(self.floor, self.target * STORM_FLOOR)
        self._recent.clear()
        self.last_cut = now
        below_best = refused_at < SHORT_BELOW * self._best
        if not (self._unsure and self._holds):  # a guess is no capacity seen to probe for
            self._best = max(self._best, refused_at)  # sooner at the cost of a held second
        # A first burst's count may be a bucket's depth, less than a second of its rate:
        # probed for soon where a probe costs only a retry. Capacity was there before (below
        # the best), or another client probed (contested): sooner than a whole plateau.
        if self._provisional and not self._holds and status == THROTTLED:
            longest = FIRST_PLATEAU
        elif below_best:
            longest = SHORT_PLATEAU
        elif self._contested:
            longest = SHARED_PLATEAU
        elif self.cuts and not self._holds:  # a probe costs a retry, not a held second
            longest = FREE_PLATEAU
        else:
            longest = PLATEAU
        self._plateau = longest * self._rng.uniform(0.75, 1.25)  # clients sharing a limit
        self._climb_from = max(now, self.held_until)  # do not all probe at once
        self._rested = self.held_until - now >= HELD and not self._unsure
        if self._rested:
            self.floor = max(self.floor, self.target)
        self.cuts += 1
        self._undone = False
        self._since_cut = self._pushed_since_cut = self._accepted_since_cut = 0
        self.limited = True
        self._set(self.floor)
        log.info(
            "pace_cut",
            status=status,
            rate=round(self.rate, 1),
            accepted=round(self.measured(now), 1),
            retry_after=retry_after,
        )

    def _met_for_another(self, now: float, why: str, refused_at: float) -> bool:
        """Whether a rate limit met here was another client's probe: met at least 5% below
        the rate refused at before, two seconds or more into the plateau (or on the short
        plateau such a meeting gave), or measured so soon after resuming once the first
        seconds are over (``SHARED_AFTER``; not a fixed window's count, ``_blind``: offices
        sharing a window or a bucket with ``Retry-After: 1`` are refused for each other's
        probes a second or two apart, each lower, and the office the first second gave
        least, never two seconds into a plateau, kept whole ones and finished alone for
        ten seconds and more). Clients sharing a limit keep the unequal shares their
        first second gave them, and the one refused for another's probe measures its own share
        again, lower: on a whole plateau it would keep that until the others were done, then
        finish alone. Not a guess's climb, nor a limit that spaces requests (its refusals
        of the network's jitter come on the plateau too). Once met so, the client knows it
        shares its limit, and every rate limit met later is taken as shared, its own probe's
        too: the office the first second gave least, refused at its own probe as the others
        finished, kept a whole plateau (twenty seconds) and finished alone at its share."""
        if why != "limit" or self._unsure or self._spaced_burst():
            return False
        if self._contested:
            return True
        settled = self._since(now) >= self._return_time() + BLIND_SOON
        late = self._running_for(now) >= SHARED_AFTER
        lower = refused_at <= SAME_MEASURE * self.refused_at
        return lower and (settled or (late and self._measured_again))

    def _refused_at(self, now: float, why: str) -> float:
        """The rate this push-back was met at: what the server accepted over the last second
        (over the time since the first answer after the first cut), or ``_span`` seconds."""
        measured = self._accepted_over(now)
        if why == "overload":  # random failures are not the rate's doing
            measured /= 1 - self.background
        if why == "window":
            return self._window_seen
        was_unsure = self._unsure
        self._counted = False
        guess = self._guess(now, measured)
        if guess is not None:
            refused_at = guess
        elif not self.cuts:
            refused_at = self._first_measure(now, measured)
        elif self._provisional and why == "limit" and self._busy(now):
            refused_at = self._measure_again(now, measured)
        elif why == "crowded":
            refused_at = min(measured, self.rate) if self.limited else measured
        elif was_unsure:  # the first was a guess: this one is a measure
            refused_at = self._after_a_guess(now, measured)
        elif self._spaced(now, why):
            # Refused below the rate refused at, everything else sent evenly accepted: the
            # limit spaces requests (a leaky bucket) and the network's jitter brought two
            # closer than it allows. The limit is where it was: the gaps widen by the jitter.
            refused_at = self.refused_at
            self.margin = max(self.margin, self._jitter() + JITTER / refused_at)
        elif self._blind(now, why, measured):
            # Refused again within a second or two of sending on the plateau, and the last
            # second's count no lower than before: a fixed window, whose seconds are not the
            # client's, lets through up to twice its limit over a second that straddles two of
            # them, so that count is no measure. Down by a larger step (at least what was
            # accepted since the last cut, holds included), and measured again at the next.
            window = self._read_window()
            if window is None:
                window = self._blind_step(now, self.refused_at)
            refused_at = window
            self._best = 0.0  # nor were those measures capacity seen
        else:  # a limit met again: no lower than BETA of the last (a hold, or requests
            # waiting out their retries, may have left the last second short of requests)
            refused_at = max(measured, BETA * self.refused_at)
            self._measured_again = True
        if why == "overload" and self.background:  # a 503 while probing, on a server known
            refused_at = max(refused_at, self.rate)  # to fail at random: no lower than now
        return refused_at

    def _after_a_guess(self, now: float, measured: float) -> float:
        """The rate refused at when the last cut was a guess and this one is not: what was
        sent over the last ``LATELY`` seconds (a leaky bucket refuses the rate, not a count;
        while the rate doubled, the second's count lags it by a third), or what was accepted
        over the last second when that is below ``UNSURE`` and the limit does not space
        requests (a window of five a second refused a climb sent at eight a second, and a
        plateau there had every other request refused for five seconds; offices joining a
        busy bucket at fifteen a second each, taken at what they had accepted, kept smaller
        shares)."""
        if self._few_counted(measured):
            return measured
        sent = self.measured(now, sending=True, every=True, over=LATELY)
        return max(measured, min(self.rate, sent))

    def _first_measure(self, now: float, measured: float) -> float:
        """The first cut's rate refused at: the last second's count, measured on the first
        burst: a fixed window straddled (the end of one second and the start of the next) let
        up to twice its limit through, a bucket its burst. The next refusal, met while
        sending evenly, measures it without the floor below. (Not over two seconds after the
        first: sent evenly, as fast as its answers came.) Or, lower, the rate accepted since
        the first push-back (``_since_first_push``): the burst spent before the second
        counted began (nor is the login in it)."""
        self._provisional = self._span == RATE_WINDOW
        since = self._since_first_push(now)
        if since < measured:
            self._counted = True
            return since
        return measured

    def _since_first_push(self, now: float) -> float:
        """Answers accepted per second since the first push-back, when it came
        ``PAST_BURST`` seconds ago or more (and within the answers remembered), else
        infinity: a first cut for bare 503s a second after the first counted a token
        bucket's burst spent before them (the module docstring, *A bare 503*)."""
        span = now - self._first_push
        if not PAST_BURST <= span <= WINDOW_MEMORY:
            return math.inf
        return self._heard_over(now, span)[1] / span

    def _accepted_over(self, now: float) -> float:
        """Answers accepted per second over the last second (``measured``), or over the
        ``_span`` this cut is measured over."""
        if self._span > RATE_WINDOW:
            return self._heard_over(now, self._span)[1] / self._span
        return self.measured(now, whole_window=not self.cuts)

    def _measure_again(self, now: float, measured: float) -> float:
        """The rate refused at the first time after a first burst's measure, sending evenly:
        the last second's count, unless everything sent over it was accepted and the refusal
        came within a second or two of resuming — a fixed window's count straddling two of its
        seconds, no measure: its limit read from its seconds, or else a step down, as
        ``_blind``'s."""
        self._provisional = False
        self._best = 0.0  # the burst's measure was no capacity seen
        resumed = max(self.last_cut + self._return_time(), self._climb_from)
        paced = now - self.last_cut > RATE_WINDOW  # no answer of the burst counted
        if not (paced and now - resumed < BLIND_SOON and measured >= SAME_MEASURE * self.rate):
            return measured
        window = self._read_window()
        if window is not None:
            return window
        aligned = self._aligned_count(now) if self._rested else math.inf
        self._soon = True
        return self._blind_step(now, min(self.refused_at, measured), aligned)

    def _guess(self, now: float, measured: float) -> float | None:
        """The rate refused at when this cut is a guess (``_unsure``), else None. A first cut
        on too few accepted answers to tell a burst from a rate, or after a first burst
        refused but for a few (a limit that spaces requests), is a guess: the rate climbs
        (doubling each second) until refused again. A second's count of few answers, sent
        over a second or more, is a measure (a limit of a few a second) unless the burst was
        scant."""
        ended = self._last_hold[1] if self._held_from >= now else self.held_until
        resumed = max(self._first or now, self.last_cut, min(ended, now))  # (the hold before)
        scant = self._scant()
        few = self._accepted() < UNSURE and (scant or now - resumed < RATE_WINDOW)
        few = few or (not self.cuts and scant)
        was_unsure, self._unsure = self._unsure, few and (not self.cuts or self._unsure)
        if self._unsure and was_unsure:  # refused again, sending for too short a time to
            # count: not lower than BETA of the rate it was sending at
            got = self.measured(now, whole_window=False, sending=True)
            sent = self.measured(now, whole_window=False, sending=True, every=True)
            again = max(got, BETA * min(self.rate, sent))
            if self._guessed_alike(now, again):  # a measure: of what was accepted
                self._unsure = False
                return got if got > 0 else again
            return again
        if self._unsure and scant:  # over the time since the first answer, free to send
            guess = self.measured(now, whole_window=False, sending=True)
            return max(guess, self._spaced_guess())
        if self._unsure:  # nine or ten accepted, not one or two: a small bucket's or
            return measured  # window's, whose count over the second is its rate
        return None

    def _guessed_alike(self, now: float, again: float) -> bool:
        """Whether a guess refused again is a measure after all: at about the rate the last
        guess was refused at (within ``BETA`` either way), below ``UNSURE`` a second (a second
        whose count is always few), ``AGAIN_AFTER`` seconds or more after the last cut, with
        more than ``SPACING_REFUSED`` answers accepted since. Below ten a second every count is
        few, and each climb from a guess, doubling, was refused within the second: against a
        limit of five a second the client guessed again and again, a refusal a second, a
        fifth of its requests refused to the end. Not for a client kept to one request at a
        time (four offices sharing one such limit are refused for each other's requests),
        nor after a first burst all but refused (a leaky bucket's, or a limit others had
        filled: offices started half a second apart agreed on their small first shares and
        kept them, a sliding window 68% used at worst -> 55%)."""
        return (
            self.window is None
            and self._few_counted(again)
            and self._accepted_since_cut > SPACING_REFUSED
            and now - self.last_cut >= AGAIN_AFTER
            and BETA * self.refused_at <= again <= self.refused_at / BETA
        )

    def _few_counted(self, rate: float) -> bool:
        """Whether ``rate`` is below ``UNSURE`` a second (a second's count of it is always
        few) and the limit counts requests rather than spacing them (its first burst was not
        all but refused)."""
        return rate < UNSURE and not self._spaced_burst()

    def _spaced_guess(self) -> float:
        """Where a limit that spaces requests refused one that left alone after the first
        push-back (one in flight: its gap a round trip at least), and a refusal costs only
        its retry (no Retry-After): ``BETA`` of the rate it left at, a bound on the limit
        from above; else nothing. Kept to one request at a time after the first burst, a
        leaky bucket at 40/s refused a round trip's spacing, the few answers before it
        guessed a fifth of that, and the climb took two seconds."""
        sent = self._refused_sent
        alone = getattr(sent, "level", 0) == 1 and sent > self._first_push
        if not alone or self._holds or not self._spaced_burst():
            return 0.0
        return BETA / max(getattr(sent, "gap", math.inf), EPSILON)

    def _scant(self) -> bool:
        """Whether the first burst was refused but for a few, or one or two answers were
        accepted in all: a limit that spaces requests, or its first answers."""
        return self._spaced_burst() or self._accepted() < SPACING_REFUSED + 1

    def _spaced(self, now: float, why: str) -> bool:
        """Whether a limit met below the rate refused at, every answer of the last second
        accepted but this one, is a leaky bucket's refusal of jitter: at the plateau, unless
        the gaps were already as wide as the jitter seen asks (the limit fell); or probing
        above a plateau already widened so. Or refused at the plateau the gaps between
        accepted arrivals set (``_gap_target``): the gaps widen by what it showed."""
        if why == "limit" and self._at_gap_target():
            return True
        if why != "limit" or self._unsure or self._provisional or not self._spacing():
            return False
        answers = [ok for when, ok in self._answers if when >= now - RATE_WINDOW]
        if not self.rate < self.refused_at or answers.count(False) != 1 or len(answers) < 2:
            return False
        if self.rate > self.target * (1 + EPSILON):
            return self.margin > 0
        return self.margin < self._jitter() + JITTER / self.refused_at

    def _spacing(self) -> bool:
        """Whether the first burst was refused but for a few (``_spaced_burst``) by a server
        that says Retry-After, so that each refusal costs a held second."""
        return self._holds and self._spaced_burst()

    def _spacing_refused(self) -> bool:
        """Whether a bare 503 is a limit's: the first burst was refused but for a few (a
        limit that spaces requests, not failures at random), unless the client keeps to one
        request in flight (one at a time shared with others: their requests meet it too)
        and is not let through only a trickle (``_trickling``)."""
        return self._spaced_burst() and (self.window != 1 or self._trickling())

    def _left_to_backoff(self, status: int) -> bool:
        """Whether this push-back is a storm's to leave to the retries' backoff: a bare 503
        to a client kept to one request at a time by its first burst, most of the last
        twenty refused, and not a trickle's (``_trickling``)."""
        if self.window != 1 or self.cuts or status != OVERLOADED:
            return False
        return self._storming() and self._accepted_lately() < TRICKLE

    def _trickling(self) -> bool:
        """Whether most of the last ``CROWD_SAMPLE`` answers were refused, but not all: a
        limit that lets a trickle through (a leaky bucket slower than one request per round
        trip), not a storm, which refuses every request. Kept to one request at a time by
        its first burst and its bare 503s left to the retries' backoff as a storm's, a
        client met by a leaky bucket at five a second sent a request each round trip to the
        end, two refused for every one accepted."""
        return self._storming() and self._accepted_lately() >= TRICKLE

    def _accepted_lately(self) -> int:
        """Answers accepted of the last ``CROWD_SAMPLE``."""
        return len(self._recent) - sum(self._recent)

    def _spaced_burst(self) -> bool:
        """Whether most of the first push-back's round was refused, the burst's first
        request accepted and the rest not: a limit that spaces requests (a leaky bucket
        without burst), or one request at a time."""
        refused, accepted = self._first_round
        return refused >= SPACING_REFUSED * max(accepted, 1)

    def _jitter(self) -> float:
        """Half the spread of the last ``ROUND_TRIPS`` round trips accepted: how much closer
        than they left two requests may arrive."""
        return self._spread()[1] / 2

    def _spread(self) -> tuple[float, float]:
        """The median of the last ``ROUND_TRIPS`` round trips accepted, and their spread from
        the 5th to the 95th percentile as their quartiles give it (``IQR_TO_SPREAD``): the
        first burst's slow answers (the connection, the login) and a stall of the machine's,
        which holds up every answer in flight at once, are not the network's jitter."""
        trips = self._round_trips
        if len(trips) < SPREAD_TRIPS:  # too few to tell the jitter from the first burst's
            return (statistics.median(trips) if trips else 0.0), 0.0
        cuts = statistics.quantiles(trips, n=20)
        return cuts[9], IQR_TO_SPREAD * (cuts[14] - cuts[4])

    def _blind_step(self, now: float, refused_at: float, aligned: float = math.inf) -> float:
        """The rate refused at when a second's count says nothing (a fixed window's): down by
        ``BLIND``, or further (two steps at most) to ``aligned``, the most accepted in any one
        of the window's own seconds (``_aligned_count``), but no lower than what was accepted
        since the last cut. Where each refusal holds the client, the answers of the round
        refused do not recount it (``_recount``): a sliding window counter (Cloudflare's)
        let them through as its weight of the second before fell, the step was undone to
        above the limit, and each refusal after it held the client a second; where a refusal
        holds nothing, they do, and each refusal after it costs only its retry."""
        self._counted = self._holds
        since = self._accepted_since_cut / max(now - self.last_cut, RATE_WINDOW)
        step = max(min(BLIND * refused_at, aligned), BLIND * BLIND * refused_at)
        return max(step, since)

    def _aligned_count(self, now: float) -> float:
        """The most answers accepted in one second of the server's own (a fixed window's),
        since the client resumed: seconds of every phase are tried, and the phase whose
        busiest second holds the fewest is the window's (a second of any other phase straddles
        two of its seconds, up to twice the limit). Only seconds the client sent through are
        counted: over a second and a tenth of sending (round trips of 50 ms, refused that soon
        after the hold), the phase that cut it in two halves read half the rate, and the
        client stepped down twice, to 95 a second against 120. Infinite when the client has
        not sent for over a second since it resumed."""
        # (the hold this refusal began is not the one the client resumed from)
        held = self.held_until if self.held_until < now else self._last_hold[1]
        resumed = max(held, self.last_cut)
        since = max(resumed, now - ALIGNED_MEMORY)
        times = [when for when, ok in self._heard if ok and when > since]
        start = max(resumed, times[0]) if times else now
        if now - start < RATE_WINDOW:
            return math.inf
        best = math.inf
        for step in range(PHASES):
            phase = step / PHASES
            bins: dict[int, int] = {}
            for t in times:
                k = math.floor(t - phase)
                if start <= k + phase and k + phase + 1 <= now:  # a whole second sent through
                    bins[k] = bins.get(k, 0) + 1
            if bins:
                best = min(best, max(bins.values()))
        return float(best)

    def _busy(self, now: float) -> bool:
        """Whether the client sent at its rate over the last second, but while held: the
        second's count is then what the server let through, not what the client had."""
        free = now - max(now - RATE_WINDOW, min(self.held_until, now))
        return len(self._answers) >= BUSY * self.rate * free

    def _blind(self, now: float, why: str, measured: float) -> bool:
        """Whether this refusal's measure says nothing: a limit met again soon after the last
        cut's hold (or return) ended, while the server accepted as much as before."""
        if why != "limit" or self._unsure:
            return False
        resumed = max(self.last_cut + self._return_time(), self._climb_from)
        soon, self._soon = self._soon, now - resumed < BLIND_SOON
        # Twice in a row: a client sharing a limit is refused soon after a hold now and then
        # when another probes.
        return soon and self._soon and measured >= SAME_MEASURE * self.refused_at

    def _aim(self, refused_at: float, first: bool = False) -> None:
        self.refused_at = refused_at
        # The first second's count (``first``) may hold one request a limit per account did
        # not count: the login.
        counted = max(refused_at - 1, refused_at / 2) if first else refused_at
        if self._spacing():
            self.margin = max(self.margin, self._jitter() + JITTER / counted)
        self.target = min(SETTLE * counted, 1 / (1 / counted + self.margin))
        spaced = self._gap_target()
        self._gap_paced = spaced > self.target or (spaced > 0 and self._gap_first)
        self.target = spaced if self._gap_paced else self.target
        # Held by a Retry-After, the server had its rest: back at the plateau at once.
        self.floor = self.target if self._rested else BETA * refused_at

    def _recount(self, now: float) -> None:
        """An answer accepted from the last cut's round: the server accepted more from this
        client than was counted when it refused (clients sharing a limit are refused at
        moments a little apart), so the rate refused at is what it accepted since. (Not read
        for a fixed window, ``_window_limit``: offices joining a busy token bucket read their
        first bursts as windows and kept the smaller shares, Jain's median 0.86 -> 0.82. Nor
        over a limit read exactly from a window's seconds: a second of the client's clock
        straddles two of them, and a window of 45 recounted as 46 was sent 45.04 a second.)"""
        if self._span > RATE_WINDOW or self._counted:
            return  # measured over longer than this second's count, or read exactly
        accepted = self.measured(now)
        if accepted > self.refused_at + 1 and not self._unsure:  # one more: a window's edge
            self._aim(accepted, first=self.cuts == 1 and self._provisional)

    def _over_a_window(self, now: float) -> bool:
        """Whether the bare 503s are a fixed window's and the rate is above its limit: read
        from the answers (``_window_limit``, at most every ``WINDOW_EVERY`` seconds). A
        share of them under ``FIRST_SHARE`` does not cut, and a rate measured on the first
        burst (up to twice the limit, a second straddled) would stay above it for good."""
        if now - self._window_tried < WINDOW_EVERY or self.window is not None:
            return False  # (a limit on requests in flight found: its refusals are its own)
        self._window_tried = now
        window = self._read_window(FULL_SECONDS)
        if window is None or (self.limited and self.rate <= SETTLE * window + 1):
            return False
        self._window_seen = window
        return True

    def _window_agrees(self, now: float) -> bool:
        """Whether bare 503s cut for as a share are a fixed window's: its limit read from the
        answers (``_window_limit``) is what the server accepted over the last second. Not a
        storm then, whose climb goes back to 85% of the rate before it: met by a first burst
        straddling two of its seconds (twice the limit), a fixed window at 40/s was stepped
        down from 76 a second by 15% a cut, each climb back to 65 refused again, 5.5% of
        the requests refused, though from its third cut on the two agreed."""
        if self.background or self.window is not None or not self.cuts:
            return False  # (a first burst alone fits many phases: a bucket's read as one)
        window = self._read_window(near=self.measured(now))
        if window is None:
            return False
        self._window_seen = window
        return True

    def _read_window(self, least_full: int = 0, near: float | None = None) -> float | None:
        """A fixed window's limit read from the answers (``_window_limit``) over at least
        ``least_full`` full seconds (and within one of ``near``, when given), remembered as
        read exactly (no burst's count, no login in it), or None."""
        read = None if self.background else self._window_limit()
        if read is None or read[1] < least_full:
            return None
        if near is not None and abs(near - read[0]) > 1:
            return None
        self._counted, self._provisional = True, False
        return read[0]

    def _window_limit(self) -> tuple[float, int] | None:
        """The limit of a fixed window (N per second of the server's own, ASP.NET Core's
        ``FixedWindowRateLimiter``) when the answers of the last ``WINDOW_MEMORY`` seconds
        show one, read exactly, and the fewest full seconds it was read from; else None. For
        each phase its seconds may have, a second holding a refusal was full: it holds the
        limit, and nothing it accepted after its first refusal (but for the network's
        reordering); no second holds more. A phase whose full seconds agree explains the
        answers; the limit is read when every phase that does gives about the same (a first
        burst alone fits many: a second that began anywhere in it), as their median. A limit
        that lets requests through between refusals (a bucket, a sliding window), or another
        client's share, which varies, explains nothing here."""
        heard = self._heard
        if not heard or all(ok for _, ok in heard):
            return None
        horizon = self._heard_from
        # A refusal then an answer accepted: a fixed window's next second began between them
        # (a burst that straddled two), once a second or so; more, and refusals and answers
        # accepted take turns.
        edges = [one[0] for one, two in itertools.pairwise(heard) if two[1] and not one[1]]
        if len(edges) > 2 * (WINDOW_MEMORY + 1):
            return None
        # Phases 10 ms apart, and a second ending at each edge
        phases = [step / WINDOW_PHASES for step in range(WINDOW_PHASES)]
        phases += [when % 1 + EPSILON for when in edges]
        found: list[int] = []
        fewest = 1 << 30
        for phase in phases:
            counts: dict[int, int] = {}
            refused: dict[int, float] = {}  # a second's first refusal
            late = False  # an answer accepted well after a refusal in the same second
            for when, ok in heard:
                second = math.floor(when - phase)
                if ok:
                    counts[second] = counts.get(second, 0) + 1
                    edge = second + phase + 1 - REORDER_TIME  # (maybe the next second's)
                    late = late or refused.get(second, math.inf) + REORDER_TIME < when < edge
                else:
                    refused.setdefault(second, when)
            full = [counts.get(k, 0) for k in refused if k + phase >= horizon]
            if late or not full:
                continue
            limit = min(full)
            if max(full) - limit > REORDERED or max(counts.values(), default=0) > limit + REORDERED:
                continue
            found.append(limit)
            ended = heard[-1][0] - 1 - phase  # seconds before this one are over
            fewest = min(fewest, sum(1 for k in refused if horizon - phase <= k <= ended))
        if not found or min(found) < 4 * REORDERED:
            return None  # (a limit of a few a second is left to the counts)
        if max(found) - min(found) > max(REORDERED, WINDOW_SPREAD * min(found)):
            return None  # a burst alone: a second that began anywhere in it
        return float(statistics.median_low(found)), fewest

    def _accepted(self) -> int:
        return sum(1 for _, ok in self._answers if ok)

    def _judged_random(self, now: float) -> bool:
        """Whether the bare 503s since the last cut for a share are failures at random, judged
        on the plateau after it rather than at the next such cut (which a share of failures
        under a tenth never brings: each probe above the plateau met one and cut again, the
        rate ratcheting down to half the server's speed). Sending below what the server
        accepted before the cut, where a limit's 503s stop, a quarter of their share or more
        kept coming (at most ``MOST_JUDGED``: four offices sharing a bucket each keep theirs as
        one slows) and the rate accepted fell with the rate sent: the cuts are undone."""
        first = self._share_cut
        if first is None or not first.whole or not self.cuts:
            return False
        if max(self.rate, self.measured(now, every=True)) > first.accepted:
            return False  # (nor while it sends faster than its pace: what it sent is judged)
        if self._since_cut < 2 * CROWD_SAMPLE or not self._on_plateau(now):
            return False
        share, accepted = self._share_since_cut(), self._accepted_since_cut_rate(now)
        kept = KEPT_SHARE * first.share <= share <= MOST_JUDGED
        if not (kept and self._fell_with_rate(first, accepted)):
            return False
        self._undo(first, share)
        return True

    def _share_since_cut(self) -> float:
        """Push-back over the answers since the last cut."""
        return self._pushed_since_cut / max(self._since_cut, 1)

    def _accepted_since_cut_rate(self, now: float) -> float:
        """Answers accepted per second since the last cut."""
        return self._accepted_since_cut / max(now - self.last_cut, EPSILON)

    def _fell_with_rate(self, first: _ShareCut, accepted: float) -> bool:
        """Whether the answers accepted per second since ``first`` fell by at least half as
        much as the rate sent (a ratio): failures at random take a share of what is sent, a
        limit the same number whatever is sent above it."""
        return 2 * accepted * first.rate <= first.accepted * (first.rate + self.rate)

    def _undo(self, first: _ShareCut, share: float) -> None:
        """The cuts since ``first`` were for failures at random: undone, their share
        remembered as the server's background. When every cut so far was for bare 503s,
        unpaced again, as before the first: paced at the first cut's aim instead, a rate
        measured in the first second or two, the worst of 30 runs failing 10% at random kept
        48% of the speed in the model, unpaced 55%."""
        self.background = min(max(share, self.background), MOST_BACKGROUND)
        self._aim(first.aim)
        if first.opening:  # (its pace state left as it is, neither grown nor read)
            self._undone = True
            self.limited = self.max_rate is not None
            self.rate = self.max_rate or 0.0
        self._share_cut = None
        self._since_cut = self._pushed_since_cut = 0

    def _random_failures(self) -> bool:
        """Whether the bare 503s since the last cut are failures at random: the cuts since
        the first for such a share slowed down by a fifth and left it about the same, and the
        rate accepted fell with the rate sent (nearer that than not falling at all, as a
        limit's does). They are then the server's background, not the rate's doing: the cut
        is undone and the share remembered. Otherwise this cut is remembered to compare the
        next one with. A first cut within the first second measured a burst (a fixed window
        straddled lets up to twice its limit through, as fast as the client sends): it is
        remembered for the rate it gave, not compared with. A first cut is measured over the
        last second, or ``_span`` seconds."""
        now = self._now()
        share = self._share_since_cut()
        first = self._share_cut
        whole = self._running_for(now) >= RATE_WINDOW
        if first is None and not self.cuts:  # the first cut: remember the rate it was
            answers, kept = len(self._answers), self._accepted()  # getting, and the share
            got = self.measured(now, whole_window=False)  # refused over the second
            if self._span > RATE_WINDOW:  # (or the cut's longer span)
                answers, kept = self._heard_over(now, self._span)
                got = kept / self._span
            share = (answers - kept) / max(answers, 1)
            got = min(got, self._since_first_push(now))  # (not a burst spent before it)
            aim = got / (1 - min(share, MOST_BACKGROUND))
            self._share_cut = _ShareCut(share, aim, got, got, whole, True)
            return False
        accepted = self._accepted_since_cut_rate(now)
        aim = self.refused_at
        if first is not None:
            if self.rate > SLOWER * first.rate:
                return False  # not slower enough yet to tell: cut on
            same = first.share * SAME_SHARE <= share <= first.share / SAME_SHARE
            if first.whole and same and self._fell_with_rate(first, accepted):
                self._undo(first, share)
                return True
            aim = max(first.aim, aim)  # the most seen
        # Unpaced again, the cuts so far are still all for bare 503s (undone to unpaced), and
        # it sent as fast as its answers came: that rate, not a pace's.
        opening = first.opening if first is not None else self._undone
        sent = self.measured(now, every=True) if self._undone else self.rate
        self._share_cut = _ShareCut(share, aim, sent, accepted, whole, opening)
        return False

    def measured(
        self,
        now: float,
        *,
        whole_window: bool = True,
        sending: bool = False,
        every: bool = False,
        over: float = RATE_WINDOW,
    ) -> float:
        """Requests per second the server accepted over the last ``over`` seconds (at most
        ``RATE_WINDOW``): what this client really got, time held back by Retry-After
        included, or with ``sending`` per second it was free to send (this hold's and the one
        before it left out); with ``every``, refusals counted too. A rate limit is measured
        over the whole window even at the start: a gateway's bucket lets one second's worth
        through at once, so that second is its rate. Otherwise over the time there were
        answers."""
        while self._answers and self._answers[0][0] < now - RATE_WINDOW:
            self._answers.popleft()
        span = over
        if not whole_window and self._first is not None:
            span = min(over, now - self._first)
        start = now - span
        if sending:
            for since, until in (self._last_hold, (self._held_from, self.held_until)):
                span -= max(0.0, min(now, until) - max(start, since))
        counted = sum(1 for when, ok in self._answers if when >= start and (ok or every))
        return counted / max(span, 0.01)

    def _return_time(self) -> float:
        """Seconds the climb takes from the floor to the target: ``RETURN``, or doubling each
        second when the target is further (back after a storm)."""
        if self.target <= self.floor:
            return 0.0
        return max(RETURN, math.log2(self.target / self.floor))

    def _since(self, now: float) -> float:
        return now - self._climb_from

    def _on_plateau(self, now: float) -> bool:
        if self._unsure:
            return False
        back = self._return_time()
        return back <= self._since(now) < back + self._plateau

    def _probing(self, now: float) -> bool:
        if self._unsure:
            return True
        return self._since(now) >= self._return_time() + self._plateau

    def _curve(self, t: float) -> float:
        """The rate ``t`` seconds into the climb: up to the target within the return time
        (concave, or doubling), flat on the plateau, then growing as ``PROBE·τ²``."""
        if t < 0:
            return self.floor
        if self._unsure:
            return self.floor * 2**t  # until refused again, which measures the rate
        back = self._return_time()
        if t < back:
            if back > RETURN:
                return self.floor * 2**t
            return self.floor + (self.target - self.floor) * (1 - (1 - t / back) ** 3)
        tau = t - back - self._plateau
        if tau <= 0:
            return self.target
        grown = self.target + PROBE * tau * tau
        if grown <= max(self.refused_at * (1 + SETTLE_MARGIN), self.target):
            return grown
        # Past the rate refused at and not refused: the share was freed (another client
        # left, the limit was raised): the rate grows by half each second from there (as
        # BBR's startup, more gently: clients sharing a limit are on their plateaus).
        edge = max(self.refused_at * (1 + SETTLE_MARGIN), self.target)
        past = tau - math.sqrt((edge - self.target) / PROBE)
        factor: float = GROW_PAST ** min(past, 60.0)
        return edge * factor

    def _grow(self, now: float) -> None:
        grown = self._curve(self._since(now))
        # Never past twice what the server accepted while the client was free to send: a
        # client that sends less than its rate allows does not probe on and on.
        ceiling = max(2 * self.measured(now, sending=True), self.floor)
        self._set(min(grown, ceiling))

    def _set(self, rate: float) -> None:
        rate = max(rate, MIN_RATE)
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        if rate < self.rate:  # slower: the next departure is one new gap after the last,
            # not one old gap (at a cut, a leaky bucket refused that request too, and its
            # count, a cut again, took the rate refused at 15% lower)
            self._grid = max(self._grid, self._departed + 1 / rate)
            self._next = max(self._next, self._grid)
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
