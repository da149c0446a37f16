"""The sandbox's limiter shapes, one at a time on a fake clock, and how the fault injector
answers their refusals (429 or 503, each Retry-After variant)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.commands.sandbox import limit_shape
from pipeline.core.errors import ConfigError
from pipeline.sandbox.faults import FaultInjector, Faults
from pipeline.sandbox.limiters import (
    Concurrency,
    FixedWindow,
    LeakyBucket,
    LimitSpec,
    SegmentedWindow,
    SlidingWindow,
    TokenBucket,
    WindowCounter,
)


def accepted(limiter, times: list[float]) -> list[bool]:
    return [limiter.admit(t) is None for t in times]


def test_a_token_bucket_lets_its_burst_through_then_its_rate():
    bucket = TokenBucket(10, burst=2)
    assert accepted(bucket, [0.0] * 21) == [True] * 20 + [False]
    assert bucket.admit(0.0) == pytest.approx(0.1)  # a token in a tenth of a second
    assert accepted(bucket, [0.1, 0.15, 0.2]) == [True, False, True]


def test_a_sliding_window_allows_the_rate_in_any_second():
    window = SlidingWindow(5)
    assert accepted(window, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]) == [True] * 5 + [False]
    assert window.admit(0.9) == pytest.approx(0.1)  # until the first leaves the window
    assert accepted(window, [1.0, 1.05, 1.1]) == [True, False, True]


def test_a_fixed_window_resets_at_each_second():
    window = FixedWindow(3)
    assert accepted(window, [10.2, 10.3, 10.4, 10.5]) == [True, True, True, False]
    assert window.admit(10.75) == pytest.approx(0.25)  # until the next second
    assert accepted(window, [11.0, 11.01, 11.02, 11.03]) == [True, True, True, False]


def test_a_window_of_ten_seconds_holds_ten_seconds_of_the_rate():
    """``--window 10`` (ASP.NET Core's ``Window``): at 4 a second, 40 a window; a fixed
    window resets at each tenth second of the clock, a sliding one ten seconds after each
    request it let through."""
    fixed = LimitSpec(4, "fixed-window", window=10).make()
    assert accepted(fixed, [20.5] * 41) == [True] * 40 + [False]
    assert fixed.admit(27.0) == pytest.approx(3.0)  # until 30 s, not the next second
    assert accepted(fixed, [29.99, 30.0]) == [False, True]
    sliding = LimitSpec(4, "sliding-window", window=10).make()
    assert accepted(sliding, [0.5] * 20 + [5.0] * 20 + [10.0]) == [True] * 40 + [False]
    assert sliding.admit(10.0) == pytest.approx(0.5)  # until the first twenty leave it
    assert accepted(sliding, [10.5] * 21) == [True] * 20 + [False]


def test_a_window_is_given_to_the_window_shapes_only():
    """``with_window`` (the model's ``--window``): a bucket has no window; the capacity
    counts a window's whole first count at once."""
    fixed = LimitSpec(40, "fixed-window").with_window(10)
    assert fixed.window == 10 and fixed.capacity(30, 0.02) == 40 * (30 + 10)
    assert LimitSpec(40, "fixed-window").capacity(30, 0.02) == 40 * 31
    assert LimitSpec(0.29, "fixed-window", window=100).make().size == 29  # (28.999… in floats)
    bucket = LimitSpec(40, "token-bucket")
    assert bucket.with_window(10) == bucket and bucket.with_window(None) == bucket
    for wrong in (0.0, -1.0, float("nan"), 7200.0):
        with pytest.raises(ValueError, match="window"):
            LimitSpec(40, "fixed-window", window=wrong)


def test_a_segmented_window_frees_a_segments_count_when_the_window_slides_past_it():
    """ASP.NET Core's ``SlidingWindowRateLimiter`` with four segments of a quarter second,
    its timer from the first request (at 10.1): two requests in the first segment and three
    in the third fill the window; the first segment's two are free again at 11.1, when the
    window has slid past it, and not before."""
    window = SegmentedWindow(5, window=1.0, segments=4)
    assert accepted(window, [10.1, 10.2, 10.6, 10.65, 10.7, 10.8]) == [True] * 5 + [False]
    assert window.admit(11.0) == pytest.approx(0.1)  # until 11.1
    assert accepted(window, [11.1, 11.2, 11.3]) == [True, True, False]
    assert window.admit(11.3) == pytest.approx(0.3)  # the third segment's three: at 11.6
    # An exact sliding window would free the first two at 11.1 and 11.2, one at a time.


def test_one_segment_is_a_fixed_window_from_the_first_request():
    window = LimitSpec(3, "sliding-window", segments=1).make()
    assert isinstance(window, SegmentedWindow)
    assert accepted(window, [0.4, 0.5, 0.6, 1.3, 1.4]) == [True, True, True, False, True]


def test_segments_are_given_to_the_sliding_window_only():
    sliding = LimitSpec(40, "sliding-window")
    assert sliding.with_segments(4).segments == 4 and sliding.with_segments(None) == sliding
    fixed = LimitSpec(40, "fixed-window")
    assert fixed.with_segments(4) == fixed
    assert isinstance(sliding.make(), SlidingWindow)
    for wrong in (-1, 1001):
        with pytest.raises(ValueError, match="segments"):
            LimitSpec(40, "sliding-window", segments=wrong)


def test_a_window_counter_weighs_the_second_before_by_what_the_window_still_covers():
    """Five a second: five in the second from 10 fill it; at 11.3 the second before still
    weighs 0.7 of its five (3.5), so two more are let through and the third is refused; at
    11.55 it weighs 2.25, one more; after a quiet second the next lets its five through at
    once."""
    counter = WindowCounter(5)
    assert accepted(counter, [10.0, 10.2, 10.4, 10.6, 10.8, 10.9]) == [True] * 5 + [False]
    assert counter.admit(10.9) == pytest.approx(0.1)  # then 5 × (1 - ε) < 5
    assert accepted(counter, [11.3, 11.3, 11.3]) == [True, True, False]
    assert accepted(counter, [11.55, 11.55]) == [True, False]
    assert counter.admit(11.55) == pytest.approx(0.05)  # 5 × 0.4 + 3: at 11.6
    assert accepted(counter, [13.0] * 6) == [True] * 5 + [False]  # 12 was quiet


@settings(max_examples=200, deadline=None)
@given(
    shape=st.sampled_from(["segmented", "counter"]),
    gaps=st.lists(st.floats(0.0, 0.4), min_size=1, max_size=60),
)
def test_the_wait_a_refusal_says_is_when_a_request_is_accepted_again(shape, gaps):
    """For any arrivals, a refused request's wait is exact: a request at that moment is
    accepted, and one a little before it is not (the ``exact`` ``Retry-After``)."""
    import copy

    limiter = SegmentedWindow(4, 1.0, 4) if shape == "segmented" else WindowCounter(4)
    now = 100.0
    for gap in gaps:
        now += gap
        wait = limiter.admit(now)
        if wait is None:
            continue
        assert wait > 0
        early, later = copy.deepcopy(limiter), copy.deepcopy(limiter)
        if wait > 2e-3:
            assert early.admit(now + wait - 1e-3) is not None
        assert later.admit(now + wait + 1e-9) is None, (now, wait)


def test_a_leaky_bucket_without_burst_spaces_requests():
    bucket = LeakyBucket(10, burst=0)
    assert accepted(bucket, [0.0, 0.05, 0.1, 0.15, 0.2]) == [True, False, True, False, True]
    assert bucket.admit(0.25) == pytest.approx(0.05)
    burst = LeakyBucket(10, burst=0.3)  # three requests of excess tolerated
    assert accepted(burst, [0.0] * 5) == [True] * 4 + [False]


def test_a_burst_is_given_to_the_shapes_a_burst_shapes_only():
    """``with_burst`` (the model's ``--burst``, the bench's ``SIMAD_BENCH_BURST``): a token
    bucket with a quarter of a second of burst at 40/s lets ten through at once; a window
    has no burst to give."""
    bucket = LimitSpec(40, "token-bucket").with_burst(0.25)
    assert bucket.burst_seconds == 0.25
    assert accepted(bucket.make(), [0.0] * 11) == [True] * 10 + [False]
    assert LimitSpec(40, "leaky-bucket").with_burst(0.25).burst_seconds == 0.25
    window = LimitSpec(40, "sliding-window")
    assert window.with_burst(0.25) == window
    assert LimitSpec(40, "token-bucket").with_burst(None).burst_seconds == 1.0


def test_a_concurrency_limit_counts_requests_being_served():
    limit = Concurrency(2)
    assert accepted(limit, [0.0, 0.0, 0.0]) == [True, True, False]
    limit.release()
    assert limit.admit(0.0) is None


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("exact", "1"), ("one", "1"), ("zero", "0"), ("none", None)],
)
def test_retry_after_variants(variant, expected):
    spec = LimitSpec(10, retry_after=variant)
    assert spec.retry_after_value(0.3, 1_700_000_000.0) == expected
    assert LimitSpec(10).retry_after_value(2.2, 0.0) == "3"  # exact: whole seconds, up


