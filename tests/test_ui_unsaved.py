"""Replacing or closing a workbook whose corrections are in no downloaded file asks first: a
page saying how many would be lost, with the download, "go on anyway" and "cancel"; the new
upload waits for the answer. Driven in-process (httpx's ASGI transport)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.config import simad_home
from schemas.identifiers import national_code_check_digit
from tests.conftest import JPEG
from tests.inprocess import in_process

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
FIXED = "123456780" + national_code_check_digit("123456780")


def hx(token: str) -> dict[str, str]:
    return {"x-csrf-token": token, "hx-request": "true"}


def said(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def upload(client, token: str, name: str = "sample.xlsx"):
    return client.post("/upload", files={"files": (name, SAMPLE.read_bytes())}, headers=hx(token))


def fix_one(client, token: str, state) -> None:
    result = state.workspace.run.results[0]
    col = result.sheet.columns["NationalCode"]
    row = next(i for i, r in enumerate(result.sheet.rows) if r[col] == "0012345678")
    data = {"ws": state.workspace.id, "sheet": 0, "row": row, "col": col, "value": FIXED}
    assert client.post("/cell", data=data, headers=hx(token)).status_code == 200


def held() -> dict:
    return json.loads((simad_home() / "workbench" / "workbench.json").read_text())


@pytest.fixture
def fixed():
    """The app with the sample open and one correction made, not downloaded."""
    with in_process("en") as (client, token, state):
        assert upload(client, token).headers.get("hx-redirect") == "/check"
        fix_one(client, token, state)
        yield client, token, state


def test_another_workbook_over_unsaved_corrections_asks_and_replaces_nothing(fixed):
    client, token, state = fixed
    ws = state.workspace
    answer = upload(client, token, "other.xlsx")
    assert answer.headers.get("hx-redirect") == "/unsaved"
    assert state.workspace is ws and len(ws.edits) == 1  # nothing replaced
    assert [p.name for p in state.waiting] == ["other.xlsx"] and state.waiting[0].is_file()
    page = client.get("/unsaved")
    text = said(page.text)
    assert "Opening other.xlsx closes the open workbook (sample.xlsx): 1 correction made" in text
    assert "would be lost" in text
    assert f'href="/download/corrected?file=0&amp;ws={ws.id}"' in page.text
    assert 'value="replace"' in page.text and 'value="cancel"' in page.text
    assert held()["id"] == ws.id and len(held()["edits"]) == 1


def test_replace_anyway_opens_the_new_workbook_and_drops_the_old_corrections(fixed):
    client, token, state = fixed
    old = state.workspace
    upload(client, token, "other.xlsx")
    answer = client.post("/unsaved", data={"answer": "replace", "ws": old.id}, headers=hx(token))
    assert answer.headers.get("hx-redirect") == "/check"
    ws = state.workspace
    assert ws is not old and ws.edits == [] and [p.name for p in ws.paths] == ["other.xlsx"]
    assert state.waiting == []
    record = held()
    assert record["id"] == ws.id and record["edits"] == [] and record["files"] == ["other.xlsx"]
    assert not list((simad_home() / "workbench").rglob("sample.xlsx"))  # the old file is gone


def test_cancel_keeps_the_open_workbook_and_deletes_the_waiting_upload(fixed):
    client, token, state = fixed
    ws = state.workspace
    upload(client, token, "other.xlsx")
    waiting = state.waiting[0]
    answer = client.post("/unsaved", data={"answer": "cancel", "ws": ws.id}, headers=hx(token))
    assert answer.headers.get("hx-redirect") == "/check"
    assert state.workspace is ws and len(ws.edits) == 1
    assert state.waiting == [] and not waiting.exists()


def test_after_the_corrected_download_nothing_is_asked(fixed, tmp_path):
    client, token, state = fixed
    ws = state.workspace
    got = client.get(f"/download/corrected?file=0&ws={ws.id}")
    assert got.status_code == 200
    (tmp_path / "c.xlsx").write_bytes(got.content)
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert FIXED in [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert ws.unsaved() == 0 and held()["downloaded"] == {"0": 1}
    assert upload(client, token, "other.xlsx").headers.get("hx-redirect") == "/check"
    assert [p.name for p in state.workspace.paths] == ["other.xlsx"]


def test_a_correction_after_the_download_is_asked_about_again(fixed):
    client, token, state = fixed
    ws = state.workspace
    assert client.get(f"/download/corrected?file=0&ws={ws.id}").status_code == 200
    undone = client.post("/undo", data={"ws": ws.id}, headers=hx(token))
    assert undone.status_code == 200 and ws.unsaved() == 0
    fix_one(client, token, state)
    assert ws.unsaved() == 1
    assert upload(client, token, "other.xlsx").headers.get("hx-redirect") == "/unsaved"


def test_close_asks_first_then_removes_the_held_files(fixed):
    client, token, state = fixed
    ws = state.workspace
    bench = simad_home() / "workbench"
    asked = client.post("/close", data={"ws": ws.id}, headers=hx(token))
    assert asked.headers.get("hx-redirect") == "/unsaved?close=1"
    assert state.workspace is ws and bench.is_dir()
    text = said(client.get("/unsaved?close=1").text)
    assert "Closing the workbook sample.xlsx: 1 correction made" in text
    answer = client.post("/unsaved", data={"answer": "close", "ws": ws.id}, headers=hx(token))
    assert answer.headers.get("hx-redirect") == "/"
    assert state.workspace is None and not bench.exists()
    assert "No workbook is open yet" in said(client.get("/check").text)


def test_close_without_unsaved_corrections_closes_at_once():
    with in_process("fa") as (client, token, state):
        upload(client, token)
        ws = state.workspace
        check = client.get("/check").text
        assert 'id="close-workbook"' in check and "بستن کارپوشه" in check
        answer = client.post("/close", data={"ws": ws.id}, headers=hx(token))
        assert answer.headers.get("hx-redirect") == "/"
        assert state.workspace is None and not (simad_home() / "workbench").exists()


def test_the_question_in_persian_names_the_count_in_persian_digits(fixed):
    client, token, _state = fixed
    client.post("/lang", data={"lang": "fa", "next": "/"}, headers=hx(token))
    upload(client, token, "other.xlsx")
    text = said(client.get("/unsaved").text)
    assert "۱ اصلاحی که در این صفحه کرده‌اید" in text and "با این حال جایگزین شود" in text
    assert "ui_unsaved" not in text


def test_a_workbook_with_photos_asks_before_another_replaces_it_even_with_no_correction():
    photo = JPEG + b"\x00" * 200
    with in_process("en") as (client, token, state):
        files = [
            ("files", ("sample.xlsx", SAMPLE.read_bytes())),
            ("files", ("10000001.jpg", photo)),
            ("files", ("10000002.jpg", photo)),
        ]
        assert client.post("/upload", files=files, headers=hx(token)).status_code < 300
        ws = state.workspace
        assert ws is not None and ws.unsaved() == 0
        held_photos = simad_home() / "workbench" / "photos"
        assert len(list(held_photos.glob("*.jpg"))) == 2
        assert upload(client, token, "other.xlsx").headers.get("hx-redirect") == "/unsaved"
        assert state.workspace is ws and len(list(held_photos.glob("*.jpg"))) == 2
        page = client.get("/unsaved")
        text = said(page.text)
        assert "removes the 2 photos dropped for it" in text and "nothing will be lost" not in text
        assert "Replace anyway" in text and 'value="cancel"' in page.text
        cancel = client.post("/unsaved", data={"answer": "cancel", "ws": ws.id}, headers=hx(token))
        assert cancel.headers.get("hx-redirect") == "/check" and state.workspace is ws
        assert len(list(held_photos.glob("*.jpg"))) == 2  # kept
        asked = client.post("/close", data={"ws": ws.id}, headers=hx(token))
        assert asked.headers.get("hx-redirect") == "/unsaved?close=1"
        assert "Closing the workbook sample.xlsx removes the 2 photos" in said(
            client.get("/unsaved?close=1").text
        )
        client.post("/lang", data={"lang": "fa", "next": "/"}, headers=hx(token))
        upload(client, token, "other.xlsx")
        fa = said(client.get("/unsaved").text)
        assert "۲ عکسی که برای آن گذاشته‌اید حذف می‌شود" in fa and "ui_unsaved" not in fa
        go = client.post("/unsaved", data={"answer": "replace", "ws": ws.id}, headers=hx(token))
        assert go.headers.get("hx-redirect") == "/check" and state.workspace is not ws
