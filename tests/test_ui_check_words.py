"""The check page's small things, driven in-process: a save that changes nothing is no
correction (nothing recorded, the count unchanged, the panel says so); the headline speaks of
the page's red cells (fixed here), not of the report's."""

from __future__ import annotations

import re

import pytest

from pipeline.core.i18n import language, t
from tests import test_ui
from tests.inprocess import in_process
from tests.test_ui import SAMPLE

inprocess = test_ui.inprocess  # the app driven in-process, signed in


def _hx(token: str) -> dict[str, str]:
    return {"x-csrf-token": token, "hx-request": "true"}


def _shown(client, token: str, ws: str, sheet: int, index: int, col: int) -> str:
    panel = client.get(f"/cell?ws={ws}&sheet={sheet}&row={index}&col={col}", headers=_hx(token))
    found = re.search(r'<input type="text" id="value" name="value" value="([^"]*)"', panel.text)
    assert found is not None, panel.text
    return found.group(1).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


def test_saving_the_value_a_cell_already_holds_is_no_correction(inprocess):
    client, token, state = inprocess
    h = _hx(token)
    client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    ws = state.workspace.id
    result = state.workspace.run.results[1]
    places = [(1, 0, result.sheet.columns["BaliniScore"]), (0, 0, 0), (1, 2, 1)]
    for sheet, index, col in places:
        shown = _shown(client, token, ws, sheet, index, col)
        data = {"ws": ws, "sheet": sheet, "row": index, "col": col, "value": shown}
        answer = client.post("/cell", data=data, headers=h)
        assert answer.status_code == 200
        assert state.workspace.edits == []
        assert 'id="cell-unchanged"' in answer.text
        with language("en"):
            assert t("ui_edits", n=0) in answer.text
    # a real change is one
    sheet, index, col = places[0]
    data = {"ws": ws, "sheet": sheet, "row": index, "col": col, "value": "41.5"}
    answer = client.post("/cell", data=data, headers=h)
    assert len(state.workspace.edits) == 1
    assert 'id="cell-unchanged"' not in answer.text


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_headline_speaks_of_the_page(lang):
    with in_process(lang) as (client, token, _state):
        h = _hx(token)
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        page = client.get("/check").text
        headline = re.search(r'<div class="headline[^"]*" id="verdict">([^<]*)</div>', page)
        assert headline is not None
        words = headline.group(1)
        assert words.strip()
        report = {"fa": "خانه‌های قرمز گزارش", "en": "red cells of the report"}[lang]
        assert report not in words, words
        with language(lang):
            assert "report" not in words.lower() and "گزارش" not in words
