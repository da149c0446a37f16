"""The submit confirmation says how many photos the run will send, as the check page counts
them, in both languages; none dropped, it says that none will be."""

from __future__ import annotations

import re

from tests.test_ui import SAMPLE
from tests.test_ui_photos import GOOD, PNG, inprocess, said, sent_run  # noqa: F401


def test_the_submit_confirmation_says_how_many_photos_will_be_sent(inprocess):  # noqa: F811
    client, token, state = inprocess
    h = {"x-csrf-token": token}
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    files = [
        ("files", ("sample.xlsx", SAMPLE.read_bytes())),
        ("files", ("10000001.jpg", GOOD)),
        ("files", ("10000002.jpg", GOOD)),
        ("files", ("10000003.jpg", PNG)),  # unusable: not counted
    ]
    assert client.post("/upload", files=files, headers=h).status_code < 300
    check = re.search(r'data-send="(\d+)"', client.get("/check").text)
    assert check is not None and check.group(1) == "2"
    page = client.get("/submit")
    assert 'id="confirm-photos" data-photos="2"' in page.text
    assert "2 photos will be sent" in said(page)
    client.post("/lang", data={"lang": "fa"}, headers={**h, "hx-request": "1"})
    assert "۲ عکس همراه دستیارانش ارسال می‌شود" in said(client.get("/submit"))
    sent_run(client, token, state)
    again = client.get("/submit")  # sent and accepted: none is sent again
    assert 'data-photos="0"' in again.text and "عکسی ارسال نمی‌شود" in said(again)
