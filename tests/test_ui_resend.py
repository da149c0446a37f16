"""Resend from the results page: the clerk ticks rows of the reconciliation (or all rows
needing action), sees exactly how many will be sent, and sends them again even unchanged; the
ledger notes the resend, and an ordinary submission still skips unchanged rows. The page's
reconciliation names fields by the sheet's headers, shows each resident's name, links the file
row to the check page, names the resident's cell when the resident is the reason, and never
shows a catalogue key or a terminal command. Driven in-process against the embedded sandbox."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.sandbox import review
from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core import i18n
from pipeline.core.config import simad_home
from pipeline.core.status import Reconciliation

from .test_ui import SAMPLE, inprocess  # noqa: F401 -- the fixture, used by name
from .test_ui_reconcile import DECLARATIONS, hx, said

SNAKE = re.compile(r"not_sent|missing_on_server|only_on_server|name_differs|invalid_input")
LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
TERMINAL = re.compile(r"simad (submit|validate|maxa|runs)|--force|--resend")


@pytest.fixture
def rejected_1402() -> list[str]:
    """The sample sent to the embedded sandbox; three of its accepted 1402 declarations then
    rejected for a paperwork reason. Their keys (STUDENT/YEAR)."""
    run_submit(SubmitOptions([SAMPLE], target="sandbox", report=simad_home() / "s.xlsx"))
    matched = run_reconcile(1402, [SAMPLE], target="sandbox", report_path=simad_home() / "r.xlsx")
    chosen = [ln.key[0] for ln in matched.lines if ln.category == Reconciliation.MATCHED][:3]
    assert len(chosen) == 3
    for student in chosen:
        review(1402, student_number=student, status="2", reason="مدارک ناقص است")
    return [f"{s}/1402" for s in chosen]


def open_and_reconcile(client, token: str, book: Path, year: int = 1402):
    h = hx(token)
    sent = client.post("/upload", files={"files": (book.name, book.read_bytes())}, headers=h)
    assert sent.status_code == 204
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    ws = re.search(r'data-ws="([0-9a-f]+)"', client.get("/check").text)
    assert ws is not None
    answer = client.post("/results", data={"year": str(year), "ws": ws.group(1)}, headers=h)
    assert answer.status_code == 200
    return ws.group(1), answer


def ledger_rows(target: str = "sandbox") -> dict[str, tuple[str, int]]:
    db = sqlite3.connect(simad_home() / "ledger.db")
    try:
        rows = db.execute(
            "SELECT key, state, resend FROM outcomes WHERE target = ? AND kind = 'declaration'",
            (target,),
        ).fetchall()
    finally:
        db.close()
    return {k: (s, r) for k, s, r in rows}


def test_rejected_rows_are_resent_from_the_page_exactly_as_many_as_selected(
    inprocess,  # noqa: F811 -- the fixture
    rejected_1402,
    tmp_path,
):
    client, token, state = inprocess
    ws, answer = open_and_reconcile(client, token, SAMPLE)
    page = said(answer)
    assert not SNAKE.search(page) and not TERMINAL.search(page)
    # Every rejected row can be ticked, and is among "all rows needing action".
    for key in rejected_1402:
        assert f'name="key" value="{key}"' in answer.text
        assert f'name="needs" value="{key}"' in answer.text
    # Two of the three ticked: the confirmation says exactly two.
    chosen = rejected_1402[:2]
    confirm = client.post("/resend/confirm", data={"ws": ws, "key": chosen}, headers=hx(token))
    assert confirm.status_code == 200
    words = said(confirm)
    assert "2 selected rows will be sent again to" in words
    # Besides them, the workbook's one declaration never accepted (its resident is not in the
    # file) goes too, and the confirmation says so: it counts every row that will be sent.
    assert "1 other row of the workbook is new or changed and will be sent too." in words
    assert "Send 3 rows" in words
    go = re.search(r'<form hx-post="/resend".*?</form>', confirm.text, re.S)
    assert go is not None and go.group(0).count('name="key"') == 2
    before = ledger_rows()
    assert all(before[k] == ("accepted", 0) for k in chosen)
    started = client.post("/resend", data={"ws": ws, "key": chosen}, headers=hx(token))
    assert started.status_code == 204 and started.headers["HX-Redirect"] == "/submit"
    job = state.latest("submit")
    assert job is not None
    assert job.thread is not None
    job.thread.join(60)
    assert job.finished is not None
    result = job.result
    assert result.counts.get("sent") == 2, result.counts  # the two chosen, sent again
    assert result.counts.get("sent", 0) + result.counts.get("failed", 0) == 3  # as confirmed
    after = ledger_rows()
    assert all(after[k] == ("accepted", 1) for k in chosen)  # noted as a resend
    assert after[rejected_1402[2]] == ("accepted", 0)  # the one not chosen: untouched
    # An ordinary submission still skips every unchanged row.
    again = run_submit(SubmitOptions([SAMPLE], target="sandbox", report=tmp_path / "again.xlsx"))
    assert not again.counts.get("sent") and again.counts.get("unchanged")


def test_all_rows_needing_action_is_the_rejected_and_is_counted(
    inprocess,  # noqa: F811 -- the fixture
    rejected_1402,
):
    client, token, _state = inprocess
    ws, answer = open_and_reconcile(client, token, SAMPLE)
    needs = re.findall(r'name="needs" value="([^"]+)"', answer.text)
    assert sorted(needs) == sorted(rejected_1402)
    assert "Resend the 3 rows needing action that can be resent" in said(answer)
    needing = re.search(r"(\d+) rows? needs? action", said(answer))
    assert needing is not None, said(answer)[:400]
    rest = int(needing.group(1)) - 3  # the others, explained next to the button
    assert rest > 0
    note = f"Of the {needing.group(1)} rows needing action, 3 can be resent; the other {rest}"
    assert note in said(answer)
    confirm = client.post(
        "/resend/confirm", data={"ws": ws, "all": "1", "needs": needs}, headers=hx(token)
    )
    assert "3 selected rows will be sent again" in said(confirm)
    assert "Send 4 rows" in said(confirm)  # and the one declaration never accepted
    # The selected rows' button with nothing ticked: said so, not "the rows are invalid".
    none = client.post("/resend/confirm", data={"ws": ws, "needs": needs}, headers=hx(token))
    assert "No row is ticked; tick the rows to send again" in said(none)
    assert "None of the rows selected" not in said(none)


def changed_score(folder: Path, student: str) -> Path:
    """The sample with one declaration's clinical competence score (47.25) changed to 48."""
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book[DECLARATIONS]
    header = [c.value for c in sheet[1]]
    column = header.index("نمره صلاحیت بالینی") + 1
    who = header.index("شماره دانشجویی") + 1
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row, who).value).translate(LATIN) == student:
            assert sheet.cell(row, column).value == 47.25
            sheet.cell(row, column).value = 48
    path = folder / "office.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_differences_are_named_by_the_sheets_header_with_the_residents_name(
    rejected_1402, tmp_path, lang
):
    from tests.inprocess import in_process

    student = rejected_1402[0].split("/")[0]
    book = changed_score(tmp_path, student)
    with in_process(lang) as (client, token, state):
        _ws, answer = open_and_reconcile(client, token, book)
        href = re.search(rf'data-key="{student}/1402">.*?href="([^"]+)"', answer.text, re.S)
        assert href is not None
        target = html.unescape(href.group(1))
        shown = client.get(target.split("#")[0])
        assert f'id="{target.split("#")[1]}"' in shown.text  # the check page shows that row
        assert DECLARATIONS in said(shown)
        # The workbook the page offers says the same: no key, no command, headers by name.
        written = openpyxl.load_workbook(state.out_path("reconcile-1402.xlsx"))
        cells = [str(c) for ws in written for row in ws.values for c in row if c is not None]
        assert cells and not [c for c in cells if SNAKE.search(c) or TERMINAL.search(c)]
        assert not [c for c in cells if "BaliniScore:" in c]
    page = said(answer)
    row = re.search(rf'<tr class="needs" data-key="{student}/1402">.*?</tr>', answer.text, re.S)
    assert row is not None
    cells = said(type("R", (), {"text": row.group(0)}))
    if lang == "fa":
        assert "نمره صلاحیت بالینی: ۴۸ ≠ ۴۷٫۲۵" in cells
    else:
        assert "نمره صلاحیت بالینی: 48 ≠ 47.25" in cells
    assert "BaliniScore" not in page
    name = re.search(r"<bdi>([^<]+)</bdi>", row.group(0))
    assert name is not None and name.group(1).strip()  # the resident's name
    link = re.search(r'href="(/check\?sheet=\d+&amp;page=\d+#row-\d+-\d+)"', row.group(0))
    assert link is not None  # the file row opens the check page
    assert not SNAKE.search(page) and not TERMINAL.search(page)
    assert "status_" not in page and "action_" not in page


