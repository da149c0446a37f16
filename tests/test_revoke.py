"""Every command that logs in to SIMAD revokes its token when it ends, however it ends: a
token a server echoed somewhere must not stay valid. (DITAS documents no revocation.)"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from typer.testing import CliRunner

import pipeline.commands.targets
from pipeline.cli import app
from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.results import run_results
from pipeline.core import config
from pipeline.core.context import Context
from pipeline.core.errors import SimadError
from pipeline.net.retry import RetryPolicy

from .test_submit import SAMPLE


class Counting:
    """The sandbox, counting the calls by their last path segment; ``refuse`` answers one of
    them 400 (a row's answer, never retried)."""

    def __init__(self, app, refuse: str | None = None):
        self.app, self.refuse, self.calls = app, refuse, Counter()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            name = scope["path"].rstrip("/").rsplit("/", 1)[-1]
            self.calls[name] += 1
            if name == self.refuse:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"title": "refused"}'})
                return
        await self.app(scope, receive, send)


async def no_sleep(_seconds: float) -> None:
    return None


POLICY = RetryPolicy(max_attempts=2, sleep=no_sleep)


def results(counting: Counting, tmp_path):
    return run_results(
        1402,
        target="sandbox",
        transport=httpx.ASGITransport(app=counting),
        policy=POLICY,
        out=tmp_path / "results.xlsx",
        ctx=Context(lang="en"),
    )


def reconcile(counting: Counting, tmp_path):
    return run_reconcile(
        1402,
        [SAMPLE],
        target="sandbox",
        transport=httpx.ASGITransport(app=counting),
        policy=POLICY,
        report_path=tmp_path / "reconcile.xlsx",
        ctx=Context(lang="en"),
    )


@pytest.mark.parametrize("command", [results, reconcile], ids=["results", "reconcile"])
def test_results_and_reconcile_revoke_their_token(command, sandbox, tmp_path):
    counting = Counting(sandbox)
    command(counting, tmp_path)
    assert counting.calls["authenticate"] == 1
    assert counting.calls["revoke"] == 1


@pytest.mark.parametrize("command", [results, reconcile], ids=["results", "reconcile"])
def test_the_token_is_revoked_when_the_download_fails(command, sandbox, tmp_path):
    counting = Counting(sandbox, refuse="GetFinalResults")
    with pytest.raises(SimadError):
        command(counting, tmp_path)
    assert counting.calls["GetFinalResults"] >= 1
    assert counting.calls["authenticate"] == counting.calls["revoke"] == 1


def test_a_refused_login_has_nothing_to_revoke(sandbox, tmp_path):
    counting = Counting(sandbox, refuse="authenticate")
    with pytest.raises(SimadError):
        results(counting, tmp_path)
    assert counting.calls["revoke"] == 0  # no token was given


@pytest.mark.parametrize(
    "args",
    [
        ["results", "--year", "1402"],
        ["reconcile", "--year", "1402", str(SAMPLE)],
        ["submit", str(SAMPLE)],
    ],
    ids=lambda a: a[0],
)
def test_every_command_that_logs_in_revokes(args, make_sandbox, monkeypatch):
    counting = Counting(make_sandbox())
    monkeypatch.setattr(
        pipeline.commands.targets, "sandbox_transport", lambda: httpx.ASGITransport(app=counting)
    )
    config.reset_settings_cache()
    result = CliRunner().invoke(app, ["--lang", "en", *args])
    assert result.exit_code in (0, 1), result.output
    assert counting.calls["authenticate"] >= 1
    assert counting.calls["revoke"] == counting.calls["authenticate"]
