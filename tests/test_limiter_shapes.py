"""The pace against every shape of limiter the sandbox has, in virtual time (one seed each;
``python -m tests.shared_limit`` gives the minimum over a hundred, BENCHMARKS.md, Pacing):
one client settles just under the limit with few refusals whatever the shape and however it
refuses, four clients sharing a limit share it fairly, a storm of 503s is ridden out, a
``Retry-After`` holds every request of the client, and the office's ``--max-rate`` is never
exceeded.

Where the issue's targets are not met the test says so (``xfail``, not a looser bound): a
leaky bucket without burst refuses any two requests that arrive closer than ``1/rate``, so
the network's own jitter (up to 2 ms each way here) bounds how much of it a sender can use
with few refusals; several clients sharing one, or sharing a concurrency limit, cannot
interleave their requests without seeing each other's; clients sharing a limit keep the
unequal shares their first second gave them for a plateau, and a probe by one meets the
limit for the others too; and a fixed window's seconds are not the client's, so until its
answers show their phase its limit is found by steps."""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import random

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline.net.limiter import FULL_SECONDS, LATE_WRITE, SETTLE, Pace
from pipeline.sandbox.limiters import SHAPES, FixedWindow, limit_for

from .shared_limit import (
    NO_LIMIT,
    SERVICE,
    Client,
    KnownRate,
    Network,
    VirtualLoop,
    Writer,
    case,
    fairness,
    refused,
    share_one_limit,
)
from .test_limiter import Clock, run

RATE_SHAPES = ("token-bucket", "sliding-window", "fixed-window")
VARIANTS = [("exact", 429), ("one", 429), ("zero", 429), ("date", 429), ("none", 429)]
VARIANTS += [("none", 503)]
SPACING = "leaky-bucket"
JITTER_BOUND = "a leaky bucket without burst refuses the network's jitter (module docstring)"


def spec_for(shape: str, rate: float, retry_after: str = "one", push_back: int = 429):
    return limit_for(shape, rate, f"{push_back}-{retry_after}", SERVICE)


def missed(shape: str, retry_after: str, push_back: int) -> str | None:
    """Why a one-client target is not met for this shape and way of refusing, or None."""
    if shape == SPACING:
        return JITTER_BOUND
    if shape == "token-bucket" and push_back == 503:
        return (
            "a bare 503 may be a failure at random: at 120/s up to 9% refused before the rate "
            "settles (3.5% at 40/s, 100 seeds)"
        )
    if shape == "fixed-window":
        return (
            "a fixed window's phase shows only once a burst straddled two of its seconds or "
            "a refusal pinned it; until then its limit is found by steps (85-92% at worst, "
            "up to 3.1% refused; bare 503s 3.4%, 100 seeds)"
        )
    if shape == "concurrency" and retry_after in ("exact", "one", "date"):
        return (
            "one request at a time refuses a first burst as a leaky bucket does: the probe of "
            "two in flight that tells them apart costs a held second (86-88% at worst at 40/s)"
        )
    return None


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("retry_after", "push_back"), VARIANTS)
def test_one_client_settles_just_under_any_limit(shape, retry_after, push_back, request):
    why = missed(shape, retry_after, push_back)
    if why:
        request.applymarker(pytest.mark.xfail(reason=why, strict=False))
    for rate, rows in ((40, 600), (120, 1800)):
        clients, used = share_one_limit(
            spec_for(shape, rate, retry_after, push_back), rows, [0.0], seed=1
        )
        assert clients[0].sent == rows
        assert used >= 0.9, (rate, used)
        assert refused(clients) <= 0.02, (rate, refused(clients))


@pytest.mark.parametrize("seed", [77, 53])
def test_a_first_burst_ended_by_bare_503s_in_a_row_is_cut_for_at_once(seed):
    """A sliding window at 120/s answering bare 503s: the first burst's eight requests in
    flight are refused one after another, and the client cuts at the eighth, not when most
    of the last twenty were (16 refused, the cut 0.8 s in). Before, in these seeds: 89% used,
    0.9% refused; now 92%, 0.6%."""
    clients, used = share_one_limit(spec_for("sliding-window", 120, "none", 503), 1800, [0.0], seed)
    assert clients[0].sent == 1800
    assert used >= 0.91 and refused(clients) <= 0.007, (used, refused(clients))


LONG_WINDOW = (
    "a window longer than a second is read as a second's count: with Retry-After: 1 the client "
    "is held a second at a time through it and cut at each try (70-80% at worst, BENCHMARKS.md)"
)


@pytest.mark.parametrize("shape", ["fixed-window", "sliding-window"])
@pytest.mark.parametrize(
    "retry_after",
    ["exact", pytest.param("one", marks=pytest.mark.xfail(reason=LONG_WINDOW, strict=True))],
)
def test_a_window_of_ten_seconds_is_waited_out_when_the_server_says_how_long(shape, retry_after):
    """ASP.NET Core's window limiters take a ``Window``: ten seconds holding ten seconds of
    the rate. The first burst takes a window's count; an exact ``Retry-After`` holds the
    client until the next window, and no request is spent against the full one. (With
    ``Retry-After: 1`` the client is held a second at a time: not met.)"""
    spec = spec_for(shape, 40, retry_after).with_window(10)
    clients, used = share_one_limit(spec, 6000, [0.0], seed=2)
    assert clients[0].sent == 6000
    assert used >= 0.9 and refused(clients) <= 0.02, (used, refused(clients))


@pytest.mark.parametrize(
    ("shape", "rate", "rows", "seed", "least"),
    [
        ("fixed-window", 120, 1800, 6, 0.8),  # the first burst straddled a boundary: 184 in
        ("fixed-window", 120, 1800, 0, 0.85),  # a second it counted, 162 here
        ("token-bucket", 120, 1800, 9, 0.95),  # its late answers recounted, login and all
    ],
)
def test_a_first_burst_that_let_more_through_is_left_in_few_steps(shape, rate, rows, seed, least):
    """A first count taken on a burst can be far above the limit. Refused again a second
    after the hold, having sent evenly, the client steps down by up to two steps at once,
    to the busiest of the window's own seconds, not to the last second's count, which holds
    everything it sent; the late answers of the first round are recounted less the login.
    (Before: 74%, 75% and 93% of the limit used.)"""
    used, refused_, _ = case(spec_for(shape, rate, "one"), rows, 1, seed)
    assert used >= least and refused_ <= 0.02, (used, refused_)


@pytest.mark.parametrize("seed", [0, 6, 7])
def test_a_fixed_windows_busiest_second_is_read_from_whole_seconds(seed):
    """Round trips of 50 ms: a first burst straddling a fixed window of 120 measured 132, and
    refused again a second and a tenth after the hold, the client stepped down to the
    busiest of the window's own seconds it had sent through. The phase that cut that second
    and a tenth in two read half the rate as the busiest, and it stepped down twice, to 95:
    77% of the limit for the rest of the run. Now only whole seconds count: one step, to
    112. (Before, in these seeds: 70-72% used.)"""
    used, refused_, _ = case(
        spec_for("fixed-window", 120, "one"), 1800, 1, seed, network=Network(latency=0.05)
    )
    assert used >= 0.78 and refused_ <= 0.02, (used, refused_)


@pytest.mark.parametrize("seed", [0, 20, 54, 62])
def test_a_fixed_window_answering_bare_503s_is_not_taken_for_failures_at_random(seed):
    """A fixed window's first burst straddling a boundary lets up to twice its limit through
    as fast as the client sends. Compared with that burst, slowing down by a fifth left the
    share of bare 503s about the same: they were taken for failures at random, and the rate
    went back up to the burst's. Now a burst is not compared with, and a share is taken for
    failures at random only if the rate accepted fell with the rate sent (a limit's does
    not). (Before: 58-81% of 40/s used and 14-18% refused in these seeds.)"""
    start = random.Random(seed).uniform(0, 0.02)
    spec = spec_for("fixed-window", 40, "none", 503)
    clients, used = share_one_limit(spec, 600, [start], seed)
    pace = clients[0].pace
    assert pace is not None and pace.background == 0  # no failures at random
    assert used >= 0.9 and refused(clients) <= 0.1, (used, refused(clients))


