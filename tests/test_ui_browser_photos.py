"""Photos in a real browser (headless Chromium): the sample workbook and two photos dropped
together, the check page counting the photos to send, the run to the sandbox sending them."""

from __future__ import annotations

from pathlib import Path

from pipeline.web.server import running

from .browser import choose_sandbox, drop, watch_errors
from .conftest import JPEG

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
GOOD = JPEG + b"\x00" * 200


def test_photos_dropped_with_the_workbook_are_counted_and_sent(browser):
    with running("en") as (address, _state):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors = watch_errors(page)
        page.goto(address)
        choose_sandbox(page)

        files = [
            ("sample.xlsx", SAMPLE.read_bytes()),
            ("10000001.jpg", GOOD),
            ("4777925234.jpg", GOOD),  # the second resident, by national code
        ]
        drop(page, files)
        page.wait_for_url("**/check", timeout=60_000)
        assert page.get_attribute("#photos-send", "data-send") == "2"
        assert "2 photos will be sent" in page.inner_text("#photos-send")
        page.click("#photos-list summary")
        cell = page.locator("#photos-list bdi", has_text="10000001.jpg").first
        assert cell.is_visible()

        page.click("a[href='/submit']")
        page.wait_for_selector("#confirm")
        page.click("#send")
        page.wait_for_selector("#outcome", timeout=60_000)
        assert page.inner_text("dd[data-field=photos]").strip() == "2"
        assert errors == []


def test_a_folder_larger_than_one_request_arrives_whole(browser, tmp_path):
    """A whole office's folder: more bytes than one request may carry (the server's limit
    stays), sent by the page in several requests, every photo counted once it is done."""
    from pipeline.web.security import MAX_BODY

    folder = tmp_path / "office"
    folder.mkdir()
    photo = JPEG + b"\x00" * (110 * 1024)
    names = [f"{10000001 + n}.jpg" for n in range(40)]  # the sample's residents
    names += [f"3{n:07d}.jpg" for n in range(200)]  # nobody's: counted as such
    for name in names:
        (folder / name).write_bytes(photo)
    (folder / ".DS_Store").write_bytes(b"\x00" * 10)  # what a folder carries besides
    (folder / "notes.txt").write_text("list of residents")
    assert len(names) * len(photo) > MAX_BODY

    with running("en") as (address, state):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        uploads: list[str] = []
        page.on("request", lambda r: r.url.endswith("/upload") and uploads.append(r.method))
        page.goto(address)
        drop(page, [("sample.xlsx", SAMPLE.read_bytes())])
        page.wait_for_url("**/check", timeout=60_000)
        page.goto(address.split("/?")[0] + "/")
        page.set_input_files("#folder", str(folder))
        page.wait_for_url("**/check", timeout=60_000)
        assert len(uploads) >= 4  # the sample, then the folder in several requests
        held = sorted(p.name for p in state.photos.glob("*.jpg"))
        assert held == sorted(names)
        summary = page.locator("#photos-summary")
        present = int(summary.get_attribute("data-present") or 0)
        assert present >= 30  # each resident with a valid student number found
        assert page.get_attribute("#photos-send", "data-send") == str(present)
        assert "200 photos match no resident" in page.inner_text("#photos-unmatched")
        assert errors == []


def test_a_refused_drop_says_why_in_the_page(browser):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console", lambda m: m.type == "error" and "400" not in m.text and errors.append(m.text)
        )
        page.goto(address)
        drop(page, [("notes.txt", b"not a workbook")])
        flash = page.wait_for_selector("#flash .error, #flash [role=alert]")
        assert "notes.txt" in flash.inner_text()
        assert "عکس jpg" in flash.inner_text()  # the page's sentence names photos too
        assert "/check" not in page.url
        assert errors == []
