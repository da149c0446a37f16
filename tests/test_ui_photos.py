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
from .test_ui_unsaved import fix_one

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


# -- photos kept with the workbook --------------------------------------------------------------


def counts(client) -> tuple[str, ...]:
    page = client.get("/check").text
    found = re.search(r'id="photos-summary" data-present="(\d+)"', page)
    send = re.search(r'id="photos-send" data-send="(\d+)"', page)
    return (found.group(1) if found else "-", send.group(1) if send else "-")


def test_photos_are_held_with_the_workbook_owner_only_and_survive_a_restart():
    with in_process("en") as (client, token, state):
        h = {"x-csrf-token": token}
        files = [
            ("files", ("sample.xlsx", SAMPLE.read_bytes())),
            ("files", ("10000001.jpg", GOOD)),
        ]
        assert client.post("/upload", files=files, headers=h).status_code < 300
        client.post("/upload", files={"files": ("10000002.jpg", GOOD)}, headers=h)  # added
        held = simad_home() / "workbench" / "photos"
        assert sorted(p.name for p in held.glob("*.jpg")) == ["10000001.jpg", "10000002.jpg"]
        assert held.stat().st_mode & 0o077 == 0
        assert all(p.stat().st_mode & 0o077 == 0 for p in held.iterdir())
        assert not any((state.folder / "photos").glob("*.jpg"))  # none left waiting
    with in_process("en") as (client, token, state):  # the app started again
        assert state.workspace is not None
        assert counts(client) == ("2", "2")


def test_a_drop_sent_in_several_requests_waits_for_its_workbook():
    with in_process("en") as (client, token, state):
        h = {"x-csrf-token": token}
        for name in ("10000001.jpg", "10000002.jpg"):  # photos first, marked: books follow
            answer = client.post(
                "/upload", files={"files": (name, GOOD)}, data={"staged": "1"}, headers=h
            )
            assert answer.status_code < 300
        assert sorted(p.name for p in (state.folder / "photos").glob("*.jpg")) == [
            "10000001.jpg",
            "10000002.jpg",
        ]
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        assert counts(client) == ("2", "2")
        assert not any((state.folder / "photos").glob("*.jpg"))


def test_photos_dropped_before_the_workbook_stay_with_it():
    with in_process("en") as (client, token, _state):
        h = {"x-csrf-token": token}
        client.post("/upload", files={"files": ("10000001.jpg", GOOD)}, headers=h)
        assert "1 photo kept" in said(client.get("/"))
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        assert counts(client) == ("1", "1")


def test_replacing_the_workbook_replaces_its_photos():
    with in_process("en") as (client, token, state):
        h = {"x-csrf-token": token}
        files = [("files", ("sample.xlsx", SAMPLE.read_bytes())), ("files", ("10000001.jpg", GOOD))]
        client.post("/upload", files=files, headers=h)
        assert counts(client) == ("1", "1")
        files = [("files", ("sample.xlsx", SAMPLE.read_bytes())), ("files", ("10000002.jpg", GOOD))]
        asked = client.post("/upload", files=files, headers=h)  # another, with its photo
        assert asked.url.path == "/unsaved" and "removes the photo" in said(asked)
        client.post("/unsaved", data={"answer": "replace"}, headers=h)  # the photo: asked first
        assert [p.name for p in state.photos.glob("*.jpg")] == ["10000002.jpg"]
        client.post("/upload", files={"files": ("sample.xlsx", SAMPLE.read_bytes())}, headers=h)
        client.post("/unsaved", data={"answer": "replace"}, headers=h)
        assert counts(client) == ("-", "-")  # replaced by a workbook alone: no photos left
        assert "No photos dropped" in said(client.get("/check"))


def test_remove_photos_keeps_the_workbook_and_close_removes_them():
    with in_process("en") as (client, token, state):
        h = {"x-csrf-token": token}
        files = [("files", ("sample.xlsx", SAMPLE.read_bytes())), ("files", ("10000001.jpg", GOOD))]
        client.post("/upload", files=files, headers=h)
        ws = state.workspace
        assert 'hx-post="/photos/remove"' in client.get("/check").text
        answer = client.post("/photos/remove", data={"ws": ws.id}, headers=h)
        assert answer.status_code < 300 and answer.url.path == "/check"
        assert state.workspace is ws and counts(client) == ("-", "-")
        client.post("/upload", files={"files": ("10000001.jpg", GOOD)}, headers=h)
        assert counts(client) == ("1", "1")
        asked = client.post("/close", data={"ws": ws.id}, headers=h)
        assert asked.url.path == "/unsaved" and state.workspace is ws  # its photo: asked first
        client.post("/unsaved", data={"answer": "close", "ws": ws.id}, headers=h)
        assert state.workspace is None
        assert not (simad_home() / "workbench" / "photos").exists()
        assert "photo kept" not in said(client.get("/"))