def test_bare_503s_cut_for_as_a_share_whose_count_is_a_windows_limit_are_no_storm():
    """A fixed window answering bare 503s, met by a first burst that straddled two of its
    seconds: a second cut for a share soon after the first was a storm's, whose climb goes
    back to 85% of the rate before it (65 a second at 40/s), refused again and stepped down
    by 15% a cut. When the window's limit read from the answers is what the server accepted
    over the last second, it is the window's, read exactly. (Before: 5.5% refused.)"""
    used, refused_, _ = case(spec_for("fixed-window", 40, "none", 503), 600, 1, 74)
    assert used >= 0.9 and refused_ <= 0.04, (used, refused_)


def test_a_bucket_answering_bare_503s_is_left_when_its_depth_is_spent():
    """A token bucket answering bare 503s (nginx's ``limit_req`` with ``burst`` and
    ``nodelay``): the first burst's count holds its depth, so the plateau is above the rate
    and the 503s come back only once the depth is spent, seconds on. Counted since the cut
    they stayed under the tenth that cuts for a share: 4-8% of the requests were refused to
    the end of the run at 40/s. Now 5% over the last second cuts, above that measure."""
    for seed in range(10):
        start = random.Random(seed).uniform(0, 0.02)
        clients, used = share_one_limit(
            spec_for("token-bucket", 40, "none", 503), 600, [start], seed
        )
        assert used >= 0.9 and refused(clients) <= 0.04, (seed, used, refused(clients))


def test_a_bucket_whose_bare_503s_the_backoff_keeps_under_a_tenth_is_left():
    """A token bucket at 120/s answering bare 503s, met by an unpaced client: each refused
    request waits out its retry's backoff in one of the places in flight, and the client
    settles at a steady 8-10% refused, under the tenth over a second that cuts. It never
    slowed down: 8.4% of the requests refused in the median run. Now 6% over two seconds
    cuts, measured over those two seconds."""
    for seed in range(8):
        start = random.Random(seed).uniform(0, 0.02)
        clients, used = share_one_limit(
            spec_for("token-bucket", 120, "none", 503), 1800, [start], seed
        )
        assert clients[0].pace is not None and clients[0].pace.cuts, seed
        assert used >= 0.9 and refused(clients) <= 0.03, (seed, used, refused(clients))


@pytest.mark.parametrize("seed", [8, 11, 12])
def test_a_bucket_met_by_bare_503s_over_a_long_round_trip_is_measured_past_its_burst(seed):
    """A server 50 ms away, not 20: eight requests in flight send 145 a second, a token
    bucket at 40/s answers bare 503s from some 0.4 s in, and the first cut for their share
    came a second in, its count holding the bucket's burst (78 a second). Cut by 15% at a
    time from there, the 503s' share stayed while the rate accepted fell with the rate
    sent, and they were taken for failures at random: unpaced again, a sixth of the
    requests refused to the end. Now the first cut is measured since the first 503.
    (Before, in these seeds: 68-92% used, 16-18% refused.)"""
    spec = spec_for("token-bucket", 40, "none", 503)
    used, refused_, _ = case(spec, 600, 1, seed, network=Network(latency=0.05))
    assert used >= 0.9 and refused_ <= 0.04, (used, refused_)


@pytest.mark.parametrize(
    ("retry_after", "rate", "rows", "seed", "least"),
    [
        ("one", 120, 1800, 6, 0.85),  # 81% before
        ("one", 120, 1800, 20, 0.85),  # 80%
        ("one", 120, 1800, 23, 0.85),  # 78%
        ("none", 40, 600, 20, 0.9),  # 83%: refused at 48, 40.8, 34.7 in two seconds
    ],
)
def test_a_fixed_windows_limit_is_read_from_its_seconds(retry_after, rate, rows, seed, least):
    """Refused soon after sending evenly above a fixed window's limit, the client reads the
    limit from the seconds of the window's own that held a refusal (each holds the limit, and
    nothing accepted after its refusal), instead of stepping down by 15% or to the busiest of
    seconds that the answers cover only in part: 105 a second at 120/s in seed 23, the
    plateau at 86% of the limit for the rest of the run."""
    used, refused_, _ = case(spec_for("fixed-window", rate, retry_after), rows, 1, seed)
    assert used >= least and refused_ <= 0.025, (used, refused_)  # (2.1% before and after)


@pytest.mark.parametrize(
    ("rate", "rows", "seed", "most"),
    [(120, 1800, 26, 0.03), (120, 1800, 37, 0.03), (40, 600, 0, 0.055)],  # 40/s: 4.6%,
    # then 5.1% once 5% over the last second cut again above a first burst's measure
)
def test_a_fixed_windows_bare_503s_too_few_to_cut_for_are_read_as_its_limit(rate, rows, seed, most):
    """A first burst straddling two of a fixed window's seconds measured up to twice its
    limit, and the retries' backoff kept the share of bare 503s under the tenth that cuts:
    the client stayed above the limit to the end, a sixteenth of its requests refused. The
    limit is read from the window's seconds instead, once three of them are over. (Before:
    72%, 86% and 97% used; 5.8%, 6.1% and 8.7% refused.)"""
    used, refused_, _ = case(spec_for("fixed-window", rate, "none", 503), rows, 1, seed)
    assert used >= 0.9 and refused_ <= most, (used, refused_)


@pytest.mark.parametrize(
    ("shape", "retry_after", "rate", "seed", "least", "most"),
    [
        ("sliding-window", "one", 5, 0, 0.7, 0.16),
        ("sliding-window", "one", 5, 1, 0.7, 0.16),
        ("fixed-window", "none", 5, 1, 0.85, 0.18),
        ("fixed-window", "none", 5, 2, 0.85, 0.18),
    ],
)
def test_a_limit_of_a_few_a_second_guessed_alike_twice_is_measured(
    shape, retry_after, rate, seed, least, most
):
    """Below ten a second every second's count is few, so each refusal was taken for a
    guess, and the climb from it, doubling, was refused again within the second: a refusal
    a second to the end. Refused again at about the rate the last guess was, the client
    takes it for the limit. (Before, in these seeds: 55% of 5/s used with 22% refused, and
    against a fixed window 19-23% refused.)"""
    used, refused_, _ = case(spec_for(shape, rate, retry_after), 15 * rate, 1, seed)
    assert used >= least and refused_ <= most, (used, refused_)


@pytest.mark.parametrize("seed", [27, 29, 22])
def test_a_window_refusing_a_guess_is_measured_by_what_it_accepted(seed):
    """A sliding window of five a second answering bare 503s: a first guess climbed from,
    doubling, was refused at eight sent a second, and that rate sent was taken for the
    limit (as a leaky bucket refuses a rate). A window refuses a count: what it accepted
    over the second is its limit. (Before, in these seeds: 51-70% used, 38% refused, every
    other request refused for five seconds.)"""
    used, refused_, _ = case(spec_for("sliding-window", 5, "none", 503), 75, 1, seed)
    assert used >= 0.8 and refused_ <= 0.25, (used, refused_)


