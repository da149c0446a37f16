"""Accessibility measured: axe-core (tests/vendor/axe-core, from the npm registry) run in
headless Chromium on every page of the term, in Persian and in English, against the WCAG 2.1
A and AA rules — no violation on any of them, and none wider than the 1024 px screen."""

from __future__ import annotations

import pytest

from pipeline.commands.sandbox import review
from pipeline.core.context import Context
from pipeline.web.server import running

from .browser import AXE, axe_violations, describe
from .test_ui_browser_layout import SMALL, WIDE, open_sample


def test_axe_is_vendored_with_its_licence():
    assert AXE.is_file() and AXE.stat().st_size > 100_000
    assert (AXE.parent / "LICENSE").is_file()
    assert "axe-core" in (AXE.parents[1] / "README.md").read_text(encoding="utf-8")


def test_axe_finds_a_violation_when_there_is_one(browser):
    """The measure can fail: a button with no name and grey on grey are found."""
    page = browser.new_page()
    page.set_content(
        "<html lang='en'><head><title>x</title></head><body><main>"
        "<button></button><p style='color:#aaa;background:#bbb'>faint</p></main></body></html>"
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"button-name", "color-contrast"} <= found


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_page_has_no_wcag_violation(browser, lang):
    found: dict[str, str] = {}

    def measure(name: str) -> None:
        violations = axe_violations(page)
        if violations:
            found[name] = describe(violations)
        width, inner = page.evaluate(WIDE)
        if width > inner:
            found[name + " at 1024 px"] = f"the page is {width} px wide"

    with running(lang) as (address, _state):
        page = browser.new_page(viewport=SMALL)
        page.goto(address)
        measure("start")
        home = open_sample(page, address, signed_in=True)
        measure("check with findings")
        page.locator("#rows td.error").first.click()
        page.wait_for_selector("#edit")
        measure("check, panel open")
        page.goto(f"{home}/submit")
        measure("submit, confirmation")
        page.check("#slow")  # the slow sandbox: the job is still running when measured
        page.click("#send")
        page.wait_for_selector("[data-events]")
        measure("submit, job running")
        page.click("#stop")
        page.wait_for_selector("#outcome", timeout=60_000)
        measure("submit, job stopped by the clerk")
        page.goto(f"{home}/runs")
        measure("runs")
        review(1402, seed=3, ctx=Context(lang=lang))
        page.goto(f"{home}/results")
        page.fill("#year", "1402")
        page.click("#fetch")
        page.wait_for_selector("#reconcile .headline", timeout=30_000)
        measure("results with a reconciliation")
        page.goto(f"{home}/maxa")
        page.click("#versions")
        page.fill("#lookup-code", "x")
        page.click("#lookup")
        page.wait_for_selector("#answer")
        measure("maxa with an answer")
        page.goto(f"{home}/nowhere")
        measure("a page not found")
    assert found == {}, "\n".join(f"{name}:\n{text}" for name, text in found.items())