def test_a_declaration_whose_resident_was_refused_names_the_residents_cell(tmp_path):
    """The server refused the resident for its course code: the declaration's next step is
    the resident's course-code cell, "sheet دستیاران, cell C<row>"."""
    from pipeline.simad.reconcile import action, compare, local_from_inputs

    book = openpyxl.load_workbook(SAMPLE, read_only=True)  # keeps the file open until closed
    try:
        sheet = book["دستیاران"]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    finally:
        book.close()
    course = header.index("کد رشته تحصیلی")
    student = str(first[header.index("شماره دانشجویی")])
    refused = {student: "کد رشته تحصیلی نامعتبر است"}
    letter = chr(ord("A") + course)
    for lang, cell in (
        ("en", f"sheet دستیاران, cell {letter}2"),
        ("fa", f"برگه دستیاران، خانه {letter}2"),
    ):
        with i18n.language(lang):
            local = local_from_inputs([SAMPLE], 1402, (), None, refused)
            lines = {ln.key[0]: ln for ln in compare(local, {})}
            step = action(lines[student])
        assert cell in step
        assert "کد رشته تحصیلی نامعتبر است" in step
        assert not TERMINAL.search(step)


def reconcile_against_ledger(client, token: str, year: int = 1402):
    h = hx(token)
    assert client.post("/target", data={"target": "sandbox"}, headers=h).status_code < 300
    answer = client.post("/results", data={"year": str(year), "against": "ledger"}, headers=h)
    assert answer.status_code == 200
    assert 'name="source" value="ledger"' in answer.text or "resend-open" in answer.text
    return answer