@pytest.mark.parametrize("seed", [8, 27, 43])
def test_a_leaky_bucket_slower_than_a_round_trip_is_paced_for_its_bare_503s(seed):
    """A leaky bucket at five a second refuses even one request at a time (a round trip is
    some 21 ms). Kept to one request in flight by its first burst, the client left its bare
    503s to the retries' backoff, as a storm's, and sent a request each round trip to the
    end. A trickle accepted among them is a limit's: the client paces. (Before, in these
    seeds: 26-40% of 5/s used, 66-68% of the requests refused.)"""
    used, refused_, _ = case(spec_for(SPACING, 5, "none", 503), 75, 1, seed)
    assert used >= 0.55 and refused_ <= 0.4, (used, refused_)


def _unpaced_into_a_window(limit: int, phase: float, rate: float, seed: int) -> tuple[Pace, int]:
    """A client sending evenly at ``rate`` for five seconds, not waiting on its pace, to a
    fixed window of ``limit`` a second whose seconds begin at ``phase``, answering bare 503s
    (20 ms there and back, up to 2 ms more each way): its pace, and the seconds of the
    window's that refused."""
    clock = Clock()
    rng = random.Random(seed)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(seed))
    start = clock.now
    clock.now += 0.02
    pace.answered(start, 200)  # the login, which the window does not count
    counts: dict[int, int] = {}
    answers = []
    for k in range(int(5 * rate)):
        sent = clock.now + k / rate
        arrives = sent + 0.01 + rng.uniform(0, 0.002)
        second = math.floor(arrives - phase)
        ok = counts.get(second, 0) < limit
        counts[second] = counts.get(second, 0) + ok
        answers.append((arrives + 0.01 + rng.uniform(0, 0.002), sent, ok, second))
    for when, sent, ok, _ in sorted(answers):
        clock.now = when
        pace.answered(sent, 200 if ok else 503)
    return pace, len({second for *_, ok, second in answers if not ok})


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(10, 250),
    phase=st.floats(0, 1, exclude_max=True),
    over=st.floats(1.03, 1.1),
    seed=st.integers(0, 2**16),
)
@example(limit=45, phase=0.1953125, over=1.03, seed=45)
def test_a_fixed_window_refusing_a_few_bare_503s_a_second_is_read(limit, phase, over, seed):
    """A few percent over a fixed window's limit, its bare 503s are too few to cut for as a
    share; from four of its seconds that refused on, the client keeps under the limit. (The
    example: read as 44, the limit was then recounted from the cut's round as 46, a second
    on the client's clock straddling two of the window's: 45.04 a second against 45.)"""
    pace, refused_seconds = _unpaced_into_a_window(limit, phase, over * limit, seed)
    assume(refused_seconds >= 4)
    assert pace.current is not None and pace.current <= limit, (pace.current, pace.refused_at)


@settings(max_examples=60, deadline=None)
@given(rate=st.integers(20, 300), seed=st.integers(0, 2**16), failing=st.floats(0.02, 0.3))
def test_bare_503s_at_random_are_not_read_as_a_window(rate, seed, failing):
    """A server without a limit failing a share of its answers at random: no fixed window
    explains them (answers are accepted right after a refusal, second after second): none
    is read from them at any moment from the seconds that bare 503s are read from (the last
    second's refusals alone may be a window's, still full)."""
    clock = Clock()
    rng = random.Random(seed)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(seed))
    start = clock.now
    for k in range(4 * rate):
        clock.now = start + 0.02 + k / rate
        pace.answered(clock.now - 0.02, 503 if k and rng.random() < failing else 200)
        read = pace._window_limit()
        assert read is None or read[1] < FULL_SECONDS, (k, read)


@pytest.mark.parametrize("retry_after", ["none", "zero"])
@pytest.mark.parametrize(("rate", "rows"), [(40, 600), (120, 1800)])
@pytest.mark.parametrize("seed", [0, 5])
def test_a_bucket_whose_burst_is_less_than_a_second_is_found_soon(retry_after, rate, rows, seed):
    """A token bucket with a quarter of a second of burst (nginx's ``burst=10`` at 40 a
    second) lets a first burst of ten through: that count is its depth, not its rate. Where
    a 429 holds nothing the client probes above it after a few seconds, not after a plateau
    of twenty at a quarter of the rate. (Before: 40-46% used, over 30 seeds.)"""
    spec = spec_for("token-bucket", rate, retry_after).with_burst(0.25)
    assert spec.burst_seconds == 0.25
    clients, used = share_one_limit(spec, rows, [0.0], seed)
    assert clients[0].sent == rows
    assert used >= 0.65 and refused(clients) <= 0.025, (used, refused(clients))


@pytest.mark.parametrize("seed", [0, 4])
def test_a_leaky_bucket_refusing_a_guess_is_met_at_the_rate_it_refused(seed):
    """A leaky bucket lets one request of the first burst through: a guess, from which the
    rate doubles each second. Refused again, the rate it refused is the one sent over the
    last quarter second, not the second's average of a doubling climb (which is some two
    thirds of it). (Before: 67% and 65% of 40/s used.)"""
    used, refused_, _ = case(spec_for(SPACING, 40, "none"), 600, 1, seed)
    assert used >= 0.75 and refused_ <= 0.03, (used, refused_)


@pytest.mark.parametrize("seed", [4, 8])
def test_a_leaky_bucket_refusing_one_request_at_a_time_is_climbed_from_that_requests_rate(seed):
    """A leaky bucket answering bare 429s lets one request of the first burst through; kept
    to one request in flight, the client is refused a round trip's spacing (20-24 ms, under
    the limit's 25). The climb starts from 85% of the rate that refused request left at, not
    from the few answers of the first second (a fifth of the limit, two seconds of doubling
    from there). (Before: 77% of 40/s used in both seeds.)"""
    used, refused_, _ = case(spec_for(SPACING, 40, "none"), 600, 1, seed)
    assert used >= 0.8 and refused_ <= 0.025, (used, refused_)


@pytest.mark.parametrize("seed", [0, 4, 6])
def test_a_leaky_bucket_that_holds_is_met_with_gaps_widened_by_the_jitter(seed):
    """A leaky bucket answering ``Retry-After: 1`` refuses two requests that arrive closer
    than ``1/rate``, so the network's jitter alone is refused at 98% of it, and each refusal
    holds the client a second. Its first burst all but refused tells it spaces requests: the
    plateau leaves each gap wider by the jitter the round trips show, and a refusal there
    keeps the rate refused at rather than cutting by 15%. (Before: 62%, 56% and 62% of 40/s
    used, with 2.0-2.4% refused.)"""
    clients, used = share_one_limit(spec_for(SPACING, 40, "one"), 600, [0.0], seed)
    pace = clients[0].pace
    assert pace is not None and pace.margin > 0
    assert used >= 0.66 and refused(clients) <= 0.02, (used, refused(clients))


@pytest.mark.parametrize("seed", [0, 4, 8])
def test_a_leaky_bucket_that_holds_is_paced_by_the_gaps_it_accepted(seed):
    """At 120/s the rate a leaky bucket refused a climb at was already lowered by the
    network's jitter (the jitter brought two requests too close), and the plateau widened
    each gap by the jitter again: 81 a second, two thirds of the limit. The gaps between the
    arrivals it accepted bound its spacing (1/120 s) from above; the plateau is that and the
    jitter, once. (Before: 60% of 120/s used in each of these seeds.)"""
    used, refused_, _ = case(spec_for(SPACING, 120, "one"), 1800, 1, seed)
    assert used >= 0.64 and refused_ <= 0.02, (used, refused_)


@pytest.mark.parametrize("seed", [0, 9])
def test_a_leaky_bucket_of_five_a_second_that_holds_is_met_at_the_gaps_it_accepted(seed):
    """At five a second each climb from a guess was refused within the second, a held second
    each: a third of the requests refused. A refusal nearly as far from the last accepted
    arrival as the shortest gap accepted brackets the limit's spacing, and the climb ends
    there. (Before: 35% and 34% of 5/s used, 32-33% refused.)"""
    used, refused_, _ = case(spec_for(SPACING, 5, "one"), 75, 1, seed)
    assert used >= 0.5 and refused_ <= 0.25, (used, refused_)