def test_retry_after_as_a_date_is_exact_to_the_second():
    value = LimitSpec(10, retry_after="date").retry_after_value(1.5, 1_700_000_000.25)
    assert value is not None
    assert parsedate_to_datetime(value).timestamp() == 1_700_000_001.0


def test_unknown_shapes_and_variants_are_refused():
    with pytest.raises(ValueError):
        LimitSpec(10, "bucket")
    with pytest.raises(ValueError):
        LimitSpec(10, retry_after="later")
    with pytest.raises(ValueError):
        LimitSpec(10, push_back=500)
    with pytest.raises(ConfigError, match="--limiter"):
        limit_shape("bucket", None, "exact", 429)
    with pytest.raises(ConfigError, match="--push-back"):
        limit_shape("token-bucket", None, "exact", 500)
    limit_shape("leaky-bucket", 0.5, "none", 503)
    for wrong in (0.0, -1.0, float("nan"), float("inf"), 3601.0):
        with pytest.raises(ConfigError, match="--window"):
            limit_shape("fixed-window", None, "exact", 429, wrong)
    assert limit_shape("fixed-window", None, "exact", 429, 60)["window"] == 60
    for wrong in (-1, 1001):
        with pytest.raises(ConfigError, match="--segments"):
            limit_shape("sliding-window", None, "exact", 429, 1, wrong)
    assert limit_shape("sliding-window", None, "exact", 429, 1, 4)["segments"] == 4
    assert limit_shape("fixed-window", None, "exact", 429, 1, 4)["segments"] == 0


