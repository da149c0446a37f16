"""A job's words follow the page's language: a login refused while the page was English is
said in Persian on the Persian page later (and the other way round); a server's message in the
other script is bidi-isolated on the job card; a finished job shows its average rate, never
«0.0 rows a second». Driven in-process."""

from __future__ import annotations

import re
import time

from pipeline.core.config import SANDBOX_USERNAME
from pipeline.core.i18n import language, said
from pipeline.web.state import Job
from tests.test_ui_login import ministry, send  # noqa: F401 -- the fixture

REFUSED = {"fa": "سیماد ورود را نپذیرفت", "en": "SIMAD refused the login"}


def _lang(client, h, lang: str) -> None:
    answer = client.post("/lang", data={"lang": lang, "next": "/submit"}, headers=h)
    assert answer.status_code < 400


def test_a_refused_login_is_said_in_the_language_of_the_page_reading_it(ministry):  # noqa: F811
    client, h, state, _counts = ministry
    _lang(client, h, "en")
    wrong = {"username": SANDBOX_USERNAME, "password": "not-the-password-31"}
    client.post("/credentials", data=wrong, headers=h)
    send(client, h, state)
    job = state.latest("submit")
    assert job.login_refused
    for lang, other in (("en", "fa"), ("fa", "en"), ("en", "fa")):
        _lang(client, h, lang)
        page = client.get("/submit").text
        card = page[page.index('id="job"') :]
        assert REFUSED[lang] in card, card
        assert REFUSED[other] not in page
        assert "Incorrect username or password" in page
        assert wrong["password"] not in page


def test_the_job_card_isolates_server_words_and_shows_the_average_rate(ministry):  # noqa: F811
    client, h, state, _counts = ministry
    now = time.monotonic()
    with language("en"):
        error = said("auth_refused", status=403, text="نام کاربری یا گذرواژه نادرست است")
    job = Job("feedfeed00", "submit", "office.xlsx", started=now - 5.0, finished=now)
    job.total, job.done = 10, 10
    job.failures = [("", 23, "این دستیار پیدا نشد")]
    job.error = error
    job.control = None
    state.jobs[job.id] = job
    for lang in ("en", "fa"):
        _lang(client, h, lang)
        page = client.get("/submit").text
        card = page[page.index('id="job"') :]
        assert "<bdi>این دستیار پیدا نشد</bdi>" in card
        assert re.search(r'role="alert"><bdi>' + REFUSED[lang], card), card
        rate = re.search(r'<dd data-field="rate">([^<]*)</dd>', card)
        assert rate is not None and rate.group(1) == {"en": "2.0", "fa": "۲٫۰"}[lang], rate
