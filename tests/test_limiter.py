"""The pace (an adaptive token bucket) against simulated servers, on a fake clock: it finds a
fixed limit and stays just below it, recovers after a burst of 503s, holds every request on
Retry-After, keeps to the office's cap, and serves waiting requests in turn."""

from __future__ import annotations

import asyncio
import random

import pytest

from pipeline.net.limiter import BETA, InFlight, Pace, jain

from .shared_limit import Gateway, fairness, share_one_limit, shares


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)  # let the other waiting requests run


def run(
    pace: Pace, clock: Clock, answer, seconds: float, latency: float = 0.005, refusal: int = 429
) -> list:
    """One request after another for ``seconds``: (sent at, accepted) for each; a refused
    request is answered ``refusal``."""
    log: list[tuple[float, bool]] = []

    async def go() -> None:
        end = clock() + seconds
        while clock() < end:
            sent = await pace.acquire()
            clock.now += latency
            ok, retry_after = answer(sent)
            pace.answered(sent, 200 if ok else refusal, retry_after)
            log.append((sent, ok))

    asyncio.run(go())
    return log


def accepted_rate(log: list, since: float, until: float) -> float:
    return sum(1 for sent, ok in log if ok and since <= sent < until) / (until - since)


def test_it_finds_a_fixed_limit_and_stays_just_below_it():
    clock = Clock()
    server = Gateway(clock, 40)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    log = run(pace, clock, lambda _sent: (server.take() is None, None), 60)
    start = log[0][0]
    used = accepted_rate(log, start + 10, start + 60)
    refused = sum(1 for _, ok in log if not ok) / len(log)
    assert used >= 0.9 * 40, used
    assert refused <= 0.02, refused
    assert pace.current is not None and 25 <= pace.current <= 60


def test_with_retry_after_the_limit_is_still_used_and_every_request_waits():
    clock = Clock()
    server = Gateway(clock, 40)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    held = []

    def answer(sent: float):
        held.append(sent >= pace.held_until or pace.held_until == float("-inf"))
        return (True, None) if server.take() is None else (False, 1.0)

    log = run(pace, clock, answer, 60)
    start = log[0][0]
    assert accepted_rate(log, start + 10, start + 60) >= 0.9 * 40
    assert sum(1 for _, ok in log if not ok) / len(log) <= 0.02
    assert all(held)  # no request left while the client was held back


def test_an_unlimited_server_is_used_as_fast_as_requests_come_back():
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    log = run(pace, clock, lambda _sent: (True, None), 5, latency=0.02)
    assert pace.current is None  # never slowed down
    assert len(log) >= 0.99 * 5 / 0.02


def test_it_recovers_after_a_burst_of_503s():
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    start = clock()

    def answer(sent: float):
        return (not (start + 10 <= sent < start + 11), None)

    log = run(pace, clock, answer, 40, refusal=503)
    before = accepted_rate(log, start + 5, start + 10)
    assert pace.cuts >= 1
    during = [sent for sent, ok in log if not ok]
    assert during and min(during) >= start + 10 and max(during) < start + 11
    # Three quarters of it back within five seconds of the storm's end (the rate doubles
    # each second up to there), and most of the rest over the next twenty.
    assert accepted_rate(log, start + 15, start + 18) >= 0.7 * before
    assert accepted_rate(log, start + 30, start + 40) >= 0.85 * before


def test_one_cut_per_round_answers_to_requests_sent_before_the_cut_do_not_cut_again():
    clock = Clock()
    pace = Pace(max_rate=100, clock=clock, sleep=clock.sleep, rng=random.Random(1))
    for _ in range(50):
        pace.answered(clock(), 200)
        clock.now += 0.01
    early = clock() - 0.005
    pace.answered(early, 429)
    first = pace.rate
    assert pace.refused_at == pytest.approx(50, rel=0.05)  # what the server accepted
    assert first == pytest.approx(BETA * pace.refused_at)
    pace.answered(early, 429)  # the same burst
    assert pace.rate == first and pace.cuts == 1
    clock.now += 0.1
    pace.answered(clock(), 429)  # sent after the cut, and the last second as full as before:
    assert pace.cuts == 1  # the server's window still holds the burst, not a new round
    clock.now += 1.5  # a second later the window holds only what was sent at the new rate
    pace.answered(clock(), 200)
    pace.answered(clock(), 429)
    assert pace.cuts == 2 and pace.refused_at == pytest.approx(BETA * 50, rel=0.05)