def test_the_replace_question_names_the_photos_and_cancel_drops_the_new_ones():
    with in_process("en") as (client, token, state):
        h = {"x-csrf-token": token}
        files = [("files", ("sample.xlsx", SAMPLE.read_bytes())), ("files", ("10000001.jpg", GOOD))]
        client.post("/upload", files=files, headers=h)
        fix_one(client, token, state)  # a correction in no downloaded file
        ws = state.workspace
        files = [("files", ("other.xlsx", SAMPLE.read_bytes())), ("files", ("10000002.jpg", GOOD))]
        answer = client.post("/upload", files=files, headers=h)
        assert answer.url.path == "/unsaved"
        assert "The photo dropped for it is removed too." in said(answer)
        assert (state.folder / "photos" / "10000002.jpg").exists()  # waiting with its workbook
        client.post("/unsaved", data={"answer": "cancel", "ws": ws.id}, headers=h)
        assert state.workspace is ws
        assert not (state.folder / "photos" / "10000002.jpg").exists()
        assert [p.name for p in state.photos.glob("*.jpg")] == ["10000001.jpg"]

        client.post("/upload", files=files, headers=h)  # again; this time replaced
        client.post("/unsaved", data={"answer": "replace", "ws": ws.id}, headers=h)
        assert state.workspace is not ws
        assert [p.name for p in state.photos.glob("*.jpg")] == ["10000002.jpg"]


def test_the_count_to_send_leaves_out_photos_accepted_unchanged(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    client.post("/target", data={"target": "sandbox"}, headers=h)
    files = [
        ("files", ("sample.xlsx", SAMPLE.read_bytes())),
        ("files", ("10000001.jpg", GOOD)),
        ("files", ("10000002.jpg", GOOD)),
    ]
    client.post("/upload", files=files, headers=h)
    assert counts(client) == ("2", "2")
    sent_run(client, token, state)
    page = client.get("/check")
    assert counts(client) == ("2", "0")
    assert "2 photos were accepted unchanged by this target before" in said(page)
    changed = GOOD[:-2] + b"\x01" + GOOD[-2:]
    client.post("/upload", files={"files": ("10000002.jpg", changed)}, headers=h)
    assert counts(client) == ("2", "1")


def test_each_photo_is_read_once_until_it_changes(inprocess, monkeypatch):
    from pipeline.sheets import photos as photo_files

    client, token, _state = inprocess
    h = {"x-csrf-token": token}
    files = [("files", ("sample.xlsx", SAMPLE.read_bytes())), ("files", ("10000001.jpg", GOOD))]
    client.post("/upload", files=files, headers=h)
    reads: list[str] = []
    real = photo_files.read_photo

    def counted(path):
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(photo_files, "read_photo", counted)
    for _ in range(3):
        assert counts(client) == ("1", "1")
    assert reads == []  # read when it arrived at the first page, not at every page
    client.post("/upload", files={"files": ("10000001.jpg", GOOD + b"\x00")}, headers=h)
    assert counts(client) == ("1", "1") and counts(client) == ("1", "1")
    assert reads == ["10000001.jpg"]  # changed: read once again


def test_an_unusable_photo_is_said_before_a_run_as_one_that_will_not_be_sent(inprocess):
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    files = [
        ("files", ("sample.xlsx", SAMPLE.read_bytes())),
        ("files", ("10000003.jpg", PNG)),  # refused on upload: not a JPEG
        ("files", ("10000004.jpg", GOOD)),
        ("files", ("photo-10000004.jpg", GOOD)),  # two photos for one resident
    ]
    assert client.post("/upload", files=files, headers=h).status_code < 300
    text = said(client.get("/check"))
    assert "10000003.jpg is not a JPEG; it will not be sent." in text
    assert "none will be sent" in text and "; not sent." not in text and "none sent" not in text
    client.post("/lang", data={"lang": "fa", "next": "/"}, headers=h)
    fa = said(client.get("/check"))
    assert "عکس 10000003.jpg با قالب JPG نیست؛ ارسال نخواهد شد." in fa
    assert "ارسال نشد" not in fa and "photo_not_jpeg" not in fa
    client.post("/lang", data={"lang": "en", "next": "/"}, headers=h)
    rows = sent_run(client, token, state).result.sheets[0].rows
    assert any(m.endswith("is not a JPEG; not sent.") for m in rows[2].messages)  # a run's
