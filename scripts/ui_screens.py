"""Every page of `simad ui`, in Persian and English, screenshot in headless Chromium at the
office's 1366×768 and at 1024×768 into out/screens/ui-<lang>[-1024]-<page>.png (part of
`make screens`), each page measured by axe-core against WCAG 2.1 A/AA: the number of
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
        page.set_input_files("#files", str(SAMPLE))
        page.wait_for_url("**/check")
        snap("2-check")
        page.click("#only-invalid")
        page.wait_for_timeout(300)
        page.locator("#rows td.error").first.click()
        page.wait_for_selector("#value")
        snap("3-fix")
        page.goto(f"{home}/submit")
        snap("4-confirm")
        page.click("#send")
        page.wait_for_timeout(1200)
        snap("5-progress")
        page.wait_for_selector("#outcome", timeout=120_000)
        snap("6-done", full=True)
        page.goto(f"{home}/runs")
        snap("7-runs")
        review(1402, seed=3, ctx=Context(lang=lang))
        page.goto(f"{home}/results")
        page.fill("#year", "1402")
        page.click("#fetch")
        page.wait_for_selector("#reconcile .headline", timeout=60_000)
        snap("8-reconcile", full=True)
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
