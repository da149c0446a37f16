"""The submit confirmation says what the run will count: the rows it sends (the job's total),
those unchanged, the invalid ones and the declarations held back by their resident's row; a
refused login's reason keeps the server's own words isolated; a reconciliation's row that is
not in the open workbook names the workbook to open. Driven in-process (no socket)."""

from __future__ import annotations

import re

from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from tests.test_ui import SAMPLE
from tests.test_ui_login import ministry, send  # noqa: F401 -- the fixture, used by name
from tests.test_ui_reconcile import hx
from tests.test_ui_resend import inprocess, open_and_reconcile, rejected_1402  # noqa: F401

TOTAL = re.compile(
    r'id="confirm-total" data-send="(\d+)" data-unchanged="(\d+)" '
    r'data-invalid="(\d+)" data-blocked="(\d+)"'
)


def planned(page: str) -> tuple[int, int, int, int]:
    found = TOTAL.search(page)
    assert found is not None, page[:2000]
    send_n, unchanged, invalid, blocked = (int(g) for g in found.groups())
    return send_n, unchanged, invalid, blocked


def test_the_confirmation_counts_what_the_run_counts(ministry):  # noqa: F811
    client, h, state, _counts = ministry
    right = {"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
    client.post("/credentials", data=right, headers=h)
    page = client.get("/submit").text
    to_send, unchanged, invalid, blocked = planned(page)
    assert to_send > 0 and unchanged == 0 and invalid > 0 and blocked > 0
    # The held-back declarations are named with their resident's row.
    listed = re.search(r'<ul class="found" id="confirm-blocked">(.*?)</ul>', page, re.S)
    assert listed is not None and listed.group(1).count("<li>") == blocked
    assert "ردیف دستیار آن" in listed.group(1)
    send(client, h, state)
    job = state.latest("submit")
    assert job.result.fatal is None
    counts = {str(k): v for k, v in job.result.counts.items()}
    assert job.snapshot()["total"] == to_send  # the promise is what the job counts
    assert counts["invalid"] == invalid and counts["not_sent"] == blocked
    # After the complete run only what the server did not accept is sent again: every row
    # sent and accepted is unchanged.
    failed, sent = counts.get("failed", 0), counts["sent"]
    assert sent + failed == to_send
    again = client.get("/submit").text
    assert planned(again) == (failed, sent, invalid, blocked)
    words = said_text(again)
    assert f"{failed} ردیف ارسال می‌شود".translate(PERSIAN) in words
    assert f"{sent} ردیف پیش‌تر بدون تغییر پذیرفته شده".translate(PERSIAN) in words


PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def said_text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_refused_logins_server_words_are_isolated(ministry):  # noqa: F811
    client, h, state, _counts = ministry
    wrong = {"username": SANDBOX_USERNAME, "password": "not-the-password-57"}
    client.post("/credentials", data=wrong, headers=h)
    send(client, h, state)
    isolated = re.compile(r"\(HTTP [۰-۹]+\): <bdi>Incorrect username or password</bdi>")
    assert isolated.search(client.get("/submit").text)
    runs = client.get("/runs").text
    assert isolated.search(runs)
    assert "<bdi>سیماد ورود" not in runs  # not the whole sentence as one isolate


def test_a_ledger_row_not_in_the_open_workbook_names_the_workbook_to_open(
    inprocess,  # noqa: F811
    rejected_1402,  # noqa: F811
):
    client, token, _state = inprocess
    ws, _answer = open_and_reconcile(client, token, SAMPLE)
    answer = client.post(
        "/results", data={"year": "1402", "ws": ws, "against": "ledger"}, headers=hx(token)
    )
    student = rejected_1402[0]
    row = re.search(rf'data-key="{student}">(.*?)</tr>', answer.text, re.S)
    assert row is not None
    step = said_text(row.group(1))
    assert "this row is not in the open workbook" in step
    assert "sample.xlsx" in step and "start page" in step