@pytest.mark.parametrize("seed", [2, 4])
def test_a_leaky_bucket_is_paced_wherever_in_the_round_trip_it_counts(seed):
    """Where the limiter sits in the round trip is not known: the gaps are read at the
    midpoints until a refusal contradicts them, then where they best tell accepted from
    refused. Here the whole latency lies before the limiter, as in the sandbox process.
    (Before: 52% and 54% of 40/s used with 2.6-2.9% refused.)"""
    at_end = Network(ahead=1.0)
    clients, used = share_one_limit(spec_for(SPACING, 40, "one"), 600, [0.0], seed, network=at_end)
    assert used >= 0.64 and refused(clients) <= 0.022, (used, refused(clients))


def test_the_model_server_can_keep_requests_waiting_for_its_own_work():
    """A server's own work (each request's, done on one loop) keeps a request that reaches
    it while busy waiting, and requests that waited reach the limiter closer than they came:
    evenly at 65% of a leaky bucket's 120/s no request is refused without it (the whole
    latency before the limiter), some are with ten milliseconds of work a request, or with
    the loop stalled fifteen milliseconds by one request in a hundred."""
    spec = spec_for(SPACING, 120)
    known = 0.65 * 120
    free = case(spec, 1800, 1, seed=0, known=known, network=Network(ahead=1.0))
    busy = case(spec, 1800, 1, seed=0, known=known, network=Network(ahead=1.0, queue=0.010))
    stalled = case(spec, 1800, 1, seed=0, known=known, network=Network(ahead=1.0, stall=0.015))
    assert free[1] == 0 and busy[1] > 0 and stalled[1] > 0, (free, busy, stalled)


def _paced_after_a_spaced_burst(clock: Clock, pace: Pace) -> None:
    """A first burst of eight, each written at once: the first accepted, the rest refused
    with ``Retry-After: 1`` (a leaky bucket without burst, or one request at a time); then,
    one at a time, five accepted and a sixth refused at one in flight (not one request at a
    time: the window goes): paced, held a second."""

    async def go() -> None:
        burst = [await pace.acquire() for _ in range(8)]
        for sent in burst:
            pace.written(sent)
        clock.now += 0.021
        pace.answered(burst[0], 200)
        for sent in burst[1:]:
            pace.answered(sent, 429, 1.0)
        for k in range(6):
            sent = await pace.acquire()
            pace.written(sent)
            clock.now += 0.021
            pace.answered(sent, 200 if k < 5 else 429, None if k < 5 else 1.0)

    asyncio.run(go())


def _written_late(clock: Clock, pace: Pace, late: float) -> tuple[float, float, float, bool]:
    """A request leaves, the next is asked for, and the first is written ``late`` seconds
    after the next's turn came (the fake clock's sleep moves it there): when the first left,
    when it was written, when the next left, and whether the next waited for that write."""

    async def go() -> tuple[float, float, float, bool]:
        first = await pace.acquire()
        nxt = asyncio.ensure_future(pace.acquire())
        for _ in range(20):
            await asyncio.sleep(0)
        waited = not nxt.done()  # the first is not on the wire yet
        clock.now += late
        pace.written(first)
        return first, clock(), await nxt, waited

    return asyncio.run(go())