def test_after_a_cut_the_next_request_leaves_one_new_gap_after_the_last():
    """The departure after a request was already set, one gap of the old rate later; a cut
    moves it to one gap of the new rate (a leaky bucket refused the request sent on the old
    spacing too, and its count, a second cut, took the rate refused at 15% lower)."""
    clock = Clock()
    pace = Pace(max_rate=100, clock=clock, sleep=clock.sleep, rng=random.Random(1))
    departures: list[float] = []

    async def go() -> None:
        for _ in range(40):
            sent = await pace.acquire()
            departures.append(sent)
            clock.now += 0.005
            pace.answered(sent, 200)
        sent = await pace.acquire()  # the next one is set at 1/100 s after this one
        clock.now += 0.005
        pace.answered(sent, 429)  # refused: cut
        assert pace.cuts == 1 and pace.rate < 60
        departures.append(sent)
        departures.append(await pace.acquire())

    asyncio.run(go())
    assert departures[-1] - departures[-2] >= (1 - 1e-9) / pace.rate


def test_a_request_that_came_after_its_turn_is_not_followed_by_a_catch_up():
    """A timer's lateness is made up for on the grid of departures; a request that came
    after its turn, none waiting (every worker busy, or waiting out a retry's backoff), is
    not: the next leaves one gap after it, not on the grid point before (3.7 ms after it
    at 80 a second, and a leaky bucket refused it)."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    for _ in range(50):
        pace.answered(clock(), 200)
        clock.now += 0.01
    pace.answered(clock() - 0.005, 429)
    assert pace.cuts == 1 and pace.current is not None
    gap = 1 / pace.rate

    async def go() -> list[float]:
        first = await pace.acquire()
        clock.now += 1.6 * gap  # the next request comes late, nobody waiting
        late = await pace.acquire()
        after = await pace.acquire()
        return [first, late, after]

    first, late, after = asyncio.run(go())
    assert late == pytest.approx(first + 1.6 * gap)  # it left at once
    assert after - late >= (1 - 1e-9) * gap, (after - late, gap)


def test_retry_after_holds_every_request_of_the_client():
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    pace.answered(clock(), 429, 2.5)
    now = clock()

    async def three() -> list[float]:
        return list(await asyncio.gather(*(pace.acquire() for _ in range(3))))

    sent = asyncio.run(three())
    assert all(s >= now + 2.5 for s in sent)


def test_the_office_cap_is_never_exceeded_and_waiting_requests_go_in_turn():
    clock = Clock()
    pace = Pace(max_rate=10, clock=clock, sleep=clock.sleep, rng=random.Random(1))
    order: list[int] = []

    async def one(n: int) -> float:
        sent = await pace.acquire()
        order.append(n)
        pace.answered(sent, 200)
        return sent

    async def fifty() -> list[float]:
        return list(await asyncio.gather(*(one(n) for n in range(50))))

    start = clock()
    sent = asyncio.run(fifty())
    assert order == list(range(50))  # first come, first served: nobody starves
    per_second = max(sum(1 for s in sent if t <= s < t + 1) for t in sent)
    assert per_second <= 10 + 1  # one second of burst at most, then 10 a second
    assert clock() - start >= 3.9
    assert pace.current == 10


def test_a_cap_must_be_positive():
    with pytest.raises(ValueError):
        Pace(max_rate=0)


def test_never_more_in_flight_than_the_cap():
    cap = InFlight(3)
    peak = 0

    async def work() -> None:
        nonlocal peak
        async with cap:
            peak = max(peak, cap.active)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(work() for _ in range(20)))

    asyncio.run(main())
    assert peak == 3 and cap.active == 0
    with pytest.raises(ValueError):
        InFlight(0)


def test_jains_index():
    assert jain([10, 10, 10, 10]) == pytest.approx(1.0)
    assert jain([40, 0, 0, 0]) == pytest.approx(0.25)
    assert jain([]) == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_a_server_failing_at_random_does_not_make_the_rate_collapse(seed):
    """A fifth of the answers are 503 at random, whatever the rate. A bare 503 may be a
    rate limit's, so the pace slows down; once slowing down leaves the share of 503s about
    the same, they are taken for the server's background: the rate does not collapse, or
    the client is unpaced again (every cut was for them)."""
    clock = Clock()
    rng = random.Random(seed)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    log = run(pace, clock, lambda _sent: (rng.random() >= 0.2, None), 60, refusal=503)
    start = log[0][0]
    free = 1 / 0.005  # one request after another, 5 ms each
    assert accepted_rate(log, start + 30, start + 60) >= 0.5 * 0.8 * free
    assert pace.background >= 0.1  # remembered as the server's, not the rate's
    assert pace.current is None or pace.current > 0.25 * free


@pytest.mark.parametrize("failing", [0.03, 0.05, 0.08])
@pytest.mark.parametrize("seed", range(8))
def test_a_few_failures_at_random_in_the_first_burst_do_not_set_the_rate(failing, seed):
    """A server without a limit failing a few percent of its answers at random with a bare
    503. Two of them among the first twenty answers (a tenth of a second) are no limit's
    burst spent: answers keep being accepted between them, and the client keeps its speed.
    Taken for a limit, the first tenth of a second was counted as a second's rate (a tenth of
    the server's) and every probe back up met another failure."""
    clock = Clock()
    rng = random.Random(seed)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(seed + 100))
    log = run(pace, clock, lambda _sent: (rng.random() >= failing, None), 60, refusal=503)
    start = log[0][0]
    free = 1 / 0.005  # one request after another, 5 ms each
    assert accepted_rate(log, start + 30, start + 60) >= 0.8 * (1 - failing) * free


