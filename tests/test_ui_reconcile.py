"""The results page says what a reconciliation compared: the workbook and sheet (or the
ledger) and the year; a workbook holding no declaration of the year is said to, its server
rows are not called "needing action" because of it, and the ledger is offered instead.
Driven in-process (httpx's ASGI transport) against the embedded sandbox."""

from __future__ import annotations

import html
import re
from pathlib import Path

import openpyxl
import pytest

from pipeline.commands.sandbox import review
from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core.config import simad_home

from .test_ui import SAMPLE, inprocess  # noqa: F401 -- the fixture, used by name

DECLARATIONS = "معرفی به ارتقا"


def hx(token: str) -> dict[str, str]:
    return {"x-csrf-token": token, "hx-request": "true"}


def said(response) -> str:
    """The page's text as a person reads it, tags left out."""
    inline = re.sub(r"</?bdi>", "", response.text)  # an isolated name is part of its sentence
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline)))


def of_year(folder: Path, year: int) -> Path:
    """The sample workbook with every declaration moved to ``year``."""
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book[DECLARATIONS]
    column = next(c.column for c in sheet[1] if c.value == "سال ارتقا")
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, column).value is not None:
            sheet.cell(row, column).value = year
    path = folder / f"office-{year}.xlsx"
    book.save(path)
    return path


@pytest.fixture
def decided_1402():
    """The sample sent to the embedded sandbox and reviewed: some rows of 1402 rejected or
    sent back for correction, so they need the office's action."""
    run_submit(SubmitOptions([SAMPLE], target="sandbox", report=simad_home() / "s.xlsx"))
    summary = review(1402, seed=3)
    assert summary.statuses


def reconcile(client, token: str, name: str, data: bytes, year: int):
    h = hx(token)
    opened = client.post("/upload", files={"files": (name, data)}, headers=h)
    assert opened.status_code == 204
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    ws = re.search(r'data-ws="([0-9a-f]+)"', client.get("/check").text)
    assert ws is not None
    answer = client.post("/results", data={"year": str(year), "ws": ws.group(1)}, headers=h)
    assert answer.status_code == 200
    return answer


def test_a_workbook_of_another_year_is_said_to_hold_none_and_the_ledger_offered(
    inprocess,  # noqa: F811 -- the fixture
    decided_1402,
    tmp_path,
):
    client, token, _state = inprocess
    other = of_year(tmp_path, 1404)
    answer = reconcile(client, token, other.name, other.read_bytes(), 1402)
    page = said(answer)
    sentence = (
        "The workbook office-1404.xlsx holds no declaration of year 1402 (it holds 1404); "
        "the server's rows were not compared with it."
    )
    assert sentence in page
    # The server's rows are listed, the rejected among them, none called "needing action".
    assert "Rejected" in page
    assert re.search(r"\d+ rows? needs? action", page) is None
    assert 'class="needs"' not in answer.text  # no row is marked as needing action
    assert "add it to your file" not in page and "Correct it" not in page
    assert "Compared with: workbook office-1404.xlsx, sheet معرفی به ارتقا, year 1402" in page
    # The ledger is offered in a form that reconciles the same year against it.
    form = re.search(r'<form[^>]*id="reconcile-ledger".*?</form>', answer.text, re.S)
    assert form is not None and 'name="against" value="ledger"' in form.group(0)
    assert 'name="year" value="1402"' in form.group(0)
    assert "Reconcile 1402 against the ledger" in page
    # The workbook says the same: the source in its summary, the sentence as its headline.
    book = openpyxl.load_workbook(_state.out_path("reconcile-1402.xlsx"))
    summary = [[c for c in row if c is not None] for row in book.worksheets[0].values]
    flat = [str(c) for row in summary for c in row]
    assert sentence in flat
    assert "workbook office-1404.xlsx, sheet معرفی به ارتقا, year 1402" in flat

    # Taking the offer: the ledger (what the sandbox accepted) is the local side now.
    answer = client.post("/results", data={"year": "1402", "against": "ledger"}, headers=hx(token))
    ledger = said(answer)
    assert "Compared with: the ledger (rows accepted earlier), year 1402" in ledger
    assert "holds no declaration" not in ledger and 'id="reconcile-ledger"' not in answer.text
    assert re.search(r"\d+ rows? needs? action", ledger)  # the rejected rows, really compared


def test_a_matching_workbook_is_named_with_its_sheet_and_year(
    inprocess,  # noqa: F811 -- the fixture
    decided_1402,
):
    client, token, state = inprocess
    answer = reconcile(client, token, "office.xlsx", SAMPLE.read_bytes(), 1402)
    page = said(answer)
    assert "Compared with: workbook office.xlsx, sheet معرفی به ارتقا, year 1402" in page
    assert "holds no declaration" not in page
    assert 'id="reconcile-ledger"' not in answer.text
    book = openpyxl.load_workbook(state.out_path("reconcile-1402.xlsx"))
    flat = [str(c) for row in book.worksheets[0].values for c in row if c is not None]
    assert "workbook office.xlsx, sheet معرفی به ارتقا, year 1402" in flat