def test_against_a_limit_that_spaces_requests_a_gap_is_counted_from_the_last_write():
    """A process that slept (a held second) is slow to write its first request: 4-10 ms
    against the sandbox process, where the next, on time, arrived a few milliseconds after
    it and was refused, a held second again. After a late write the next request leaves a
    whole gap after it, and not before the last one is written."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    _paced_after_a_spaced_burst(clock, pace)
    _first, wrote, second, waited = _written_late(clock, pace, 0.008)
    assert pace.limited and pace.window is None and waited
    gap = (1 - pace.jitter) / pace.rate  # (departures on the grid are as close as that)
    assert second >= wrote + gap - 1e-9, (second - wrote, gap)


def _paced_after_a_window(clock: Clock, pace: Pace) -> None:
    """A first burst, eight in flight and each written at once: five rounds accepted and
    three of the sixth, the rest refused with ``Retry-After: 1`` (a window's limit, or a
    bucket's; not all but one, as a limit that spaces requests refuses): paced, held a
    second."""

    async def go() -> None:
        for round_ in range(6):
            burst = [await pace.acquire() for _ in range(8)]
            for sent in burst:
                pace.written(sent)
            clock.now += 0.021
            for k, sent in enumerate(burst):
                ok = round_ < 5 or k < 3
                pace.answered(sent, 200 if ok else 429, None if ok else 1.0)

    asyncio.run(go())


def test_against_any_rate_limit_a_request_written_late_holds_the_next():
    """The client's loop stalls now and then (a garbage collection, a write to disk): a
    request left on time is written some 60 ms late, and the next, on the old grid, reached
    the server a millisecond after it. Against a window that is one request more in the
    second after the late one (a sliding window at 40/s refused it, a held second: 85% used
    against the sandbox process, 91% now). Written later than ``LATE_WRITE``, the next
    request leaves a whole gap after the write, and not before it."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    _paced_after_a_window(clock, pace)
    first, wrote, second, waited = _written_late(clock, pace, 0.030)
    assert pace.limited and pace.window is None and not pace._spaced_burst() and waited
    assert wrote - first > LATE_WRITE
    gap = (1 - pace.jitter) / pace.rate  # (departures on the grid are as close as that)
    assert second >= wrote + gap - 1e-9, (second - wrote, gap)


def test_a_request_written_about_on_time_keeps_the_grid():
    """A write a few milliseconds after the request left (each write's own time, the first
    after a held second's) is no stall: the next leaves on the grid, not a gap after it."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    _paced_after_a_window(clock, pace)

    async def go() -> tuple[float, float, float]:
        first = await pace.acquire()
        clock.now += 0.8 * LATE_WRITE
        pace.written(first)
        return first, clock(), await pace.acquire()

    first, wrote, second = asyncio.run(go())
    assert pace.limited and pace.window is None
    assert second - first <= (1 + pace.jitter) / pace.rate + 1e-9
    assert second < wrote + (1 - pace.jitter) / pace.rate


def test_a_window_is_kept_to_when_the_client_stalls_now_and_then():
    """The client's whole loop stalls for some 40 ms now and then (``Network.writes``: the
    first request after each held second, and one in a hundred): against a sliding window at
    40/s with ``Retry-After: 1`` the request after a stall reached the window one too many,
    and every such refusal held the client a second (before: 50-82% used here)."""
    stalls = Network(ahead=1.0, writes=0.040)
    for seed in range(3):
        clients, used = share_one_limit(
            spec_for("sliding-window", 40, "one"), 600, [0.0], seed, network=stalls
        )
        assert used >= 0.88 and refused(clients) <= 0.02, (seed, used)


def test_a_step_down_from_a_count_that_said_nothing_is_kept_where_refusals_hold():
    """A sliding window counter (Cloudflare's) at 120/s with ``Retry-After: 1``: the first
    burst straddled two of its seconds (134 counted), and sending at 98% of that after the
    hold, everything was accepted for a second and a half before a refusal; the step down
    from that count is kept. Before, the refused round's answers, let through as the
    counter's weight of the second before fell, recounted the step back above the limit,
    and the hold it ignored took the busiest second for 61: four held seconds, 73% used
    (two now, 81%)."""
    clients, used = share_one_limit(
        spec_for("sliding-window-counter", 120, "one"), 1800, [0.0], seed=6
    )
    (client,) = clients
    assert client.sent == 1800 and client.pace is not None
    assert client.pace.cuts == 2 and client.pace.held <= 2.1, client.pace.held
    assert used >= 0.8, used


def test_a_first_burst_ended_by_bare_503s_with_one_let_through_is_cut_for_at_once():
    """A sliding window counter at 120/s answering bare 503s (seed 46): the first burst's
    eight 503s came with one answer accepted among them (the counter's weight of the second
    before falling). The sender cuts at the ninth answer, in the first half second, on the
    burst's count. Before, it waited for eight in a row, which never came, went on unpaced
    while its retries waited out their backoff, and cut 0.9 s in at 24 a second: 37% used
    (89% now). (Started at 0 s, not at random as the model's table has it, the same seed's
    burst ends in seven 503s and then two answers accepted: not caught, 39%.)"""
    used, refused_, _ = case(spec_for("sliding-window-counter", 120, "none", 503), 1800, 1, 46)
    assert used >= 0.85 and refused_ <= 0.01, (used, refused_)


@pytest.mark.parametrize("segments", [2, 4, 10])
def test_one_client_settles_under_a_sliding_window_counted_in_segments(segments):
    """ASP.NET Core's sliding window counts in segments of the window, from its first
    request: to a client sending evenly it is a sliding window, and the targets are met."""
    for rate, rows in ((40, 600), (120, 1800)):
        for seed in range(2):
            spec = spec_for("sliding-window", rate, "none", 503).with_segments(segments)
            clients, used = share_one_limit(spec, rows, [0.0], seed)
            assert clients[0].sent == rows
            assert used >= 0.9 and refused(clients) <= 0.02, (rate, seed, used)


def test_a_leaky_bucket_is_paced_from_when_each_request_was_written():
    """The client's own loop is late now and then to write a request (``Network.writes``:
    about 7 ms for the first after each held second and for one in a hundred, as the sandbox
    process's client showed): requests spaced from their departures arrived too close to
    the ones written late (before: 33-36% of 120/s and 55-64% of 40/s used here)."""
    late = Network(ahead=1.0, writes=0.007)
    for rate, rows, least in ((120, 1800, 0.5), (40, 600, 0.6)):
        for seed in range(3):
            clients, used = share_one_limit(
                spec_for(SPACING, rate, "one"), rows, [0.0], seed, network=late
            )
            assert used >= least and refused(clients) <= 0.025, (rate, seed, used)


def test_the_model_client_can_write_late():
    """Sending evenly at 65% of a leaky bucket's 120/s, no request is refused when every
    request is written as it leaves, and some are when one in a hundred is written 10 ms
    late (the whole latency before the limiter)."""
    spec = spec_for(SPACING, 120)
    known = 0.65 * 120
    free = case(spec, 1800, 1, seed=0, known=known, network=Network(ahead=1.0))
    late = case(spec, 1800, 1, seed=0, known=known, network=Network(ahead=1.0, writes=0.010))
    assert free[1] == 0 and late[1] > 0, (free, late)


def test_a_stall_of_the_model_client_holds_its_whole_loop():
    """A request written late stalls the client's loop, not that request alone: another of
    its tasks waking meanwhile (a timer, an answer) runs only once the stall is over, as in
    a process that was busy or asleep."""
    loop = VirtualLoop()
    writer = Writer(0.040, random.Random(0))  # (the first write comes after a pause: late)
    woke: list[float] = []

    async def other() -> None:
        await writer.sleep(0.005)
        woke.append(loop.time())

    async def go() -> None:
        task = asyncio.ensure_future(other())
        await asyncio.sleep(0)
        await writer.write(KnownRate(40, loop.time), loop.time())
        woke.append(loop.time())
        await task

    try:
        loop.run_until_complete(go())
    finally:
        loop.close()
    assert writer.stalled >= 0.02 and all(t >= writer.stalled - 1e-9 for t in woke), woke


@pytest.mark.parametrize("shape", RATE_SHAPES)
def test_a_rate_limit_refusing_at_the_plateau_does_not_widen_the_gaps(shape):
    """Only a limit whose first burst was all but refused is taken for one that spaces
    requests: a bucket's or a window's refusal at the plateau cuts as before."""
    clients, _ = share_one_limit(spec_for(shape, 120, "one"), 1800, [0.0], seed=0)
    assert clients[0].pace is not None and clients[0].pace.margin == 0


def test_the_ceiling_no_sender_passes_against_a_leaky_bucket():
    """A sender told the limit, sending evenly (``KnownRate``): at 98% of a sliding window
    it is never refused; at 88% of a leaky bucket's 120/s the network's jitter alone has 6%
    of its requests refused, so it must keep to 80% (used: 80%); four sharing one at a
    fifth of it are refused more than 5% between them. What the sender is held to there
    (BENCHMARKS.md, Pacing, the ceiling) no sender reaches."""
    window = case(spec_for("sliding-window", 40), 600, 1, seed=0, known=0.98 * 40)
    assert window[1] == 0 and window[0] >= 0.9
    spaced = case(spec_for(SPACING, 120), 1800, 1, seed=0, known=0.88 * 120)
    assert spaced[1] > 0.05, spaced
    slower = case(spec_for(SPACING, 120), 1800, 1, seed=0, known=0.8 * 120)
    assert slower[1] == 0 and slower[0] < 0.81, slower
    shared = case(spec_for(SPACING, 60), 600, 4, seed=1, known=0.2 * 60 / 4)
    assert shared[1] > 0.05, shared


@pytest.mark.parametrize("shape", SHAPES)
def test_four_clients_share_any_limit_fairly(shape, request):
    if shape in (SPACING, "concurrency"):
        request.applymarker(
            pytest.mark.xfail(reason="clients cannot interleave unseen", strict=False)
        )
    clients, _ = share_one_limit(spec_for(shape, 60, "one"), 600, [0.0, 0.005, 0.01, 0.015], seed=2)
    assert all(c.sent == 600 for c in clients)
    assert fairness(clients) >= 0.95, [round(c.throughput, 1) for c in clients]
    assert refused(clients) <= 0.05, refused(clients)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.xfail(
    reason="not met: 67-80% at worst over 100 seeds (BENCHMARKS.md): a probe meets the limit "
    "for the others too, and a slower office finishes alone on its plateau",
    strict=False,
)
def test_four_clients_use_any_limit_together(shape):
    _, used = share_one_limit(spec_for(shape, 60, "one"), 600, [0.0, 0.005, 0.01, 0.015], 2)
    assert used >= 0.9, used


BY_HAND = [0.0, 0.15, 0.3, 0.45]  # four offices started "at once" by hand: half a second
BY_HAND_MISSED = {
    429: "not met: a later office's first burst, all but refused, is taken for a limit that "
    "spaces requests, and its count while the others are held overstates its share",
    503: "not met: bare 503s are cut for as a share above a tenth (they may be failures at "
    "random), and the four stay above the limit together for seconds",
}


BY_HAND_CASES = [
    pytest.param(shape, retry_after, push_back, id=f"{shape}-{push_back}")
    for shape in RATE_SHAPES
    for retry_after, push_back in (("one", 429), ("none", 503))
]


@functools.cache
def _by_hand(shape: str, retry_after: str, push_back: int) -> tuple[list[Client], float]:
    """Four offices started half a second apart on ``shape`` (seed 3), run once for both
    tests below: the offices and the share of the limit they used."""
    return share_one_limit(spec_for(shape, 60, retry_after, push_back), 600, BY_HAND, 3)


@pytest.mark.parametrize(("shape", "retry_after", "push_back"), BY_HAND_CASES)
def test_four_offices_started_by_hand_send_every_row(shape, retry_after, push_back):
    """Four offices started half a second apart (the later ones meet a limit the first has
    filled): every row is sent."""
    clients, _ = _by_hand(shape, retry_after, push_back)
    assert [c.sent for c in clients] == [600] * 4


@pytest.mark.parametrize(("shape", "retry_after", "push_back"), BY_HAND_CASES)
def test_four_offices_started_by_hand_use_a_limit_together(shape, retry_after, push_back, request):
    """The targets for four offices started half a second apart: not met (BENCHMARKS.md,
    *Four offices started by hand*)."""
    request.applymarker(pytest.mark.xfail(reason=BY_HAND_MISSED[push_back], strict=False))
    clients, used = _by_hand(shape, retry_after, push_back)
    assert used >= 0.9 and refused(clients) <= 0.05, (used, refused(clients))


def _assert_the_last_office_is_not_long_alone(
    shape: str,
    seed: int,
    used_at_least: float,
    alone: float,
    retry_after: str = "one",
    push_back: int = 429,
) -> None:
    """Four offices on ``shape`` answering ``Retry-After: 1`` (unless told), started 5 ms
    apart: at least ``used_at_least`` of the limit used, the last office alone at most
    ``alone`` seconds, and 5% refused at most."""
    clients, used = share_one_limit(
        spec_for(shape, 60, retry_after, push_back), 600, [0.0, 0.005, 0.01, 0.015], seed
    )
    ends = sorted(c.ended for c in clients)
    assert used >= used_at_least, (used, ends)
    assert ends[-1] - ends[-2] <= alone, ends
    assert refused(clients) <= 0.05, refused(clients)


@pytest.mark.parametrize("seed", [3, 20, 28, 29])
def test_an_office_refused_for_anothers_probe_does_not_finish_alone(seed):
    """Four offices on a token bucket answering ``Retry-After: 1``: an office refused at
    least 5% below the rate it was refused at before, well settled on its plateau (another
    office probed), probes again after a shorter plateau, so the office the first second
    gave the least does not keep it until the others are done. Before, in these seeds: 74-81%
    of the limit used, the last office alone for 7-15 s; now 86-92%, alone 2-8 s (the
    issue's 90% is not met in every seed: ``test_four_clients_use_any_limit_together``)."""
    _assert_the_last_office_is_not_long_alone("token-bucket", seed, used_at_least=0.85, alone=8.0)


@pytest.mark.parametrize("seed", [4, 37, 39])
def test_an_office_that_shares_its_limit_probes_again_soon_after_its_own_probe(seed):
    """Four offices on a fixed window answering ``Retry-After: 1``: an office once refused
    for another's probe knows it shares its limit, and after its own probe is refused it
    probes again after the shared plateau, not a whole one. Before, in these seeds, the
    office the first second gave least was refused at its own probe as the others were
    finishing, kept its share for twenty seconds and finished alone for 11-16 s (64-70% of
    the limit used); now alone 4-6 s, 76-82%."""
    _assert_the_last_office_is_not_long_alone("fixed-window", seed, used_at_least=0.75, alone=6.5)


@pytest.mark.parametrize(
    ("shape", "push_back", "seed"),
    [("sliding-window", 429, 2), ("sliding-window", 429, 34)]
    + [("fixed-window", 503, seed) for seed in (0, 5, 21)],
)
def test_an_office_that_measured_its_share_again_probes_sooner_where_nothing_holds_it(
    shape, push_back, seed
):
    """Four offices on a window that says no ``Retry-After`` (a 429 or a bare 503): the office
    the first second gave least measures that same share again at its own probe, which a
    lone client with that limit would too, so it is not known to share. Where no refusal
    has held the client a probe costs only its retry: the plateau after a limit measured
    again is twelve seconds, not twenty. Before, in these seeds, that office kept its share
    for twenty seconds and finished alone for 7-10 s (77-84% of the limit used); now alone
    0.5-4 s, 87-94%."""
    _assert_the_last_office_is_not_long_alone(
        shape, seed, used_at_least=0.86, alone=4.5, retry_after="none", push_back=push_back
    )


@pytest.mark.parametrize(
    ("shape", "seed"), [("sliding-window", 25), ("fixed-window", 7), ("fixed-window", 57)]
)
def test_an_office_refused_lower_again_and_again_knows_it_shares_its_limit(shape, seed):
    """Four offices on a window answering ``Retry-After: 1``: refused for each other's probes
    a second or two apart, each time at a lower count, an office takes its limit for shared
    once the first seconds are over, though it was never two seconds into a plateau. Before,
    in these seeds, the office the first second gave least kept whole plateaus and finished
    alone for 5-12 s (74-78% of the limit used); now alone 1-7 s, 81-83%."""
    _assert_the_last_office_is_not_long_alone(shape, seed, used_at_least=0.8, alone=7.0)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_storm_of_503s_is_ridden_out(shape):
    """Every request is answered a bare 503 for two seconds, five seconds in: every row gets
    through, the storm costs little more than itself, and the rate comes back (to half the
    limit at least for the shapes whose limit is not a rate: a concurrency limit's window,
    lost in the storm, is learned again at the next refusal above it)."""
    spec = spec_for(shape, 40, "none")
    calm, _ = share_one_limit(spec, 600, [0.0], seed=4)
    stormy, _ = share_one_limit(spec, 600, [0.0], seed=4, storm=(5.0, 7.0))
    (before,), (after,) = calm, stormy
    assert after.sent == 600
    took = after.ended - after.began
    assert took <= (before.ended - before.began) + 2.0 + 4.0, took
    late = [t for t in after.accepted_at if t >= 12.0]
    back = sum(1 for t in late if t < 14.0) / 2.0
    assert back >= 40 * (0.63 if shape in RATE_SHAPES else 0.5), back


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("retry_after", ["exact", "one", "date"])
def test_retry_after_holds_every_request_of_the_client(shape, retry_after):
    """Nothing leaves between a refusal's answer and the end of the ``Retry-After`` it gave
    (a date is read to the second), whichever request got it."""
    clients, _ = share_one_limit(spec_for(shape, 40, retry_after), 400, [0.0], seed=5)
    (client,) = clients
    assert client.refusals
    held_from = float("-inf")
    for answered_at, sent_at, wait in sorted(client.refusals):
        assert wait is not None
        if sent_at < held_from:
            continue  # sent before the hold began: the same round, held once
        held_from = answered_at
        inside = [t for t in client.sent_at if answered_at < t < answered_at + wait - 1e-6]
        assert not inside, (answered_at, wait, inside[:3])


@pytest.mark.parametrize("shape", SHAPES)
def test_the_offices_cap_is_never_exceeded(shape):
    """``--max-rate`` 20 against a limit of 40: never more than 20 requests in any second,
    none refused after the first, and the cap used."""
    clients, _ = share_one_limit(spec_for(shape, 40), 200, [0.0], seed=6, max_rate=20.0)
    (client,) = clients
    sent = sorted(client.sent_at)
    assert all(b - a >= 1 / 20 - 1e-9 for a, b in itertools.pairwise(sent))
    assert client.refused == 0
    assert client.throughput >= 0.95 * 20


def steady(client: Client, limit: float) -> float:
    since, until = client.began + 2, client.ended - 1
    return sum(1 for t in client.accepted_at if since <= t < until) / ((until - since) * limit)


def test_a_concurrency_limit_is_kept_by_a_window_on_requests_in_flight():
    """A server that serves one request of the account at a time: after the first burst the
    client keeps one request in flight (its window); a second later it tries two once (a
    leaky bucket refuses a first burst the same way), is refused, and keeps to one."""
    clients, used = share_one_limit(spec_for("concurrency", 40, "zero"), 400, [0.0], seed=7)
    (client,) = clients
    assert client.pace is not None and client.pace.window == 1
    later = [sent for _, sent, _ in client.refusals if sent > client.began + 0.1]
    assert len(later) == 1 and later[0] < client.began + 2.5, later
    assert used >= 0.95, used
    assert client.pace.current is None  # no rate shown that is not the window's


@pytest.mark.parametrize("retry_after", ["one", "none"])
@pytest.mark.parametrize("seed", [4, 8, 16])
def test_a_leaky_bucket_faster_than_a_round_trip_is_not_kept_to_one_in_flight(seed, retry_after):
    """A leaky bucket at 120/s lets one request of the first burst through, as a limit of
    one request at a time would: the client keeps to one in flight, some 47 a second at
    21 ms. Not refused there, it tries two in flight a second later, spaced by half a round
    trip and the round trips' spread, then three, four, each second until refused within
    its window: no limit on requests in flight, and the rate takes over. (Before: 35%, 36%
    and 35% of the limit used in these seeds, one request in flight from start to end.)"""
    clients, used = share_one_limit(spec_for(SPACING, 120, retry_after), 1800, [0.0], seed)
    pace = clients[0].pace
    assert pace is not None and pace.window != 1
    assert used >= 0.55 and refused(clients) <= 0.02, (used, refused(clients))


@pytest.mark.parametrize("seed", [6, 12, 14])
def test_a_leaky_bucket_faster_than_a_round_trip_meets_no_catch_up_after_the_first_burst(seed):
    """A leaky bucket at 120/s answering bare 429s refuses all but one of the first burst,
    whose retries wait out their backoff in seven of the eight places in flight: one request
    a round trip goes, each after its turn. The grid of departures caught up with them, and
    a retry back from its backoff left 4 ms after the last, was refused, and counted the
    second as the limit (52 a second, a plateau at 51). (Before: 58-59% of the limit used.)"""
    used, refused_, _ = case(spec_for(SPACING, 120, "none"), 1800, 1, seed)
    assert used >= 0.68 and refused_ <= 0.01, (used, refused_)


@pytest.mark.parametrize(("rate", "rows", "least"), [(40, 600, 0.75), (120, 1800, 0.55)])
@pytest.mark.parametrize("seed", [0, 1, 4])
def test_a_bare_503_after_a_first_burst_all_but_refused_is_a_limit(rate, rows, least, seed):
    """A leaky bucket answering bare 503s: a first burst refused but for one request is no
    failure at random, so a bare 503 later is met as a 429 would be, not left until a tenth
    of the answers are refusals. (Before: 39% of 40/s and 32% of 120/s at worst over twenty
    seeds; 5-10% refused at 105 a second in some.) At 40/s the plateau's 98% meets the
    network's jitter a few times before a second cut: 4.5% refused at most over a hundred
    seeds, 3.1% in these."""
    clients, used = share_one_limit(spec_for(SPACING, rate, "none", 503), rows, [0.0], seed)
    assert used >= least and refused(clients) <= 0.035, (used, refused(clients))


@pytest.mark.parametrize("shape", RATE_SHAPES)
@pytest.mark.parametrize("retry_after", ["one", "none"])
@pytest.mark.parametrize("seed", [7, 9])
def test_a_limit_of_a_few_a_second_is_measured_not_guessed_again_and_again(
    shape, retry_after, seed
):
    """Ten a second: a first burst of nine or ten accepted is too few to tell a burst from a
    rate, a guess. But a second's count of few answers sent over a second or more is a
    measure, and nine or ten accepted of a burst (not one or two) are a small bucket's or
    window's, whose count over the second is their rate: no rate of 200 a second from nine
    answers in 40 ms, stepped down by 15% a refusal. (Before: 16-19% refused in these seeds,
    a refusal, and with ``Retry-After`` a held second, every second of the run.)"""
    clients, used = share_one_limit(spec_for(shape, 10, retry_after), 150, [0.0], seed)
    assert clients[0].sent == 150
    assert refused(clients) <= 0.12 and used >= 0.7, (used, refused(clients))


def test_a_window_goes_when_refusals_come_within_it():
    """Refused above some number in flight the client keeps below it; refused within it,
    the limit is not on concurrency, and the window goes."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    _all_but_the_first_refused(pace, clock, 4, 0.02)
    assert pace.window == 1 and pace.in_flight == 0
    clock.now += 0.001
    (alone,) = _burst(pace, 1)
    clock.now += 0.02
    pace.answered(alone, 429)  # refused with nothing else in flight
    assert pace.window is None


def _burst(pace: Pace, n: int) -> list[float]:
    """``n`` requests let go at once (as far as the pace lets them)."""

    async def go() -> list[float]:
        return [await pace.acquire() for _ in range(n)]

    return asyncio.run(go())


def _all_but_the_first_refused(pace: Pace, clock: Clock, n: int, latency: float) -> None:
    """A first burst of ``n``, answered ``latency`` later: the first accepted, the rest
    refused (a leaky bucket's, or one request at a time's)."""
    first = _burst(pace, n)
    clock.now += latency
    pace.answered(first[0], 200)
    for sent in first[1:]:
        pace.answered(sent, 429)


def _one_at_a_time_from_the_first_burst(pace: Pace, clock: Clock) -> None:
    """A first burst of eight all but refused; then a second and more of one request after
    another, each answered 21-23 ms later."""
    _all_but_the_first_refused(pace, clock, 8, 0.021)
    assert pace.window == 1
    for k in range(60):
        (sent,) = _burst(pace, 1)
        clock.now += 0.021 + 0.002 * (k % 2)
        pace.answered(sent, 200)
        if pace.window != 1:
            return
    raise AssertionError("the window of one was never tried at two")


@pytest.mark.parametrize(("passed", "window"), [(0, 1), (1, 1), (3, None)])
def test_a_window_of_one_is_gone_when_its_probes_level_passed_before_a_refusal(passed, window):
    """Tried at two in flight, a window of one from the first burst is refused at two: one
    request at a time refuses every request at two in flight, so the window goes back to
    one; but after three or more were accepted at two, the refusal was a leaky bucket's
    (the network's jitter brought two requests closer than it allows), and the rate paces,
    not one request in flight (a leaky bucket at 120/s kept to one in flight was 31% used
    against the sandbox as its own process)."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    _one_at_a_time_from_the_first_burst(pace, clock)
    assert pace.window == 2

    for _ in range(passed):
        a, b = _burst(pace, 2)
        clock.now += 0.021
        pace.answered(a, 200)
        pace.answered(b, 200)
    a, b = _burst(pace, 2)
    assert getattr(b, "level", 0) == 2
    clock.now += 0.021
    pace.answered(a, 200)
    pace.answered(b, 429)
    assert pace.window == window


def test_after_the_hold_the_rate_is_back_on_the_plateau():
    """After a refusal with a ``Retry-After`` the client is held, then sends at the plateau,
    just under the rate refused at, where it stays."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    for _ in range(40):
        pace.answered(clock(), 200)
        clock.now += 0.025
    pace.answered(clock() - 0.02, 429, 1.0)
    assert pace.refused_at == pytest.approx(40, rel=0.05)

    def answers(seconds: float) -> None:
        end = clock() + seconds
        while clock() < end:
            pace.answered(clock() - 0.01, 200)
            clock.now += 1 / 39.5

    # The plateau: just under the rate refused at, one request less (the first second's
    # count may hold the login, which a limit per account does not count).
    plateau = SETTLE * (pace.refused_at - 1)
    answers(1.5)  # the hold, then half a second
    assert pace.rate == pytest.approx(plateau, rel=0.01)
    answers(5)
    assert pace.rate == pytest.approx(plateau, rel=0.01)  # where it stays


def test_a_run_of_refusals_saying_retry_after_1_holds_the_client_once():
    """Eight requests in flight are refused one after another, each with ``Retry-After: 1``:
    the client is held one second from the first, not a second more for each."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    for _ in range(40):
        pace.answered(clock(), 200)
        clock.now += 0.025
    sent = clock() - 0.02
    first = clock()
    for _ in range(8):
        pace.answered(sent, 429, 1.0)
        clock.now += 0.005
    assert pace.held_until == pytest.approx(first + 1.0)
    assert pace.held == pytest.approx(1.0)  # as the run's end says: one second in all
    assert pace.cuts == 1

    async def three() -> list[float]:
        return list(await asyncio.gather(*(pace.acquire() for _ in range(3))))

    left = asyncio.run(three())
    assert min(left) >= first + 1.0  # every request of the client waited
    assert max(left) < first + 1.2  # and then at the rate, not a second each


def test_a_limit_closed_for_a_while_is_waited_out_not_cut_for():
    """A fixed window of ten seconds (400 at 40 a second) answering 429 without
    ``Retry-After``: the first window is spent in its first second, and every answer is a
    refusal for the rest of it. After a second and a half of nothing but refusals the client
    holds a second and tries again, instead of cutting by 15% at each refusal: the next
    window finds it sending, not at a few a second. (Before: 12 of the second window's 400
    sent, the rate 7 a second at the end.)"""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(3))
    window = FixedWindow(40, 10)
    log = run(pace, clock, lambda sent: (window.admit(sent) is None, None), 25.0)
    second = [sent for sent, ok in log if ok and 1010 <= sent < 1020]
    assert len(second) >= 300, len(second)
    assert pace.held_until > 1010  # held, a second at a time, through a full window


@pytest.mark.parametrize("shape", ["fixed-window", "sliding-window"])
def test_a_window_of_ten_seconds_without_retry_after_is_waited_out(shape):
    """The same against the model's limiter: a ten-second window answering 429 without a
    ``Retry-After``, fifteen windows. (Before: 59% of a fixed window used, 72% of a
    sliding one, cut down to a few a second through each window's rest.)"""
    spec = spec_for(shape, 40, "none").with_window(10)
    clients, used = share_one_limit(spec, 6000, [0.0], seed=1)
    assert clients[0].sent == 6000
    assert used >= 0.74 and refused(clients) <= 0.06, (used, refused(clients))


def test_a_stall_of_the_machine_is_not_taken_for_the_networks_jitter():
    """A leaky bucket that holds is met with gaps wider by the network's jitter, taken from
    the round trips' quartiles: eight answers held up together by a stall of the machine
    (60 ms where the rest take 21-23 ms), one in ten of those seen, do not widen every gap
    by half their delay (against the sandbox process, a stall in its second second made the
    gaps 16 ms wider: 120/s was met at 37 a second)."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    start = clock()
    clock.now += 0.021
    pace.answered(start, 200)
    for _ in range(7):  # the first burst: one accepted, the rest refused, Retry-After: 1
        pace.answered(start, 429, 1.0)
    clock.now = start + 1.5
    for k in range(80):
        trip = 0.060 if 40 <= k < 48 else 0.021 + 0.002 * (k % 3) / 2
        pace.answered(clock() - trip, 200)
        clock.now += 0.025
    pace.answered(clock() - 0.021, 429, 1.0)
    assert pace.cuts == 2
    assert 0 < pace.margin < 0.004, pace.margin


@pytest.mark.parametrize("seed", [0, 4, 6])
def test_the_first_rounds_slow_answers_are_not_taken_for_jitter(seed):
    """Against a real server the first answers are slow (each connection is set up first:
    25 ms more, give or take half, where the rest take 20-24 ms). A leaky bucket that holds
    is met with gaps wider by the round trips' spread from the 5th to the 95th percentile,
    not by those few slow answers (before: their spread made every gap 9-12 ms wider here,
    and against the sandbox process 40/s became 21 a second)."""
    clients, used = share_one_limit(
        spec_for(SPACING, 40, "one"), 600, [0.0], seed, network=Network(connect=0.025)
    )
    pace = clients[0].pace
    assert pace is not None and 0 < pace.margin < 0.004, pace.margin
    assert used >= 0.6 and refused(clients) <= 0.025, (used, refused(clients))


# -- a server failing at random, no limit (the engine's shape, virtual time) ---------------


def _speed_kept(failing: float, seed: int, rows: int = 2000) -> tuple[float, Pace]:
    """The paced engine's speed over an unpaced one's, same retries and failures."""
    paced, _ = share_one_limit(NO_LIMIT, rows, [0.0], seed, failing=failing)
    free, _ = share_one_limit(NO_LIMIT, rows, [0.0], seed, failing=failing, known=NO_LIMIT)
    assert paced[0].pace is not None
    return paced[0].throughput / free[0].throughput, paced[0].pace


@pytest.mark.parametrize("failing", [0.02, 0.05])
def test_a_server_failing_at_random_keeps_the_engines_speed(failing):
    """No limit, a few percent of the answers a bare 503 at random: the paced engine keeps
    most of the speed an unpaced one with the same retries gets, in every seed. One failure
    among the first round's eight requests was taken for a limit on requests in flight (the
    levels above it not accepted yet) and kept the client to fewer in flight for good: half
    the speed in one seed of twenty at 2%; failures among the first twenty answers, for a
    limit met by the first burst: a tenth of the speed."""
    for seed in range(10, 20):
        kept, pace = _speed_kept(failing, seed, rows=1000)
        assert pace.window is None, seed
        assert kept >= 0.9, seed


def test_failures_at_random_taken_for_a_limit_are_judged_on_the_plateau():
    """No limit, 5% of the answers a bare 503 at random. A first second that had a tenth of
    them cuts (a limit's, maybe); on the plateau, sending below what the server accepted
    before, they keep coming as often while fewer are accepted: failures at random, the
    cuts undone and the client unpaced again. Judged only at the next cut for a share,
    which a twentieth never brings, every probe above the plateau met a failure and cut
    again: one run in these ten kept 47% of the speed."""
    for seed in range(20, 30):
        kept, pace = _speed_kept(0.05, seed)
        assert kept >= 0.75, (seed, kept)
        if pace.cuts:
            assert pace.background > 0, seed


def test_a_server_failing_a_tenth_at_random_keeps_most_of_its_speed():
    """A tenth of the answers a bare 503 at random: over twenty runs, the paced engine keeps
    at least 85% of the unpaced one's speed in half of them (82% before failures taken for
    a limit were judged on the plateau)."""
    kept = sorted(_speed_kept(0.1, seed)[0] for seed in range(20))
    assert kept[len(kept) // 2] >= 0.85, kept


@pytest.mark.parametrize("seed", [31, 36])
def test_a_crowd_of_failures_within_the_servers_known_background_is_no_storm(seed):
    """A fifth of the answers a bare 503 at random: the cuts for them are undone and that
    share is remembered as the server's background. Twelve failures in twenty answers, a
    storm's crowd, come some time in a long run at that share: cut for, every probe back up
    met another failure, and the run kept 28-29% of the speed in these seeds (42% and 58%
    before the spacing after a cut changed which seeds meet one). A crowd now counts beyond
    the background: 16 of 20 at a background of 16%."""
    kept, pace = _speed_kept(0.2, seed)
    assert pace.background > 0, seed
    assert kept >= 0.85, (seed, kept)


def test_a_client_unpaced_again_is_neither_grown_nor_held_by_its_old_pace():
    """Cuts for failures at random undone, the client is unpaced as before the first: the
    pace it had is not grown on each accepted answer (a rate no one reads), nor read to hold
    the client for a window it took to be full (185 such holds over twenty runs at 10%)."""
    undone = 0
    for failing in (0.1, 0.2):
        for seed in range(10):
            _, pace = _speed_kept(failing, seed, rows=1000)
            if pace.cuts and pace.current is None:
                undone += 1
                assert pace.rate == 0.0, (failing, seed, pace.rate)
    assert undone >= 3, undone
