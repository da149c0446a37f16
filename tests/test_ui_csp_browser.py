"""No Content-Security-Policy violation on the check page at 1024×768 while cells are fixed: a
save in the side panel after reaching a red cell by Tab and Enter, Enter after opening a cell,
a finding link then a cell then Escape. An element of the page may carry a style attribute
(set through the CSSOM, which the policy allows: by the browser, an extension, a script): the
swaps must never copy it onto the new content, which the policy forbids."""

from __future__ import annotations

import pytest

from pipeline.web.server import running

from .test_ui_browser_layout import FOCUSED, SMALL, open_sample

LISTEN = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + (e.sample || '')));"""

# Styles through the CSSOM (allowed) on elements the swaps replace by id, as an extension or
# the browser may leave them.
STYLED = """() => ['panel', 'verdict', 'rows', 'counts', 'groups'].forEach((id) => {
  const el = document.getElementById(id);
  if (el) el.style.setProperty('--mark', '1');
})"""


def _violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


@pytest.mark.parametrize("styled", [False, True])
def test_fixing_cells_breaks_no_policy(browser, styled):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport=SMALL)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(LISTEN)
        open_sample(page, address)
        if styled:
            page.evaluate(STYLED)

        # A red cell reached by Tab, opened with Enter, saved with the panel's button.
        page.focus("#lang-switch")
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate(FOCUSED):
                break
        page.keyboard.press("Enter")
        page.wait_for_selector("#value:focus")
        page.click("#save")
        page.wait_for_function("() => document.activeElement.matches('td[data-c]')")
        if styled:
            page.evaluate(STYLED)

        # Enter in the panel right after opening a cell.
        page.locator("#rows td.error").first.click()
        page.wait_for_selector("#value:focus")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.matches('td[data-c]')")
        if styled:
            page.evaluate(STYLED)

        # A finding link, another cell, Escape.
        page.locator("#groups a[data-cell]").first.click()
        page.wait_for_selector("#edit")
        page.locator("#rows tbody td[data-c]").nth(3).click()
        page.wait_for_selector("#value:focus")
        page.keyboard.press("Escape")
        page.wait_for_selector("#edit", state="detached")

        assert _violations(page) == []
        assert [e for e in errors if "Content Security Policy" in e or "inline" in e] == []
        assert errors == []