def test_ledger_rows_are_resent_from_the_files_their_page_run_kept(
    inprocess,  # noqa: F811 -- the fixture
):
    """A run from the page keeps what it sent; reconciled against the ledger (nothing open),
    its rejected rows are resent from those kept files, exactly as many as confirmed."""
    client, token, state = inprocess
    h = hx(token)
    sent = client.post("/upload", files={"files": ("office.xlsx", SAMPLE.read_bytes())}, headers=h)
    assert sent.status_code == 204
    client.post("/target", data={"target": "sandbox"}, headers=h)
    ws = state.workspace.id
    assert client.post("/submit", data={"ws": ws}, headers=h).status_code == 204
    job = state.latest("submit")
    job.thread.join(60)
    first_run = job.result.run_id
    kept = list((simad_home() / "runs" / first_run).rglob("office.xlsx"))
    assert kept, "a page run keeps what it sent"
    matched = run_reconcile(1402, [SAMPLE], target="sandbox", report_path=simad_home() / "r.xlsx")
    chosen = [ln.key[0] for ln in matched.lines if ln.category == Reconciliation.MATCHED][:2]
    for student in chosen:
        review(1402, student_number=student, status="2", reason="مدارک ناقص است")
    keys = [f"{s}/1402" for s in chosen]
    client.post("/close", data={"ws": ws}, headers=h)
    assert state.workspace is None
    answer = reconcile_against_ledger(client, token)
    needs = sorted(re.findall(r'name="needs" value="([^"]+)"', answer.text))
    assert needs == sorted(keys)
    for key in keys:
        assert f'name="key" value="{key}"' in answer.text
    assert "resend-open" not in answer.text and not TERMINAL.search(said(answer))
    confirm = client.post("/resend/confirm", data={"source": "ledger", "key": keys[:1]}, headers=h)
    assert confirm.status_code == 200, said(confirm)
    words = said(confirm)
    assert "1 selected row will be sent again to" in words
    assert 'id="resend-cancel"' in confirm.text and 'name="source" value="ledger"' in confirm.text
    go = re.search(r"Send (\d+) rows?", words)
    assert go is not None
    started = client.post("/resend", data={"source": "ledger", "key": keys[:1]}, headers=h)
    assert started.status_code == 204 and started.headers["HX-Redirect"] == "/submit"
    again = state.latest("submit")
    assert again is not job and again.thread is not None
    again.thread.join(60)
    result = again.result
    assert result.counts.get("sent", 0) + result.counts.get("failed", 0) == int(go.group(1))
    assert result.counts.get("sent", 0) >= 1
    after = ledger_rows()
    assert after[keys[0]] == ("accepted", 1)  # noted as a resend
    assert after[keys[1]] == ("accepted", 0)  # not chosen: untouched
    # The resend's own run keeps its files too, so its report can be written again.
    assert list((simad_home() / "runs" / result.run_id).rglob("office.xlsx"))


