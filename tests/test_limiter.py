"""The adaptive limiter: bounded, halves on push-back once per cool-down, grows back."""

from __future__ import annotations

import asyncio

import pytest

from pipeline.limiter import AdaptiveLimiter


def test_push_back_halves_once_per_cooldown_and_successes_grow_it_back():
    now = [0.0]
    limiter = AdaptiveLimiter(8, cooldown=1.0, clock=lambda: now[0])
    limiter.push_back()
    limiter.push_back()  # the same burst: ignored
    assert limiter.limit == 4
    now[0] = 1.5
    limiter.push_back()
    assert (limiter.limit, limiter.lowest) == (2, 2)
    for _ in range(2 + 3 + 4 + 5 + 6 + 7):
        limiter.success()
    assert limiter.limit == 8
    limiter.success()
    assert limiter.limit == 8  # never above the maximum


def test_never_more_in_flight_than_the_limit():
    limiter = AdaptiveLimiter(3)
    peak = 0

    async def work() -> None:
        nonlocal peak
        async with limiter:
            peak = max(peak, limiter.active)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(work() for _ in range(20)))

    asyncio.run(main())
    assert peak == 3 and limiter.active == 0


def test_concurrency_must_be_positive():
    with pytest.raises(ValueError):
        AdaptiveLimiter(0)
