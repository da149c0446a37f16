"""The retry policy: a 429 is not a failed attempt for a patient policy (the commands'), a
bare 503 still is, and time bounds both; a row that a shared limit refuses many times is
still sent."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.commands.targets import default_policy
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.context import Context
from pipeline.core.errors import RetryableError
from pipeline.net.retry import THROTTLED_DELAY, RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app

from .test_submit import SAMPLE, TickingClock


class Refusing:
    """A call refused ``times`` times with ``status`` (and ``retry_after``), then answered."""

    def __init__(self, times: int, status: int, retry_after: float | None = None):
        self.left, self.status, self.retry_after = times, status, retry_after
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise RetryableError("busy", status=self.status, retry_after=self.retry_after)
        return "done"


def policy(clock: TickingClock, **options: object) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, clock=clock, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("retry_after", [None, 1.0])
def test_a_patient_policy_does_not_count_429s_among_the_attempts(retry_after):
    clock = TickingClock()
    call = Refusing(20, 429, retry_after)
    assert asyncio.run(policy(clock, patient=True).run(call)) == ("done", 21)
    with pytest.raises(RetryableError) as raised:  # the same calls, counted: given up at 8
        asyncio.run(policy(clock).run(Refusing(20, 429, retry_after)))
    assert raised.value.attempts == 8


def test_a_patient_policy_still_counts_bare_503s():
    clock = TickingClock()
    call = Refusing(20, 503)
    with pytest.raises(RetryableError) as raised:
        asyncio.run(policy(clock, patient=True).run(call))
    assert raised.value.attempts == call.calls == 8


def test_a_server_that_always_answers_429_is_given_up_on_in_time():
    clock = TickingClock()
    waits: list[float] = []
    patient = policy(clock, patient=True, max_elapsed=90.0)
    began = clock.now
    with pytest.raises(RetryableError) as raised:
        asyncio.run(patient.run(Refusing(10_000, 429), lambda _a, _e, wait: waits.append(wait)))
    assert clock.now - began <= 90.0 + 1.0  # (the clock ticks on each reading)
    assert raised.value.attempts > 8
    assert max(waits) <= THROTTLED_DELAY  # its backoff stays short: the pace slows it


def test_a_429_that_asks_for_longer_is_waited_for():
    clock = TickingClock()
    assert policy(clock, patient=True).delay(10, 7.0, 429) == 7.0
    assert policy(clock, patient=True).delay(10, None, 429) <= THROTTLED_DELAY
    assert policy(clock, patient=True).delay(10, None, 503) > THROTTLED_DELAY  # not capped


def refusing_each_row(app: object, times: int) -> tuple[httpx.MockTransport, Counter[str]]:
    """The sandbox behind a limit that refuses each row's first ``times`` sends with a 429
    and ``Retry-After: 1``, as a limit other offices hold does."""
    inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    refused: Counter[str] = Counter()

    async def handle(request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if request.url.path.startswith("/api2/") and request.method == "POST":
            key = hashlib.sha256(body).hexdigest()
            if refused[key] < times:
                refused[key] += 1
                return httpx.Response(429, headers={"Retry-After": "1"})
        return await inner.handle_async_request(request)

    return httpx.MockTransport(handle), refused


def submit_refused(tmp_path: Path, times: int) -> tuple[Any, Any, Counter[str]]:
    """The sample submitted under the commands' retry policy (on a fake clock) to the sandbox
    behind a limit that refuses each row's first ``times`` sends: the result, the sandbox
    and the refusals made."""
    clock = TickingClock()
    app = create_app(SandboxSettings(db_path=tmp_path / "server.db", clock=clock))
    transport, refused = refusing_each_row(app, times)
    result = run_submit(
        SubmitOptions([SAMPLE], target="sandbox", report=tmp_path / "r.xlsx"),
        transport=transport,
        credentials=Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
        policy=replace(default_policy(), sleep=clock.sleep, clock=clock),
        ctx=Context(lang="en"),
    )
    return result, app, refused


def test_a_row_refused_ten_times_by_a_busy_limit_is_still_sent(tmp_path: Path):
    result, app, refused = submit_refused(tmp_path, 10)
    assert result.fatal is None
    assert result.counts == {"sent": 68, "invalid": 7, "not_sent": 4, "failed": 1}
    assert len(refused) == 68 + 1 and set(refused.values()) == {10}  # (+1: the refused row)
    writes = app.store.write_counts()
    assert set(writes["residents"].values()) == {1} and len(writes["residents"]) == 36


def test_a_server_that_answers_429_to_everything_stops_the_run_in_time(tmp_path: Path):
    result, app, _ = submit_refused(tmp_path, 10**9)
    assert result.exit_code == 3
    assert "too many requests" in str(result.fatal) and "429" in str(result.fatal)
    assert result.counts.get("sent", 0) == 0 and result.counts["failed"] >= 8
    # Each row was tried past eight 429s, until the policy's 90 s were up; eight failed rows
    # in a row stopped the run.
    attempts = [o.attempts for sheet in result.sheets for o in sheet.rows if o.attempts]
    assert len(attempts) >= 8 and min(attempts) > 8
    assert app.store.write_counts()["residents"] == {}
