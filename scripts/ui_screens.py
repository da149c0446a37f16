"""Every page of `simad ui`, in Persian and English, screenshot in headless Chromium at the
office's 1366×768 and at 1024×768 into out/screens/ui-<lang>[-1024]-<page>.png (part of
`make screens`) — the photos card, the unsaved-corrections question, a slow-sandbox run in
progress and stopped, the Runs page, the results' next steps and the resend confirmation
among them — each page measured by axe-core against WCAG 2.1 A/AA: the number of
violations is printed per page and in total."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import axe_violations, chromium_path, launch  # noqa: E402

SAMPLE = ROOT / "input_templates" / "sample.xlsx"
DRUGS = ROOT / "input_templates" / "drug-list-sample.xlsx"
VIEWS = ({"width": 1366, "height": 768}, {"width": 1024, "height": 768})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
BOOK = {"name": SAMPLE.name, "mimeType": "application/octet-stream", "buffer": SAMPLE.read_bytes()}
# Two photos named by the sample's student numbers, the second not a JPEG by content.
PHOTOS = (
    {
        "name": "10000001.jpg",
        "mimeType": "image/jpeg",
        "buffer": JPEG + b"\x00" * 200 + b"\xff\xd9",
    },
    {"name": "10000002.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"},
)


def shoot(out: Path, lang: str, view: dict[str, int]) -> list[tuple[Path, list[dict]]]:
    from playwright.sync_api import sync_playwright

    from pipeline.commands.sandbox import review
    from pipeline.core.context import Context
    from pipeline.web.server import running

    shots: list[tuple[Path, list[dict]]] = []
    with running(lang) as (address, _state), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport=view)
        size = "" if view["width"] == 1366 else f"-{view['width']}"
        home = address.split("/?")[0]

        def snap(name: str, full: bool = False) -> None:
            path = out / f"ui-{lang}{size}-{name}.png"
            page.wait_for_timeout(150)
            page.screenshot(path=str(path), full_page=full)
            shots.append((path, axe_violations(page)))

        page.goto(address)
        snap("1-start")
        page.check("input[value=sandbox]")
        page.click("form[hx-post='/target'] button")
        page.wait_for_selector("#sandbox-banner")
        page.set_input_files("#files", [BOOK, *PHOTOS])  # the workbook and two photos
        page.wait_for_url("**/check")
        snap("2-check")
        page.locator("#photos").scroll_into_view_if_needed()
        snap("2b-photos")
        page.evaluate("window.scrollTo(0, 0)")
        page.click("#only-invalid")
        page.wait_for_timeout(300)
        page.locator("#rows td.error").first.click()
        page.wait_for_selector("#value")
        snap("3-fix")
        page.fill("#value", "x")  # a correction, not downloaded: closing asks first
        page.locator("#value").press("Enter")
        page.wait_for_timeout(500)
        page.goto(f"{home}/unsaved?close=1")
        snap("3b-unsaved")
        page.goto(f"{home}/submit")
        snap("4-confirm")
        page.check("#slow")  # a rehearsal of Stop on a slow sandbox
        page.click("#send")
        page.wait_for_selector("#stop")
        for _ in range(200):  # until the slow run has sent a row or two
            if page.locator("#bar").evaluate("bar => bar.value") > 1:
                break
            page.wait_for_timeout(300)
        snap("5-slow-progress")
        page.click("#stop")
        page.wait_for_selector("#outcome", timeout=120_000)
        page.goto(f"{home}/submit")
        page.click("#send")
        page.wait_for_timeout(1200)
        snap("5b-progress")
        page.wait_for_selector("#outcome", timeout=120_000)
        snap("6-done", full=True)
        page.goto(f"{home}/runs")
        snap("7-runs", full=True)
        review(1402, seed=3, ctx=Context(lang=lang))
        page.goto(f"{home}/results")
        page.fill("#year", "1402")
        page.click("#fetch")
        page.wait_for_selector("#reconcile .headline", timeout=60_000)
        snap("8-reconcile", full=True)
        page.locator("#reconcile-lines").scroll_into_view_if_needed()
        snap("8b-next-steps")
        if page.locator("#resend-all").count():
            page.click("#resend-all")
        else:
            page.locator("#reconcile-lines input[name=key]").first.check()
            page.click("#resend-selected")
        page.wait_for_selector("#resend-plan")
        snap("8c-resend")
        page.click("#resend-cancel")  # back to the results, nothing sent
        page.wait_for_selector("#resend-plan", state="detached")
        page.goto(f"{home}/maxa")
        page.click("#versions")
        page.fill("#lookup-code", "x")
        page.click("#lookup")
        page.wait_for_selector("#answer")
        snap("9-maxa")
        page.set_input_files("#check-files", str(DRUGS))
        page.click("#check")
        page.wait_for_selector("#check-answer .headline", timeout=60_000)
        snap("9-maxa-check", full=True)
        page.goto(f"{home}/connection")
        page.click("#run-checks")
        page.wait_for_selector("#connection-result", timeout=60_000)
        snap("9b-connection", full=True)
        refused = browser.new_page(viewport=view)
        refused.goto(home + "/")
        path = out / f"ui-{lang}{size}-10-refused.png"
        refused.screenshot(path=str(path))
        shots.append((path, axe_violations(refused)))
        browser.close()
    return shots


def main(out: Path) -> None:
    if chromium_path() is None:
        print("no Chromium: apt-get install -y chromium chromium-driver (web pages skipped)")
        return
    out.mkdir(parents=True, exist_ok=True)
    os.environ["SIMAD_SANDBOX_LATENCY_MS"] = "150"  # so that the progress can be seen
    total = 0
    for view in VIEWS:
        for lang in ("fa", "en"):
            with tempfile.TemporaryDirectory(prefix="simad-ui-screens-") as home:
                os.environ["SIMAD_HOME"] = home
                for path, violations in shoot(out, lang, view):
                    total += len(violations)
                    rules = " ".join(sorted(v["id"] for v in violations))
                    print(f"{shown(path)}  axe: {len(violations)} {rules}".rstrip())
    print(f"axe-core WCAG 2.1 A/AA violations in total: {total}")


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "out" / "screens")
