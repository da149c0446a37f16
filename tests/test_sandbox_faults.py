"""Fault options of the sandbox: latency, seeded 503s, and a rate limit with Retry-After."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pipeline.net.retry import RetryPolicy
from pipeline.sandbox.faults import FaultInjector, Faults

from .conftest import BASE, resident

pytestmark = pytest.mark.anyio


async def ok_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def statuses(app, n: int) -> list[int]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        return [(await http.get("/x")).status_code for _ in range(n)]


async def test_fail_rate_is_seeded_and_roughly_the_share_asked(clock):
    first = await statuses(FaultInjector(ok_app, Faults(fail_rate=0.3, seed=11), clock=clock), 200)
    second = await statuses(FaultInjector(ok_app, Faults(fail_rate=0.3, seed=11), clock=clock), 200)
    other = await statuses(FaultInjector(ok_app, Faults(fail_rate=0.3, seed=12), clock=clock), 200)
    assert first == second
    assert first != other
    assert 40 <= first.count(503) <= 80
    assert set(first) == {200, 503}


async def test_rate_limit_answers_429_with_retry_after(clock):
    app = FaultInjector(ok_app, Faults(rate_limit=2), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        codes = [(await http.get("/x")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = await http.get("/x")
        assert limited.headers["retry-after"] == "1"
        clock.advance(1.0)
        assert (await http.get("/x")).status_code == 200
    assert app.counts["limited_429"] == 2


async def test_latency_is_added_to_every_request(clock):
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    app = FaultInjector(ok_app, Faults(latency_ms=20), clock=clock, sleep=record)
    assert await statuses(app, 3) == [200, 200, 200]
    assert waits == [0.02, 0.02, 0.02]


async def test_client_gets_through_503_storm_with_retries(make_sandbox, make_client):
    app = make_sandbox(fail_rate=0.5, seed=3)
    client = make_client(app)
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    policy = RetryPolicy(max_attempts=20, sleep=no_sleep)
    for i in range(10):
        body = resident(f"9812300{i}")
        result, _attempts = await policy.run(lambda b=body: client.add_or_update_resident(b))
        assert result.ok
    assert app.faults.counts["failed_503"] > 0
    assert len(waits) >= app.faults.counts["failed_503"] - 1
    assert sorted(app.store.write_counts()["residents"].values()) == [1] * 10


def test_backoff_grows_and_honours_retry_after():
    import random

    policy = RetryPolicy(base_delay=1, max_delay=30, rng=random.Random(0))
    delays = [policy.delay(n) for n in range(1, 7)]
    assert all(
        0.5 * min(30, 2 ** (n - 1)) <= d <= min(30, 2 ** (n - 1)) for n, d in enumerate(delays, 1)
    )
    assert policy.delay(1, retry_after=9) == 9


async def test_bodies_are_limited_before_any_login_check(sandbox):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=BASE) as http:
        big = await http.post(
            "/api2/Residents/AddOrUpdate",
            content=b"x" * (9 * 1024 * 1024),
            headers={"content-type": "application/json"},
        )
        assert big.status_code == 413

        async def chunks():  # no Content-Length: counted as it arrives
            for _ in range(20):
                yield b"y" * (1024 * 1024)

        streamed = await http.post("/api/Token/authenticate", content=chunks())
        assert streamed.status_code == 413
        deep = await http.post(
            "/api/Token/authenticate",
            content=b"[" * 5000 + b"]" * 5000,
            headers={"content-type": "application/json"},
        )
        assert deep.status_code == 400 and "nested" in deep.text
        shallow = await http.post(
            "/api/Token/authenticate",
            content=b'{"username": "x", "password": [[[1]]]}',
            headers={"content-type": "application/json"},
        )
        assert shallow.status_code in (403, 404)  # reaches the service, which refuses it


async def test_echo_and_huge_error_bodies(clock):
    async def refuse(scope, receive, send):
        await send({"type": "http.response.start", "status": 403, "headers": []})
        await send({"type": "http.response.body", "body": b"Incorrect"})

    app = FaultInjector(refuse, Faults(echo_errors=True, huge_error_body=1), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        answer = await http.post(
            "/api/Token/authenticate",
            json={"username": "u", "password": "echoed-secret"},
            headers={"Authorization": "Bearer tok-123"},
        )
    assert answer.status_code == 403
    assert b"echoed-secret" in answer.content and b"Bearer tok-123" in answer.content
    assert len(answer.content) > 1024 * 1024


async def test_bogus_200_answers_a_login_page(clock):
    app = FaultInjector(ok_app, Faults(bogus_200=1.0), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        answer = await http.post("/api2/Residents/AddOrUpdate", json=resident())
    assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]
    assert app.counts["bogus_200"] == 1


async def test_the_rate_limit_is_per_account_and_says_when_to_come_back(clock):
    accounts = iter(["a", "a", "a", "b", "a"])
    app = FaultInjector(
        ok_app, Faults(rate_limit=2), clock=clock, account_of=lambda _scope: next(accounts)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        codes = [(await http.get("/x")).status_code for _ in range(4)]
        assert codes == [200, 200, 429, 200]  # b has its own bucket
        clock.advance(0.2)  # a needs half a second for one token: still 429, come back in 1 s
        limited = await http.get("/x")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert app.accepted_by == {"a": 2, "b": 1}


async def test_overload_answers_503_to_what_arrives_beyond_the_requests_being_served(clock):
    gate = asyncio.Event()

    async def slow_app(scope, receive, send):
        await gate.wait()
        await ok_app(scope, receive, send)

    app = FaultInjector(slow_app, Faults(overload_at=2), clock=clock)

    async def one(http: httpx.AsyncClient) -> int:
        return (await http.get("/x")).status_code

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        waiting = [asyncio.ensure_future(one(http)) for _ in range(2)]
        await asyncio.sleep(0.01)
        assert await one(http) == 503  # two are being served
        gate.set()
        assert await asyncio.gather(*waiting) == [200, 200]
        assert await one(http) == 200
    assert app.counts["overloaded_503"] == 1


async def test_the_sandbox_knows_the_account_of_a_request(make_sandbox, make_client):
    app = make_sandbox(rate_limit=1000)
    client = make_client(app)
    await client.add_or_update_resident(resident("98123001"))
    assert app.faults.accepted_by.get("demo-university", 0) >= 1


def test_faults_come_from_the_settings_and_none_means_no_injector():
    from pipeline.sandbox import SandboxSettings, create_app
    from pipeline.sandbox.faults import Faults

    assert create_app(SandboxSettings(seed=5)).faults is None  # a seed alone injects nothing
    app = create_app(SandboxSettings(fail_rate=0.5, hang=2.0, seed=5))
    assert app.faults is not None
    assert app.faults.faults == Faults(fail_rate=0.5, hang=2.0, seed=5)
