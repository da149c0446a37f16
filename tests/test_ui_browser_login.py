"""A wrong ministry password, then the right one, in a real browser (headless Chromium): the
refused login brings the form back with the server's reason and «ارسال» gone; the right
credentials then send. The ministry is the sandbox's app behind a ministry-like address."""

from __future__ import annotations

from typing import Any

import pytest

import pipeline.web.state as web_state
from pipeline.commands.submit import run_submit
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from pipeline.web.server import running

from .browser import drop
from .test_ui_browser import SAMPLE
from .test_ui_login import MINISTRY, Counting

SENT_SOME = """() => {
  const sent = document.querySelector("dd[data-field=sent]");
  return sent !== null && !["0", "۰"].includes(sent.textContent.trim());
}"""


@pytest.fixture
def counted(monkeypatch):
    counts: dict[str, int] = {}

    def answered(options: Any, **kwargs: Any) -> Any:
        return run_submit(options, transport=Counting(counts), **kwargs)

    monkeypatch.setattr(web_state, "run_submit", answered)
    return counts


def sign_in(page, username: str, password: str) -> None:
    page.fill("#login input[name=username]", username)
    page.fill("#login input[name=password]", password)
    page.click("#login button")
    page.wait_for_selector("#send")


def test_a_wrong_password_then_the_right_one(browser, counted):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(address)
        page.check("input[value=remote]")
        page.fill("input[name=address]", MINISTRY)
        with page.expect_navigation():  # the choice answers with HX-Redirect: a new page
            page.click("form[hx-post='/target'] button")
        page.wait_for_selector("input[value=remote]:checked")
        drop(page, [("sample.xlsx", SAMPLE.read_bytes())])
        page.wait_for_url("**/check", timeout=60_000)

        page.goto(address.split("/?")[0] + "/submit")
        assert page.locator("#send").count() == 0  # nothing is sent before a login
        sign_in(page, SANDBOX_USERNAME, "not-the-password-31")
        page.click("#send")
        refused = page.wait_for_selector("#login-refused", timeout=60_000)
        assert "Incorrect username or password" in refused.inner_text()
        assert page.locator("#send").count() == 0 and page.locator("#login").count() == 1
        assert "not-the-password-31" not in page.content()
        assert counted == {"login": 1}  # the wrong password was tried once, nothing sent

        sign_in(page, SANDBOX_USERNAME, SANDBOX_PASSWORD)
        page.click("#send")
        page.wait_for_function(SENT_SOME, timeout=60_000)  # the new run's card, sending
        page.wait_for_selector("#outcome", timeout=60_000)
        assert page.locator("#login-refused").count() == 0
        assert counted["login"] == 2 and counted["data"] > 0
