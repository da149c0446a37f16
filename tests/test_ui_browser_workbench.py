"""In a real browser (headless Chromium): a correction made in the page survives a reload and a
closed browser (signed in again through a fresh launch page, as `simad ui` run again opens
one), and dropping another workbook over it asks first."""

from __future__ import annotations

from schemas.identifiers import national_code_check_digit

from .browser import drop
from .test_ui_browser import SAMPLE


def drop_sample(page) -> None:
    drop(page, [("sample.xlsx", SAMPLE.read_bytes())])


def test_a_fix_survives_a_reload_and_a_closed_browser_and_a_drop_asks_first(browser):
    from pipeline.web.server import build, free_port, one_time_address, serving

    port = free_port("127.0.0.1")
    app, keys, state = build("127.0.0.1", port, "en")
    base = f"http://127.0.0.1:{port}"
    fixed = "123456780" + national_code_check_digit("123456780")
    with serving(app, "127.0.0.1", port):
        first = browser.new_context(viewport={"width": 1366, "height": 768})
        page = first.new_page()
        page.goto(one_time_address("127.0.0.1", port, keys))
        drop_sample(page)
        page.wait_for_url("**/check", timeout=60_000)
        page.click("#only-invalid")
        page.wait_for_selector("#rows tbody tr >> nth=0")
        page.locator("#rows td.error", has_text="0012345678").click()
        page.wait_for_selector("#value")
        page.fill("#value", fixed)
        page.click("#save")
        page.wait_for_selector("#cell-clean")
        assert "1 correction" in page.inner_text("#work .meta")

        page.reload()  # the fix is still there
        assert "1 correction" in page.inner_text("#work .meta")
        assert page.locator("#undo").is_visible()
        first.close()  # the browser closed: its session cookie is gone

        _token, launch_page = keys.mint()  # what `simad ui` run again opens
        assert launch_page is not None
        again = browser.new_context(viewport={"width": 1366, "height": 768})
        page = again.new_page()
        page.goto(launch_page.as_uri())
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/check")
        assert "1 correction" in page.inner_text("#work .meta")
        assert state.workspace is not None
        assert fixed in [c for r in state.workspace.run.results[0].sheet.rows for c in r]

        page.goto(f"{base}/")
        drop_sample(page)  # another workbook over the unsaved fix: asked first
        page.wait_for_url("**/unsaved")
        question = page.inner_text("#unsaved-count")
        assert "1 correction made in this page is in no downloaded file" in question
        assert page.locator("#unsaved-download-0").is_visible()
        page.click("#answer-cancel")
        page.wait_for_url("**/check", timeout=60_000)
        assert "1 correction" in page.inner_text("#work .meta")

        page.goto(f"{base}/")
        drop_sample(page)  # asked again; this time the download is taken
        page.wait_for_url("**/unsaved")
        assert page.get_attribute("#unsaved-count", "data-count") == "1"
        assert page.inner_text("#answer-go").strip() == "Replace anyway"
        with page.expect_download():
            page.click("#unsaved-download-0")
        page.wait_for_selector("#unsaved-count[data-count='0']")  # the page says so at once
        assert "nothing will be lost" in page.inner_text("#unsaved")
        assert page.inner_text("#answer-go").strip() == "Open sample.xlsx"
        page.click("#answer-go")  # the form still answers after being drawn again
        page.wait_for_url("**/check", timeout=60_000)
        assert "1 correction" not in page.inner_text("#work .meta")
        again.close()
    state.close()