def test_ledger_rows_whose_files_are_gone_name_the_workbook_to_open(
    inprocess,  # noqa: F811 -- the fixture
    tmp_path,
):
    """When the files the sending run kept are gone or changed, the page says plainly which
    workbook to open, with a link to the start page; nothing can be resent from the ledger."""
    client, token, _state = inprocess
    book = tmp_path / "office-1402.xlsx"
    book.write_bytes(SAMPLE.read_bytes())
    run_submit(SubmitOptions([book], target="sandbox", report=tmp_path / "s.xlsx"))
    matched = run_reconcile(1402, [book], target="sandbox", report_path=tmp_path / "r.xlsx")
    student = next(ln.key[0] for ln in matched.lines if ln.category == Reconciliation.MATCHED)
    review(1402, student_number=student, status="2", reason="مدارک ناقص است")
    changed = openpyxl.load_workbook(book)
    changed.active["A1"].comment = None
    changed.save(book)  # the same name, another content: its sha256 no longer matches
    answer = reconcile_against_ledger(client, token)
    assert 'id="resend-open"' in answer.text
    assert "<bdi>office-1402.xlsx</bdi>" in answer.text
    assert re.search(r'<a href="/" id="resend-open-start">', answer.text)
    assert "open office-1402.xlsx on the start page" in said(answer)
    assert 'name="key"' not in answer.text and 'id="resend-all"' not in answer.text
    refused = client.post(
        "/resend/confirm", data={"source": "ledger", "key": [f"{student}/1402"]}, headers=hx(token)
    )
    assert refused.status_code == 200 and 'id="resend-refused"' in refused.text
    assert not TERMINAL.search(said(refused))
    book.unlink()  # gone altogether: the same words
    answer = reconcile_against_ledger(client, token)
    assert "open office-1402.xlsx on the start page" in said(answer)


def test_the_confirmation_counts_what_the_run_counts_in_persian(
    inprocess,  # noqa: F811 -- the fixture
    rejected_1402,
):
    """The confirmation's number is the job's total, planned by the engine's own plan; the
    rows named with the catalogue's list and Persian digits, those not sent said with why."""
    client, token, state = inprocess
    client.post("/lang", data={"lang": "fa"}, headers=hx(token))
    ws, _answer = open_and_reconcile(client, token, SAMPLE)
    chosen = sorted(rejected_1402[:2])
    confirm = client.post("/resend/confirm", data={"ws": ws, "key": chosen}, headers=hx(token))
    assert confirm.status_code == 200
    words = said(confirm)
    go = re.search(r"ارسال ([۰-۹]+) ردیف", words)
    assert go is not None, words
    promised = int(go.group(1).translate(LATIN))
    shown = "، ".join(k.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) for k in chosen)
    assert shown in words and ", " not in words.split("ارسال دوباره", 1)[-1], words
    assert "ردیف نامعتبر فایل ارسال نمی‌شود" in words  # the sample's invalid rows, said
    client.post("/resend", data={"ws": ws, "key": chosen}, headers=hx(token))
    job = state.latest("submit")
    job.thread.join(60)
    snapshot = job.snapshot()
    assert snapshot["total"] == promised, (snapshot, job.result.counts)
    assert snapshot["done"] == promised
    counts = job.result.counts
    assert counts.get("sent", 0) + counts.get("failed", 0) == promised
    # The declarations not sent are those the confirmation named, with why.
    blocked = re.search(r'<ul class="found" id="resend-blocked">(.*?)</ul>', confirm.text, re.S)
    assert blocked is not None and counts.get("not_sent") == blocked.group(1).count("<li>")
    assert "ردیف دستیار آن" in blocked.group(1)


def test_a_workbook_without_the_years_rows_offers_no_resend(
    inprocess,  # noqa: F811 -- the fixture
):
    """No row of the year in the open workbook: no row to tick, hence no resend button; a
    confirmation asked without a row is answered in its own place, never an HTTP error."""
    client, token, _state = inprocess
    run_submit(SubmitOptions([SAMPLE], target="sandbox", report=simad_home() / "s.xlsx"))
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book[DECLARATIONS]
    sheet.delete_rows(2, sheet.max_row)  # the residents only: no declaration of any year
    other = simad_home() / "residents-only.xlsx"
    book.save(other)
    ws, answer = open_and_reconcile(client, token, other)
    assert 'id="reconcile-lines"' in answer.text  # the server's rows are listed
    assert 'name="key"' not in answer.text
    assert 'id="resend-selected"' not in answer.text and 'id="resend-all"' not in answer.text
    confirm = client.post("/resend/confirm", data={"ws": ws}, headers=hx(token))
    assert confirm.status_code == 200 and "HX-Retarget" not in confirm.headers
    assert 'id="resend-refused"' in confirm.text and 'role="alert"' in confirm.text
    started = client.post("/resend", data={"ws": ws}, headers=hx(token))
    assert started.status_code == 200 and 'id="resend-refused"' in started.text
    assert 'id="resend-confirm"' in answer.text  # where the refusal is said: by the buttons
