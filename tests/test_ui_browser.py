"""The office's whole term in a real browser (headless Chromium): drop the sample, see its
invalid rows, fix one and see the count fall, submit to the sandbox and watch the progress
reach the end, download the report, reconcile — in Persian, then in English."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from pipeline.core.i18n import language, word
from pipeline.web.server import running
from schemas.identifiers import national_code_check_digit

from .browser import choose_sandbox, drop, watch_errors
from .reports import column_keys

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"


def invalid_rows(page) -> int:
    return sum(
        int(v)
        for v in page.eval_on_selector_all(
            "#counts [data-invalid]", "cells => cells.map(c => c.dataset.invalid)"
        )
    )


def saved(download, folder: Path) -> Path:
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_validate_fix_submit_reconcile_in_persian_then_english(browser, tmp_path):
    with running("fa") as (address, state):
        page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        errors = watch_errors(page)
        page.goto(address)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "کارپوشه‌ها" in page.inner_text("h1")

        # The target is chosen explicitly; then the sandbox banner is on every page.
        choose_sandbox(page)

        # Drop the sample on the drop zone.
        drop(page, [("sample.xlsx", SAMPLE.read_bytes())])
        page.wait_for_url("**/check", timeout=60_000)
        before = invalid_rows(page)
        assert before == 7
        assert page.locator("#groups li").count() >= 5

        # Only the invalid rows; click the red national code and type a valid one.
        page.click("#only-invalid")
        page.wait_for_selector("#only-invalid[aria-current]")  # the filtered sheet is in
        page.wait_for_selector("#rows[data-ready] td.error")
        assert page.locator("#rows tbody tr").count() == 4
        bad = page.locator("#rows td.error", has_text="0012345678")
        bad.click()
        page.wait_for_selector("#value")
        fixed = "123456780" + national_code_check_digit("123456780")
        page.fill("#value", fixed)
        page.click("#save")
        page.wait_for_selector("#cell-clean")
        assert invalid_rows(page) == before - 1
        assert page.locator("#undo").is_visible()

        # The corrected workbook: the user's file with the one value changed.
        with page.expect_download() as got:
            page.click("a[href^='/download/corrected?file=0']")
        corrected = openpyxl.load_workbook(saved(got.value, tmp_path))
        residents = corrected.worksheets[0]
        assert fixed in [c.value for row in residents.iter_rows() for c in row]

        # Submit to the sandbox; the confirmation names the target and the counts.
        page.click("a[href='/submit']")
        page.wait_for_selector("#confirm")
        assert "سندباکس" in page.inner_text("#confirm")
        page.click("#send")
        page.wait_for_selector("#outcome", timeout=60_000)  # the page reloads when done
        assert page.get_attribute("#bar", "value") == page.get_attribute("#bar", "max")
        with page.expect_download() as got:
            page.click("#submit-report")
        report = openpyxl.load_workbook(saved(got.value, tmp_path))
        sheet = report.worksheets[1]
        keys = column_keys(sheet)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        national = [r for r in rows if fixed in r]
        with language("fa"):
            assert national and national[0][keys.index("status")] == word("sent")
        job = state.latest("submit")
        assert job is not None and job.result.counts["invalid"] == before - 1  # what the page said
        # The rows sent (the progress's total, as the confirmation said): not the invalid rows,
        # nor the declarations held back because their resident's row is invalid.
        held = ("invalid", "not_sent")
        decided = sum(n for status, n in job.result.counts.items() if status not in held)
        assert job.done == job.total == decided and job.result.counts["sent"] > 60

        # Runs history lists the run with its report.
        page.click("a[href='/runs']")
        assert page.locator("#runs tbody tr").count() == 1

        # Results and reconciliation of the sample's year.
        page.click("a[href='/results']")
        page.fill("#year", "1402")
        page.click("#fetch")
        page.wait_for_selector("#reconcile .headline", timeout=30_000)

        # The same app in English.
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en]")
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.click("a[href='/check']")
        assert "rows are invalid" in page.inner_text("#verdict")
        page.click("a[href='/maxa']")
        page.fill("#lookup-code", "nothing-like-this")
        page.click("#lookup")
        page.wait_for_selector("#answer")
        assert "not found" in page.inner_text("#answer")
        assert errors == []


def test_the_launch_file_signs_the_browser_in_once(browser, tmp_path):
    """The page `simad ui` opens the browser on (no token on any command line) signs a real
    browser in and lands on the start page; opened again, it is refused."""
    from pipeline.web.server import build, free_port, serving, write_launch_file

    port = free_port("127.0.0.1")
    app, keys, state = build("127.0.0.1", port, "en")
    with serving(app, "127.0.0.1", port):
        launch = write_launch_file(state.folder, f"http://127.0.0.1:{port}", keys)
        copy = tmp_path / "again.html"
        copy.write_text(launch.read_text())
        page = browser.new_page()
        page.goto(launch.as_uri())
        page.wait_for_url(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("h1")
        assert "Workbooks" in page.inner_text("main")  # the start page, signed in
        assert page.goto(f"http://127.0.0.1:{port}/check").status == 200
        assert not launch.exists()  # used: deleted
        other = browser.new_context().new_page()  # someone who copied it before
        other.goto(copy.as_uri())
        other.wait_for_load_state()
        assert "used already" in other.inner_text("body")
