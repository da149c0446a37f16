"""`simad sandbox serve` as a real process on 127.0.0.1: serve, talk, restart, keep state."""

from __future__ import annotations

import asyncio
import math
import time

import httpx
import pytest

from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.errors import RetryableError
from pipeline.net.limiter import Pace
from pipeline.sandbox import process
from pipeline.simad.client import SimadClient

from .conftest import declaration, resident

pytestmark = pytest.mark.slow


free_port = process.free_port
start = process.start_server
stop = process.stop_server


def test_serve_talk_restart(tmp_path):
    port, db = free_port(), tmp_path / "served.db"
    url = f"http://127.0.0.1:{port}"
    proc = start(port, db)
    try:
        r = httpx.post(
            f"{url}/api/Token/authenticate",
            json={"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD},
        )
        assert r.status_code == 200 and " Token" in r.json()

        async def send() -> None:
            async with SimadClient(url, Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)) as c:
                assert (await c.add_or_update_resident(resident())).ok
                assert (await c.add_or_update_declaration(declaration())).ok

        asyncio.run(send())
    finally:
        banner = stop(proc)
    assert f"listening on {url}" in banner

    proc = start(port, db)
    try:

        async def read() -> list:
            async with SimadClient(url, Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)) as c:
                return await c.get_declare_residents(1402)

        assert [d["studentNumber"] for d in asyncio.run(read())] == ["98123001"]
    finally:
        stop(proc)


def test_the_client_tells_its_pace_when_each_request_is_on_the_wire(tmp_path):
    """Over a real connection the client tells the pace when each request's last byte was
    written (httpx's trace), after it left and before its answer came: a limit that spaces
    requests is kept from there (``Pace.written``)."""
    told: list[tuple[float, float, float]] = []  # (left, written, answered)
    writes: dict[float, float] = {}

    class Watched(Pace):
        def written(self, sent_at: float) -> None:
            writes[sent_at] = time.monotonic()
            super().written(sent_at)

        def answered(self, sent_at: float, status: int, retry_after: float | None = None):
            told.append((sent_at, writes.get(sent_at, math.inf), time.monotonic()))
            super().answered(sent_at, status, retry_after)

    port = free_port()
    proc = start(port, tmp_path / "w.db", "--latency-ms", "20")
    try:

        async def send() -> None:
            async with SimadClient(
                f"http://127.0.0.1:{port}",
                Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
                pace=Watched(),
            ) as c:
                assert (await c.add_or_update_resident(resident())).ok

        asyncio.run(send())
    finally:
        stop(proc)
    assert len(told) == 2  # the login and the resident
    assert all(left <= wrote <= answered for left, wrote, answered in told), told


def test_served_faults_are_visible(tmp_path):
    port = free_port()
    proc = start(port, tmp_path / "f.db", "--fail-rate", "1", "--seed", "1")
    try:

        async def call() -> None:
            async with SimadClient(
                f"http://127.0.0.1:{port}", Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)
            ) as c:
                await c.authenticate()

        with pytest.raises(RetryableError) as info:
            asyncio.run(call())
        assert info.value.status == 503
    finally:
        banner = stop(proc)
    assert "503 rate 1.0" in banner


def test_a_served_limiter_refuses_as_told_and_says_how(tmp_path):
    """``--limiter leaky-bucket --retry-after none --push-back 503`` (nginx's ``limit_req``):
    a second request right after the first is answered a bare 503, and the banner names the
    shape and how it refuses."""
    port = free_port()
    options = ["--rate-limit", "2", "--limiter", "leaky-bucket", "--retry-after", "none"]
    proc = start(port, tmp_path / "l.db", *options, "--push-back", "503")
    try:
        url = f"http://127.0.0.1:{port}"
        login = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
        token = httpx.post(f"{url}/api/Token/authenticate", json=login).json()[" Token"]
        headers = {"Authorization": f"Bearer {token}"}
        path = f"{url}/api2/DeclareResidentToUpgrades/GetDeclareResidents?YearId=1402"
        first, second = (httpx.get(path, headers=headers) for _ in range(2))
        assert first.status_code == 200
        assert second.status_code == 503 and "retry-after" not in second.headers
    finally:
        banner = stop(proc)
    assert "leaky-bucket" in banner and "503" in banner and "with no Retry-After" in banner
