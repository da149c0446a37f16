"""Photos in the page: dropped with the workbook (or after it, added to it), each resident's
photo shown present, missing or unusable on the check page, sent to the sandbox after its
resident, and not sent again unchanged. Driven in-process against the embedded sandbox."""

from __future__ import annotations

import html
import re

import pytest

from pipeline.core.config import simad_home
from pipeline.simad.ledger import Ledger
from tests.inprocess import in_process

from .conftest import JPEG
from .test_ui import SAMPLE

GOOD = JPEG + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


@pytest.fixture
def inprocess():
    with in_process("en") as session:
        yield session


def said(response) -> str:
    """The page's text as read: tags and the isolation marks around file names left out."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.text))
    return re.sub(r"\s+", " ", re.sub("[\u2066-\u2069]", "", text))


def sent_run(client, token, state):
    client.post("/submit", data={"ws": state.workspace.id}, headers={"x-csrf-token": token})
    job = state.latest("submit")
    assert job is not None and job.thread is not None
    job.thread.join(120)
    assert job.finished is not None and job.result is not None, job.error
    return job


def test_photos_dropped_with_the_workbook_are_checked_and_sent_once(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    files = [
        ("files", ("sample.xlsx", SAMPLE.read_bytes())),
        ("files", ("10000001.jpg", GOOD)),  # by student number
        ("files", ("photo-4777925234.JPG", GOOD)),  # by national code
        ("files", ("10000003.jpg", PNG)),  # not a JPEG by content
    ]
    assert client.post("/upload", files=files, headers=h).status_code < 300
    page = client.get("/check")
    summary = re.search(
        r'id="photos-summary" data-present="(\d+)" data-missing="(\d+)" '
        r'data-unusable="(\d+)"',
        page.text,
    )
    assert summary is not None and summary.groups() == ("2", "37", "1")
    text = said(page)
    assert "2 photos will be sent" in text
    assert "10000003.jpg is not a JPEG" in text
    assert '<bdi dir="ltr">10000001.jpg</bdi>' in page.text  # never shown reversed

    job = sent_run(client, token, state)
    assert job.result.photos == 2 and job.snapshot()["photos"] == 2
    rows = job.result.sheets[0].rows
    assert "Photo sent." in rows[0].messages and "Photo sent." in rows[1].messages
    assert any("not a JPEG" in m for m in rows[2].messages)
    assert any("Photo not found" in m for m in rows[4].messages)
    assert 'data-field="photos"' in client.get("/submit").text
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        assert set(ledger.recorded("sandbox", "image")) == {"10000001", "10000002"}
    finally:
        ledger.close()

    # The same photos again: accepted unchanged, none sent.
    again = sent_run(client, token, state)
    assert again.result.photos == 0
    assert not any("Photo sent." in m for m in again.result.sheets[0].rows[0].messages)


def test_photos_dropped_alone_add_to_the_open_workbook(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
    ws = state.workspace
    assert "No photos dropped" in said(client.get("/check"))
    answer = client.post("/upload", files={"files": ("10000005.jpg", GOOD)}, headers=h)
    assert answer.status_code < 300 and answer.url.path == "/check"
    assert state.workspace is ws  # the workbook stays open, its corrections with it
    client.post("/upload", files={"files": ("10000006.jpeg", GOOD)}, headers=h)
    assert sorted(p.name for p in state.photos.glob("*.jp*g")) == ["10000005.jpg", "10000006.jpeg"]
    assert 'data-present="2"' in client.get("/check").text
    assert "2 photos kept" in said(client.get("/"))


def test_a_bad_zip_is_refused_with_a_sentence_and_nothing_kept(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    answer = client.post("/upload", files={"files": ("photos.zip", b"PK\x03\x04broken")}, headers=h)
    assert answer.status_code == 400
    assert "cannot be read" in said(answer) and "Traceback" not in answer.text
    assert not any(state.photos.glob("*.jpg"))
