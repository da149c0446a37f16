"""Photos in a real browser (headless Chromium): the sample workbook and two photos dropped
together, the check page counting the photos to send, the run to the sandbox sending them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from pipeline.web.server import running

from .browser import chromium_path, launch
from .conftest import JPEG

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
GOOD = JPEG + b"\x00" * 200

pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="no Chromium on this machine (apt-get install chromium chromium-driver)",
)
sync_api = pytest.importorskip("playwright.sync_api")

DROP_MANY = """(files) => {
  const transfer = new DataTransfer();
  for (const [name, b64] of files) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    transfer.items.add(new File([bytes], name));
  }
  return transfer;
}"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


def test_photos_dropped_with_the_workbook_are_counted_and_sent(browser):
    with running("en") as (address, _state):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(address)
        page.check("input[value=sandbox]")
        page.click("form[hx-post='/target'] button")
        page.wait_for_selector("#sandbox-banner")

        files = [
            ["sample.xlsx", b64(SAMPLE.read_bytes())],
            ["10000001.jpg", b64(GOOD)],
            ["4777925234.jpg", b64(GOOD)],  # the second resident, by national code
        ]
        transfer = page.evaluate_handle(DROP_MANY, files)
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
        page.wait_for_url("**/check")
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
