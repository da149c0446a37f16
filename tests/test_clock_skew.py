"""A PC clock hours off the server's: the token's expiry is read on the server's clock (its
``Date`` against ``expires``), so the client neither renews before every request (PC ahead)
nor waits for refusals (PC behind); the skew is said once, with its size."""

from __future__ import annotations

import random
import time
from datetime import date
from email.utils import parsedate_to_datetime

import httpx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands import targets
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.i18n import language
from pipeline.maxa.client import MaxaClient
from pipeline.net import auth
from pipeline.net.limiter import Pace
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.simad.client import SimadClient

from .conftest import BASE, FakeClock
from .test_maxa import CREDS, no_sleep

pytestmark = pytest.mark.anyio
HOURS3 = 3 * 3600.0


@pytest.fixture
def heard():
    """Every skew the token flows report, in order."""
    said: list[float] = []
    auth.hear_clock_skew(said.append)
    yield said
    auth.hear_clock_skew(None)


def pc_clock(server: FakeClock, offset: float):
    return lambda: server() + offset


class Counting(httpx.ASGITransport):
    """The sandbox in-process, counting its refusals of a token (401)."""

    refusals = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.refusals += response.status_code == 401
        return response


def simad_client(app, clock, transport: Counting | None = None) -> SimadClient:
    return SimadClient(
        BASE,
        Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
        transport=transport or Counting(app=app),
        clock=clock,
        pace=Pace(clock=clock, sleep=no_sleep, rng=random.Random(1)),
    )


@pytest.mark.parametrize("offset", [HOURS3, -HOURS3, 0.0])
async def test_simad_tokens_follow_the_servers_clock(tmp_path, clock, heard, offset):
    """200 reads 5 s apart (1,000 s) within one 30-minute token: one login, no refresh, no
    refusal; the skew said once, its sign the PC's."""
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db", clock=clock))
    async with simad_client(sandbox, pc_clock(clock, offset)) as client:
        for _ in range(200):
            assert await client.get_declare_residents(1402, student_number="99999999") == []
            clock.advance(5)
        assert client.renewals == {"authenticate": 1, "refresh": 0}
        assert client.auth.skew == pytest.approx(offset, abs=2)
    if offset:
        assert len(heard) == 1 and (heard[0] > 0) == (offset > 0)
    else:
        assert heard == []


@pytest.mark.parametrize("offset", [HOURS3, -HOURS3])
async def test_simad_renews_as_often_as_the_lifetime_asks(tmp_path, clock, heard, offset):
    """Two hours of reads with 30-minute tokens: the token is renewed about four times, never
    after a refusal and never in a loop."""
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db", clock=clock))
    transport = Counting(app=sandbox)
    async with simad_client(sandbox, pc_clock(clock, offset), transport) as client:
        for _ in range(240):
            await client.get_declare_residents(1402, student_number="99999999")
            clock.advance(30)
        total = client.renewals["authenticate"] + client.renewals["refresh"]
        assert client.renewals["authenticate"] == 1
        assert 4 <= total <= 6
    assert transport.refusals == 0
    assert len(heard) == 1


@pytest.mark.parametrize("offset", [HOURS3, -HOURS3])
async def test_server_clock_shifted_by_the_sandbox_option(tmp_path, heard, offset):
    """The sandbox's ``clock_offset`` shifts its Date and its token times; the client on the
    real clock sees the skew of the opposite sign and logs in once."""
    sandbox = create_app(SandboxSettings(db_path=tmp_path / "s.db", clock_offset=offset))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox)) as http:
        answer = await http.get(f"{BASE}/nothing-here")
    server_now = parsedate_to_datetime(answer.headers["date"]).timestamp()
    assert abs(server_now - time.time() - offset) < 5  # the Date is shifted
    async with simad_client(sandbox, FakeClock(server_now - offset)) as client:
        for _ in range(50):
            await client.get_declare_residents(1402, student_number="99999999")
        assert client.renewals == {"authenticate": 1, "refresh": 0}
    assert len(heard) == 1 and (heard[0] > 0) == (offset < 0)


@pytest.mark.parametrize("offset", [HOURS3, -HOURS3])
async def test_maxa_tokens_and_skew(tmp_path, clock, heard, offset):
    """DITAS gives a lifetime (``expires_in``): unaffected by the PC clock; the skew is still
    said once from the token answer's Date."""
    gateway = create_app(SandboxSettings(db_path=tmp_path / "s.db", clock=clock))
    client = MaxaClient(
        "http://gateway.local",
        CREDS,
        transport=httpx.ASGITransport(app=gateway),
        policy=RetryPolicy(max_attempts=2, sleep=no_sleep),
        clock=pc_clock(clock, offset),
    )
    async with client:
        for _ in range(60):
            assert await client.cts_terminologies(date(2020, 1, 1))
            clock.advance(5)
    assert client.renewals == {"password": 1, "refresh": 0}
    assert len(heard) == 1


def test_skew_words():
    with language("en"):
        assert auth.skew_text(3 * 3600 + 2 * 60 + 10) == (
            "the PC clock is 3 hours 2 minutes ahead of the server"
        )
        assert auth.skew_text(-HOURS3) == "the PC clock is 3 hours behind the server"
    with language("fa"):
        assert auth.skew_text(-5 * 60) == "ساعت این رایانه ۵ دقیقه از ساعت سرور عقب‌تر است"


def test_cli_says_the_skew_once_on_stderr(monkeypatch, tmp_path):
    """`simad results` against a sandbox whose clock is 3 hours ahead: one warning line on
    standard error, in the user's language, with the size."""

    def shifted() -> httpx.ASGITransport:
        settings = SandboxSettings(db_path=tmp_path / "shifted.db", clock_offset=HOURS3)
        return httpx.ASGITransport(app=create_app(settings))

    monkeypatch.setattr(targets, "sandbox_transport", shifted)
    try:
        result = CliRunner().invoke(app, ["results", "--year", "1402", "--lang", "en", "--json"])
    finally:
        auth.hear_clock_skew(None)
    assert result.exit_code in (0, 1), result.output
    lines = [line for line in result.stderr.splitlines() if "PC clock" in line]
    assert len(lines) == 1
    assert "3 hours" in lines[0] and "behind the server" in lines[0]