async def ok_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def statuses(app, n: int) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        return [await client.post("/x") for _ in range(n)]


@pytest.mark.anyio
async def test_a_leaky_bucket_answers_503_without_retry_after_as_nginx_does():
    faults = Faults(rate_limit=10, limiter="leaky-bucket", retry_after="none", push_back=503)
    app = FaultInjector(ok_app, faults, clock=lambda: 100.0)
    answers = await statuses(app, 3)
    assert [a.status_code for a in answers] == [200, 503, 503]
    assert "retry-after" not in answers[1].headers
    assert app.counts["limited_429"] == 2  # every refusal by the limiter, whatever its status


@pytest.mark.anyio
async def test_a_fixed_window_answers_429_with_retry_after_one():
    faults = Faults(rate_limit=2, limiter="fixed-window", retry_after="one")
    app = FaultInjector(ok_app, faults, clock=lambda: 100.5)
    answers = await statuses(app, 3)
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "1"
    assert app.accepted_by == {"": 2}


@pytest.mark.anyio
async def test_a_fixed_window_of_ten_seconds_says_how_long_until_the_next():
    faults = Faults(rate_limit=0.2, limiter="fixed-window", window=10)
    app = FaultInjector(ok_app, faults, clock=lambda: 100.5)
    answers = await statuses(app, 3)
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "10"  # 9.5 s, rounded up


@pytest.mark.anyio
async def test_a_concurrency_limit_frees_its_slot_when_answered():
    faults = Faults(rate_limit=1, limiter="concurrency")
    app = FaultInjector(ok_app, faults, clock=lambda: 0.0)
    answers = await statuses(app, 3)  # one after another: never two at once
    assert [a.status_code for a in answers] == [200, 200, 200]


@pytest.mark.anyio
@pytest.mark.parametrize(("segments", "later"), [(0, [200, 429]), (2, [200, 200])])
async def test_the_sandbox_counts_a_sliding_window_in_the_segments_it_is_given(segments, later):
    """Two a second, one request at 100.3 and one at 100.7: at 101.35 an exact window has let
    the first go and still holds the second; cut in two halves from 100.3 (``--segments 2``),
    both were counted in the first half, which the window has slid past."""
    now = [100.3]
    faults = Faults(rate_limit=2, limiter="sliding-window", segments=segments)
    app = FaultInjector(ok_app, faults, clock=lambda: now[0])
    assert [a.status_code for a in await statuses(app, 1)] == [200]
    now[0] = 100.7
    assert [a.status_code for a in await statuses(app, 2)] == [200, 429]
    now[0] = 101.35
    assert [a.status_code for a in await statuses(app, 2)] == later
