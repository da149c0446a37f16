"""The MAXA page's words (issue 24, item 9), in Persian and English, driven in-process
against the embedded sandbox: an answer names the official name and the version it was
checked against, a retired code says so, an error replaces the answer before it in the same
box, the terminology is chosen from the service's list, and a pull keeps the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.core.errors import SimadError
from pipeline.web.routes import maxa as maxa_route
from tests.inprocess import InProcess, in_process

PORT = 8765
KEY = re.compile(r"\b(?:maxa|ui)_[a-z_]+\b")  # a catalogue key, never a word on a page


@pytest.fixture(params=["fa", "en"])
def page(request) -> Iterator[tuple[InProcess, dict[str, str], str, Any]]:
    """The app in-process, signed in, in one language: (client, htmx headers, language, the
    app's memory)."""
    with in_process(request.param, port=PORT) as (browser, token, state):
        yield browser, {"x-csrf-token": token, "hx-request": "true"}, request.param, state


def words(lang: str, fa: str, en: str) -> str:
    return fa if lang == "fa" else en


def no_key(text: str) -> None:
    assert not KEY.search(re.sub(r"<[^>]*>", " ", text)), KEY.findall(text)


def test_lookup_and_validate_name_the_official_name_and_version(page):
    client, h, lang, _state = page
    found = client.post("/maxa/lookup", data={"terminology": "eRX", "code": "60281"}, headers=h)
    assert found.status_code == 200, found.text
    assert "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL" in found.text
    assert words(lang, "نسخه 11000", "version 11000") in found.text
    assert 'class="answer good"' in found.text
    wrong = client.post(
        "/maxa/validate",
        data={"terminology": "eRX", "code": "60281", "value": "ASPIRIN"},
        headers=h,
    )
    assert 'class="answer bad"' in wrong.text
    assert "MOMETASONE FUROATE" in wrong.text and "ASPIRIN" in wrong.text
    assert words(lang, "نام رسمی", "official name") in wrong.text
    assert words(lang, "نسخه 11000", "version 11000") in wrong.text
    right = client.post(
        "/maxa/validate",
        data={
            "terminology": "eRX",
            "code": "60281",
            "value": "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL [MEGACORT]",
        },
        headers=h,
    )
    assert 'class="answer good"' in right.text
    assert words(lang, "معتبر است", "Valid") in right.text
    for answer in (found, wrong, right):
        no_key(answer.text)


def test_a_retired_code_says_so_and_names_its_last_version(page):
    client, h, lang, _state = page
    for action, form in (("lookup", {}), ("validate", {"value": "AMOXICILLIN"})):
        told = client.post(
            f"/maxa/{action}", data={"terminology": "eRX", "code": "60045", **form}, headers=h
        )
        assert told.status_code == 200, told.text
        assert words(lang, "کنار گذاشته شده", "retired") in told.text
        assert "10000" in told.text  # the last version that had it
        assert "AMOXICILLIN 250 mg CAPSULE ORAL" in told.text
        assert words(lang, "پیدا نشد", "not found") not in told.text
        no_key(told.text)
    unknown = client.post("/maxa/lookup", data={"terminology": "eRX", "code": "99999"}, headers=h)
    assert words(lang, "پیدا نشد", "not found") in unknown.text
    assert words(lang, "کنار گذاشته", "retired") not in unknown.text


def test_an_error_replaces_the_answer_in_its_box(page):
    client, h, lang, _state = page
    form = client.get("/maxa").text
    for box in ("lookup-answer", "validate-answer"):
        assert f'hx-target="#{box}"' in form and f'id="{box}"' in form
    refused = client.post("/maxa/validate", data={"terminology": "", "code": "1"}, headers=h)
    assert refused.status_code == 400
    assert "HX-Retarget" not in refused.headers  # into the answer's own box, not elsewhere
    assert 'class="flash" id="answer" role="alert"' in refused.text
    assert words(lang, "اصطلاح‌نامه را از فهرست برگزینید", "Choose the terminology") in refused.text
    offline = client.post(
        "/maxa/lookup", data={"terminology": "eRX", "code": "60281", "offline": "on"}, headers=h
    )
    assert offline.status_code == 400 and "HX-Retarget" not in offline.headers
    assert 'id="answer"' in offline.text and "Traceback" not in offline.text
    assert "simad maxa" not in offline.text  # the pull button named, not a command
    no_key(refused.text + offline.text)


def test_the_terminology_is_chosen_from_the_services_list(page, monkeypatch):
    client, h, _lang, state = page
    form = client.get("/maxa").text
    assert '<datalist id="terminologies"' in form
    assert form.count('list="terminologies"') >= 6  # every terminology field of the page
    listed = client.get("/maxa?part=terminologies", headers=h).text
    for name in ("eRX", "IRC", "ICD10"):
        assert f'<option value="{name}">' in listed

    def unreachable(*_a, **_k):
        raise SimadError("no service")

    state.terminologies = []
    monkeypatch.setattr(maxa_route.maxa_commands, "terminologies", unreachable)
    assert client.get("/maxa?part=terminologies", headers=h).text == ""  # nothing mirrored
    client.post("/maxa/pull", data={"terminology": "eRX"}, headers=h)
    finished(state)
    listed = client.get("/maxa?part=terminologies", headers=h).text
    assert listed == '<option value="eRX"></option>'  # the mirror's, offline


def finished(state: Any) -> None:
    """The latest pull, waited for."""
    job = state.latest("pull")
    assert job is not None
    job.thread.join(60)
    assert job.error is None


def test_pull_keeps_the_page(page):
    client, h, lang, state = page
    form = client.get("/maxa").text
    assert 'hx-post="/maxa/pull" hx-target="#pull-job"' in form
    started = client.post("/maxa/pull", data={"terminology": "eRX"}, headers=h)
    assert started.status_code == 200 and "HX-Redirect" not in started.headers
    assert 'id="job"' in started.text  # the card, in place
    assert "<html" not in started.text  # not a page: the fields stay as typed
    finished(state)
    card = client.get("/maxa?part=pull", headers=h).text
    assert 'data-events="' not in card  # finished: drawn again in place, no reload
    assert words(lang, "۱۰", "10 codes stored") in card and "<html" not in card
    no_key(card)


def test_an_unknown_terminology_says_so_and_lists_the_known_ones(page):
    client, h, lang, _state = page
    for action, form in (("lookup", {}), ("validate", {"value": "X"})):
        told = client.post(
            f"/maxa/{action}", data={"terminology": "FOO", "code": "1", **form}, headers=h
        )
        assert told.status_code == 400, told.text
        assert 'id="answer"' in told.text and "HX-Retarget" not in told.headers
        assert words(lang, "شناخته نیست", "unknown") in told.text
        for name in ("eRX", "IRC", "ICD10"):
            assert name in told.text
        assert words(lang, "پیدا نشد", "not found") not in told.text
        no_key(told.text)
    # the name as the service spells it, case aside
    found = client.post("/maxa/lookup", data={"terminology": "erx", "code": "60281"}, headers=h)
    assert found.status_code == 200 and "MOMETASONE FUROATE" in found.text


def test_offline_a_code_the_mirrors_version_lacks_is_not_called_unknown(page):
    """The mirror holds the latest version only: a retired code is not in it, which is all
    the mirror knows; online, the service says it was retired."""
    client, h, lang, state = page
    client.post("/maxa/pull", data={"terminology": "eRX"}, headers=h)
    finished(state)
    told = client.post(
        "/maxa/lookup", data={"terminology": "eRX", "code": "60045", "offline": "on"}, headers=h
    )
    assert told.status_code == 200, told.text
    assert "11000" in told.text
    assert words(lang, "شاید کنار گذاشته شده", "may have been retired") in told.text
    assert words(lang, "«بدون اینترنت»", "“Offline”") in told.text
    assert words(lang, "پیدا نشد", "was not found") not in told.text
    no_key(told.text)
    # a terminology the mirror does not hold, offline: the mirror's list
    other = client.post(
        "/maxa/lookup", data={"terminology": "IRC", "code": "1", "offline": "on"}, headers=h
    )
    assert other.status_code == 400
    assert words(lang, "در آینه محلی نیست", "not in the local mirror") in other.text
    assert "eRX" in other.text
    no_key(other.text)


def test_the_maxa_page_names_the_maxa_target(page):
    client, h, lang, _state = page
    client.post("/target", data={"target": "remote", "address": "http://127.0.0.1:8791"}, headers=h)
    checked = client.get("/check").text
    assert "http://127.0.0.1:8791" in checked  # SIMAD's target on SIMAD's pages
    maxa = client.get("/maxa").text
    assert "http://127.0.0.1:8791" not in maxa
    banner = re.search(r'<div class="banner[^"]*" role="status"[^>]*>([^<]*)</div>', maxa)
    assert banner is not None, maxa[:2000]
    assert words(lang, "مقصد MAXA", "MAXA target") in banner.group(1)
    assert words(lang, "شبیه‌ساز محلی MAXA", "local MAXA simulator") in banner.group(1)
    no_key(maxa)
