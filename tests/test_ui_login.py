"""`simad ui`: credentials that can be corrected. A ministry target that refuses the login
(here the sandbox's app behind a ministry-like address, in-process) is never asked again with
the same credentials: the page asks for new ones with the server's reason, a second «ارسال»
tries no login, and the right credentials then go through. Driven in-process (httpx's ASGI
transport, no socket)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import pipeline.web.state as web_state
from pipeline.commands.submit import run_submit
from pipeline.commands.targets import sandbox_transport
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from tests.inprocess import InProcess, in_process
from tests.test_ui import SAMPLE

MINISTRY = "http://127.0.0.1:9"  # a ministry-like address: the sandbox's app answers it


class Counting(httpx.AsyncBaseTransport):
    """The sandbox's app in-process, counting the logins tried and the data calls made."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.inner, self.counts = sandbox_transport(), counts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        key = "login" if path.endswith("/Token/authenticate") else "token"
        key = key if "/Token/" in path else "data"
        self.counts[key] = self.counts.get(key, 0) + 1
        return await self.inner.handle_async_request(request)


@pytest.fixture
def ministry(monkeypatch):
    """The app in-process, signed in, its submissions answered by the sandbox's app under a
    ministry address: (client, CSRF headers, the app's memory, the calls counted)."""
    counts: dict[str, int] = {}

    def answered(options: Any, **kwargs: Any) -> Any:
        return run_submit(options, transport=Counting(counts), **kwargs)

    monkeypatch.setattr(web_state, "run_submit", answered)
    with in_process("fa", port=8766) as (browser, token, state):
        h = {"x-csrf-token": token}
        browser.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        browser.post("/target", data={"target": "remote", "address": MINISTRY}, headers=h)
        yield browser, h, state, counts


def send(client: InProcess, h: dict[str, str], state: Any) -> httpx.Response:
    """«ارسال» as the page posts it, and the submission it started run to its end."""
    before = state.latest("submit")
    answer = client.post("/submit", data={"ws": state.workspace.id}, headers=h)
    job = state.latest("submit")
    if job is not None and job is not before:
        job.thread.join(60)
    return answer


def test_a_refused_login_asks_again_and_is_never_retried(ministry):
    client, h, state, counts = ministry
    page = client.get("/submit").text
    assert 'id="login"' in page and 'id="send"' not in page
    wrong = {"username": SANDBOX_USERNAME, "password": "not-the-password-31"}
    client.post("/credentials", data=wrong, headers=h)
    assert 'id="send"' in client.get("/submit").text
    send(client, h, state)
    job = state.latest("submit")
    assert job.login_refused and job.result.counts.get("sent", 0) == 0
    assert counts == {"login": 1}  # nothing but the login was tried
    # The form comes back, with the server's reason, the password in no page.
    page = client.get("/submit").text
    assert 'id="login"' in page and 'id="login-refused"' in page and 'id="send"' not in page
    assert "سیماد ورود را نپذیرفت" in page and "Incorrect username or password" in page
    assert wrong["password"] not in page
    assert MINISTRY not in state.credentials
    # A second «ارسال» without new credentials tries no login and starts no run.
    answer = send(client, h, state)
    assert answer.status_code >= 400 and state.latest("submit") is job
    assert counts == {"login": 1}
    # The very same credentials again are refused by the page, not sent to the server.
    answer = client.post("/credentials", data=wrong, headers=h)
    assert answer.status_code >= 400 and "پیش‌تر نپذیرفته" in answer.text
    send(client, h, state)
    assert counts == {"login": 1} and state.latest("submit") is job
    # The right credentials go through: the form is gone and the run sends.
    right = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
    client.post("/credentials", data=right, headers=h)
    page = client.get("/submit").text
    assert 'id="login-refused"' not in page and 'id="send"' in page
    send(client, h, state)
    done = state.latest("submit")
    assert done is not job and not done.login_refused and done.result.fatal is None
    assert done.result.counts["sent"] > 0 and counts["login"] == 2 and counts["data"] > 0


def test_the_ministry_target_always_offers_to_change_the_credentials(ministry):
    client, h, state, counts = ministry
    right = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
    client.post("/credentials", data=right, headers=h)
    page = client.get("/submit").text
    assert 'id="send"' in page and 'id="change-login"' in page
    assert "تغییر نام کاربری و گذرواژه" in page and 'id="login-change"' in page
    # Changed to a wrong password from that form: the next run is refused, and asks again.
    wrong = {"username": SANDBOX_USERNAME, "password": "typo-in-the-password"}
    client.post("/credentials", data=wrong, headers=h)
    assert state.credentials[MINISTRY].password == wrong["password"]
    send(client, h, state)
    assert state.latest("submit").login_refused and counts == {"login": 1}
    assert 'id="login-refused"' in client.get("/submit").text
    # After a run that went through, the change form is still there.
    client.post("/credentials", data=right, headers=h)
    send(client, h, state)
    assert state.latest("submit").result.counts["sent"] > 0
    page = client.get("/submit").text
    assert 'id="change-login"' in page and 'id="outcome"' in page
    # The sandbox needs no credentials and is offered no such form.
    client.post("/target", data={"target": "sandbox"}, headers=h)
    page = client.get("/submit").text
    assert 'id="send"' in page and 'id="change-login"' not in page


def test_a_refused_login_is_recorded_apart_from_any_password(ministry):
    client, h, state, counts = ministry
    wrong = {"username": "office-9931", "password": "pw-never-in-a-page-7"}
    client.post("/credentials", data=wrong, headers=h)
    send(client, h, state)
    page = client.get("/submit").text
    assert "Username not found" in page and wrong["password"] not in page
    assert counts == {"login": 1} and 'id="login"' in page
