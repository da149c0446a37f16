"""The pages at the office's screens, measured from the DOM in headless Chromium: no page scrolls
sideways at 1024×768, the check page's side panel stands beside the table, a finding link
brings its cell into view, 15 rows and more are seen at 1366×768; and a cell is fixed by
keyboard alone (Tab and the arrow keys to a red cell, Enter, type, Enter, Escape)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.web.server import running
from schemas.identifiers import national_code_check_digit

from .browser import choose_sandbox, drop

SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
SMALL = {"width": 1024, "height": 768}
OFFICE = {"width": 1366, "height": 768}
PAGES = ("/", "/check", "/submit", "/runs", "/results", "/maxa")

WIDE = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
SEEN = """(el) => {
  const r = el.getBoundingClientRect();
  const box = el.closest('.scroll').getBoundingClientRect();
  return r.left >= Math.max(0, box.left) - 1 && r.right <= Math.min(innerWidth, box.right) + 1
    && r.top >= 0 && r.bottom <= innerHeight;
}"""
FOCUSED = """() => {
  const a = document.activeElement;
  return a && a.matches('td[data-c]') ? [a.parentElement.dataset.row, a.dataset.c] : null;
}"""


def open_sample(page, address: str, *, signed_in: bool = False) -> str:
    """Signed in (by the one-time ``address`` unless ``signed_in``), the sandbox chosen, the
    sample dropped: on the check page. The app's home."""
    page.goto(address.split("/?")[0] + "/" if signed_in else address)
    choose_sandbox(page)
    drop(page, [("sample.xlsx", SAMPLE.read_bytes())])
    page.wait_for_url("**/check", timeout=60_000)
    page.wait_for_selector("#rows td.error")
    return address.split("/?")[0]


def farthest_finding(page):
    """The finding link whose example cell lies farthest from the row's start (column I, K…)."""
    links = page.locator("#groups a[data-cell]")
    cells = links.evaluate_all("links => links.map(a => a.dataset.cell)")
    far = max(range(len(cells)), key=lambda i: (len(cells[i].rstrip("0123456789")), cells[i]))
    return links.nth(far)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_no_page_scrolls_sideways_at_1024_and_the_panel_stands_beside_the_table(browser, lang):
    with running(lang) as (address, _state):
        page = browser.new_page(viewport=SMALL)
        home = open_sample(page, address)

        # A finding link far along the row: its cell is brought into the viewport and opened.
        farthest_finding(page).click()
        page.wait_for_selector("#edit")
        cell = page.locator("#rows td.chosen")
        assert cell.evaluate(SEEN), cell.evaluate("c => c.getBoundingClientRect().toJSON()")
        width, inner = page.evaluate(WIDE)
        assert width <= inner

        # The side panel: beside (or over) the table, inside the viewport, never wide.
        panel = page.locator("#panel").bounding_box()
        table = page.locator(".sheet").bounding_box()
        assert panel is not None and table is not None
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= inner
        assert panel["width"] <= 400
        assert panel["y"] < table["y"] + table["height"]  # not below the table
        save = page.locator("#save")
        assert save.is_visible()
        assert save.evaluate("b => b.scrollWidth <= b.clientWidth")  # the label not cut

        for path in PAGES:
            page.goto(home + path)
            page.wait_for_load_state()
            width, inner = page.evaluate(WIDE)
            assert width <= inner, (path, width, inner)


def test_fifteen_rows_are_seen_at_1366(browser):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport=OFFICE)
        open_sample(page, address)
        seen = page.eval_on_selector_all(
            "#rows tbody tr",
            "rows => rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length",
        )
        assert seen >= 15
        width, inner = page.evaluate(WIDE)
        assert width <= inner


def test_a_cell_fixed_by_keyboard_alone(browser):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport=SMALL)
        open_sample(page, address)
        page.click("#only-invalid")
        page.wait_for_selector("#only-invalid[aria-current]")  # the filtered sheet is in
        page.wait_for_selector("#rows[data-ready] td.error")

        # Tab from the top of the page reaches the grid on its first red cell.
        page.focus("#lang-switch")
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate(FOCUSED):
                break
        assert page.evaluate("() => document.activeElement.classList.contains('error')")

        # Every red cell is reached with the arrow keys and opened with Enter.
        red = page.eval_on_selector_all(
            "#rows td.error[data-c]",
            "cs => cs.map(c => [c.parentElement.dataset.row, c.dataset.c])",
        )
        assert len(red) >= 4
        rows = page.eval_on_selector_all("#rows tbody tr", "rs => rs.map(r => r.dataset.row)")
        for row, col in red:
            walk(page, rows, row, col)
            assert page.evaluate(FOCUSED) == [row, col]
        row, col = red[-1]
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#edit input[name=row][value='{row}']", state="attached")
        # The field takes the focus once htmx has settled the panel (app.js, open()).
        page.wait_for_function("() => document.activeElement.id === 'value'", timeout=5000)
        page.keyboard.press("Escape")
        page.wait_for_selector("#edit", state="detached")
        assert page.evaluate(FOCUSED) == [row, col]

        # All rows (the link taken by keyboard: the focus stays on the grid); the red national
        # code: Enter, type, Enter; the focus comes back to the cell.
        page.focus(".tools a:not(#only-invalid)")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelectorAll('#rows tbody tr').length > 20")
        page.wait_for_function("() => document.activeElement.matches('td[data-c]')")
        rows = page.eval_on_selector_all("#rows tbody tr", "rs => rs.map(r => r.dataset.row)")
        bad = page.locator("#rows td.error", has_text="0012345678")
        place = bad.evaluate("c => [c.parentElement.dataset.row, c.dataset.c]")
        walk(page, rows, *place)
        page.keyboard.press("Enter")
        page.wait_for_selector("#value:focus")
        page.keyboard.press("Control+a")
        page.keyboard.type("123456780" + national_code_check_digit("123456780"))
        page.keyboard.press("Enter")
        page.wait_for_selector("#cell-clean")
        page.wait_for_function("() => document.activeElement.matches('td[data-c]')")
        assert page.evaluate(FOCUSED) == place

        # Enter on a finding link: the focus goes to its cell, which opens.
        page.focus("#groups a[data-cell]")
        page.keyboard.press("Enter")
        page.wait_for_selector("#edit")
        page.wait_for_function("() => document.activeElement.matches('td.chosen')")


def walk(page, rows: list[str], row: str, col: str) -> None:
    """From the focused cell to (row, col) by the arrow keys (left and right as seen)."""
    here = page.evaluate(FOCUSED)
    assert here is not None
    down = rows.index(row) - rows.index(here[0])
    for _ in range(abs(down)):
        page.keyboard.press("ArrowDown" if down > 0 else "ArrowUp")
    rtl = page.evaluate("() => document.documentElement.dir") == "rtl"
    along = int(col) - int(here[1])
    forward, back = ("ArrowLeft", "ArrowRight") if rtl else ("ArrowRight", "ArrowLeft")
    for _ in range(abs(along)):
        page.keyboard.press(forward if along > 0 else back)