def test_an_overloaded_server_is_cut_until_it_stops_refusing():
    """A server that refuses with a bare 503 (no Retry-After) whatever is sent above 50 a
    second: the pace cuts again while most answers are refusals and settles near the limit.
    A bare 503 may also be a random failure, so the sender probes longer before cutting
    again than it does on a 429: more refusals than under a rate limit, still few."""
    clock = Clock()
    server = Gateway(clock, 50)
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1))
    log = run(pace, clock, lambda _sent: (server.take() is None, None), 60, refusal=503)
    start = log[0][0]
    late = [ok for sent, ok in log if sent >= start + 30]
    assert sum(1 for ok in late if not ok) / len(late) <= 0.15
    assert accepted_rate(log, start + 30, start + 60) >= 0.8 * 50


# -- several clients sharing one limit (virtual time) --------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_four_clients_started_together_share_one_limit_fairly(seed):
    """Four offices start within 20 ms of each other against one 60/s limit: together they
    use most of it, few requests are refused, and each gets about the same rows a second."""
    rng = random.Random(seed)
    clients, used = share_one_limit(60, 600, [rng.uniform(0, 0.02) for _ in range(4)], seed)
    assert all(c.sent == 600 for c in clients)
    refused = sum(c.refused for c in clients) / sum(c.requests for c in clients)
    assert used >= 0.85, used
    assert refused <= 0.05, refused
    assert fairness(clients) >= 0.95, [round(c.throughput, 1) for c in clients]


@pytest.mark.xfail(
    reason="not always met: the office that had the limit keeps a lead (four seeds in six "
    "here, Jain 0.62-0.86; 0.57 at worst over 100 seeds: BENCHMARKS.md, Pacing)",
    strict=False,
)
@pytest.mark.parametrize("seed", range(6))
def test_clients_joining_late_are_not_starved(seed):
    """One office has the whole limit to itself for five seconds, then three more join: over
    the fifteen seconds after the joiners' first few, every office gets a real share and the
    shares are close (a rate that grows back to each client's own earlier rate would keep the
    first office far ahead)."""
    clients, _ = share_one_limit(60, 1200, [0.0, 5.0, 5.0, 5.0], seed)
    later = shares(clients, 12.0, 27.0)
    assert min(later) >= 0.3 * max(later), later
    assert jain([float(n) for n in later]) >= 0.85, later


def test_a_guess_refused_again_right_after_its_hold_counts_only_the_time_free_to_send():
    """A first burst with two answers accepted is a guess; refused again a moment after its
    one-second hold ends, the client sent for too short a time to count: the rate it was
    sending at stands (a leaky bucket refuses a burst, not a rate of 80 a second), rather
    than the one or two answers accepted over the whole second, held time included."""
    clock = Clock()
    pace = Pace(clock=clock, sleep=clock.sleep, rng=random.Random(3))

    async def go() -> None:
        for status in (200, 200, 429):  # one at a time: no limit on requests in flight
            sent = await pace.acquire()
            clock.now += 0.01
            pace.answered(sent, status, 1.0 if status == 429 else None)
        assert pace.limited and pace.held_until > clock()
        rate = pace.rate
        clock.now = pace.held_until
        for status in (200, 429):  # paced, after the hold
            sent = await pace.acquire()
            clock.now += 0.005
            pace.answered(sent, status, 1.0 if status == 429 else None)
        assert pace.cuts == 2
        assert pace.refused_at >= BETA * min(rate, 40), (rate, pace.refused_at)

    asyncio.run(go())
