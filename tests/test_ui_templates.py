"""`simad ui`: the blank input templates offered on the start page, in both languages, built by
the command layer as `simad template` builds them; driven in-process (``inprocess``)."""

from __future__ import annotations

import io
import re

import httpx
import openpyxl
import pytest
from anyio.from_thread import start_blocking_portal

from pipeline.core.i18n import MESSAGES
from pipeline.sheets.fields import fields
from pipeline.web.server import build

from .test_ui import inprocess  # noqa: F401 (a fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK = re.compile(r'href="(/template/(\w+)\?lang=(\w+))"')


def test_the_start_page_offers_both_templates_in_both_languages(inprocess):  # noqa: F811
    browser, _, _ = inprocess
    page = browser.get("/")
    assert page.status_code == 200
    links = LINK.findall(page.text)
    assert sorted((kind, lang) for _, kind, lang in links) == [
        ("residents", "en"),
        ("residents", "fa"),
        ("upgrades", "en"),
        ("upgrades", "fa"),
    ]
    assert links[0][2] == "en"  # the page's language first
    assert "Residents — Persian headers (xlsx)" in page.text
    browser.post("/lang", data={"lang": "fa", "next": "/"}, headers=_csrf(inprocess))
    persian = browser.get("/")
    assert "دستیاران — سرستون‌های انگلیسی (xlsx)" in persian.text
    assert LINK.findall(persian.text)[0][2] == "fa"


def _csrf(inprocess) -> dict[str, str]:  # noqa: F811
    return {"X-CSRF-Token": inprocess[1]}


@pytest.mark.parametrize("kind", ["residents", "upgrades"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_template_downloads_as_a_workbook_with_the_fields_labels(inprocess, kind, lang):  # noqa: F811
    browser, _, _ = inprocess
    answer = browser.get(f"/template/{kind}?lang={lang}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="{kind}-{lang}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [f.label(lang) for f in fields(kind)]
    guide = book.worksheets[1]
    assert guide.title == MESSAGES["template_guide"][lang]
    text = "\n".join(str(c.value) for c in guide["A"] if c.value)
    assert "start page" in text or "صفحه شروع" in text  # the page's, never a command
    assert "simad validate" not in text and "simad ui" not in text


def test_the_page_language_is_the_default(inprocess):  # noqa: F811
    browser, _, _ = inprocess
    answer = browser.get("/template/residents")
    assert answer.headers["content-disposition"].endswith('residents-en.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.worksheets[0]["A1"].value == "Student number"


def test_an_unknown_template_or_language_is_a_sentence(inprocess):  # noqa: F811
    browser, _, _ = inprocess
    unknown = browser.get("/template/passwords")
    assert unknown.status_code == 400
    assert "No such template" in unknown.text and "Traceback" not in unknown.text
    assert "xlsx" not in unknown.headers["content-type"]
    odd = browser.get("/template/residents?lang=de")
    assert odd.status_code == 400 and "Traceback" not in odd.text
    assert "xlsx" not in odd.headers["content-type"]


def test_without_the_secret_the_template_is_refused():
    app, _, state = build("127.0.0.1", 8766, "en")
    transport = httpx.ASGITransport(app=app)
    try:
        with start_blocking_portal() as portal:

            async def fetch() -> httpx.Response:
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://127.0.0.1:8766"
                ) as stranger:
                    return await stranger.get("/template/residents?lang=fa")

            answer = portal.call(fetch)
    finally:
        state.close()
    assert answer.status_code == 403
    assert answer.content[:2] != b"PK"  # no workbook (a zip) in the refusal
