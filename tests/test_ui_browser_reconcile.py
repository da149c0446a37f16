"""In a real browser (headless Chromium): reconciling a year with a workbook of another year
open says so and offers the ledger; then rows the ministry rejected are sent again from the
results page, the confirmation saying how many, the run sending exactly them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.sandbox import review
from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core.config import simad_home
from pipeline.core.status import Reconciliation
from pipeline.web.server import running

from .browser import choose_sandbox, drop, watch_errors
from .test_ui_reconcile import of_year

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"


@pytest.fixture
def rejected_1402() -> None:
    """The office sent the sample; the ministry then rejected three of its 1402
    declarations (before the browser's event loop starts: the commands run their own)."""
    run_submit(SubmitOptions([SAMPLE], target="sandbox", report=simad_home() / "s.xlsx"))
    done = run_reconcile(1402, [SAMPLE], target="sandbox", report_path=simad_home() / "r.xlsx")
    chosen = [ln.key[0] for ln in done.lines if ln.category == Reconciliation.MATCHED][:3]
    assert len(chosen) == 3
    for student in chosen:
        review(1402, student_number=student, status="2", reason="مدارک ناقص است")


def drop_book(page, path: Path) -> None:
    page.goto(re.sub(r"^(https?://[^/]+)/.*$", r"\1/", page.url))
    drop(page, [(path.name, path.read_bytes())])
    page.wait_for_url("**/check", timeout=60_000)


def reconcile(page, year: int) -> None:
    page.click("a[href='/results']")
    page.fill("#year", str(year))
    page.click("#fetch")
    page.wait_for_selector("#reconcile-source", timeout=30_000)


def test_another_years_workbook_then_a_resend_of_rejected_rows(rejected_1402, browser, tmp_path):
    with running("en") as (address, state):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        page.goto(address)
        choose_sandbox(page)

        # A 1404 workbook open, year 1405 reconciled: said plainly, the ledger offered.
        drop_book(page, of_year(tmp_path, 1404))
        reconcile(page, 1405)
        text = page.inner_text("#reconcile")
        assert "holds no declaration of year 1405 (it holds 1404)" in text
        assert "workbook office-1404.xlsx" in page.inner_text("#reconcile-source")
        page.click("#reconcile-ledger button")
        page.locator("#reconcile-source", has_text="the ledger").wait_for(timeout=30_000)
        assert "1405" in page.inner_text("#reconcile-source")

        # The sample open, 1402 reconciled: the three rejected rows can be sent again.
        drop_book(page, SAMPLE)
        reconcile(page, 1402)
        button = page.locator("#resend-all")
        assert any(n in button.inner_text() for n in (" 3 ", " ۳ "))  # the resendable
        button.click()
        page.wait_for_selector("#resend-plan")
        # Cancel by keyboard: the confirmation has the focus, Tab reaches Cancel, Enter
        # closes it with nothing sent, and the focus is back on the button that asked.
        focused = "document.activeElement && document.activeElement.id"
        assert page.evaluate(focused) == "resend-plan"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "resend-cancel"
        page.keyboard.press("Enter")
        page.wait_for_selector("#resend-plan", state="detached")
        assert page.evaluate(focused) == "resend-all"
        assert state.latest("submit") is None  # nothing sent
        page.keyboard.press("Enter")  # asked again, from the keyboard
        page.wait_for_selector("#resend-plan")
        count = page.inner_text("#resend-count")
        assert count.startswith("3 selected rows will be sent again")
        go = page.locator("#resend-go")
        total = int(re.search(r"Send (\d+) rows", go.inner_text()).group(1))
        go.click()
        page.wait_for_url("**/submit")
        job = state.latest("submit")
        assert job is not None and job.thread is not None
        job.thread.join(60)
        counts = job.result.counts
        assert counts.get("sent") == 3  # the rejected rows, sent again though unchanged
        assert counts.get("sent", 0) + counts.get("failed", 0) == total  # as confirmed
        # The page reloads when the run is done, and shows its outcome with the bar full.
        page.wait_for_selector("#outcome", timeout=60_000)
        assert page.get_attribute("#bar", "value") == page.get_attribute("#bar", "max")
        assert errors == []
