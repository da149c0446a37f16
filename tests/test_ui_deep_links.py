"""Links from another page into the check page (the reconciliation's «fix the resident's row
(sheet دستیاران, cell O9)» and «open the row in the check page») land on their cell as a finding
link does: at 1024×768 the cell is in the table's box and the viewport (not under the sticky
header), it has the focus, and the side panel shows it."""

from __future__ import annotations

import pytest

from pipeline.web.routes.results import Place
from pipeline.web.server import running

from .test_ui_browser_layout import OFFICE, SMALL, open_sample

LANDED = """() => {
  const a = document.activeElement;
  if (!a || !a.matches('td[data-c]')) return null;
  const r = a.getBoundingClientRect();
  const box = a.closest('.scroll').getBoundingClientRect();
  const head = a.closest('table').tHead.getBoundingClientRect();
  return {
    row: a.parentElement.dataset.rowno, col: a.dataset.c, chosen: a.classList.contains('chosen'),
    inView: r.left >= Math.max(0, box.left) - 1 && r.right <= Math.min(innerWidth, box.right) + 1
      && r.top >= Math.max(0, head.bottom) - 1 && r.bottom <= Math.min(innerHeight, box.bottom) + 1,
  };
}"""


def test_place_links_name_their_cell():
    """The resident's link names the cell to fix; the row's link names the row."""
    assert Place(0, 9, 1, "", "O9").href == "/check?sheet=0&page=1&cell=O9#row-0-9"
    assert Place(1, 4, 1, "").href == "/check?sheet=1&page=1#row-1-4"


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_link_from_the_reconciliation_lands_on_its_cell(browser, lang):
    with running(lang) as (address, _state):
        page = browser.new_page(viewport=SMALL)
        home = open_sample(page, address)

        # «fix the resident's row (sheet دستیاران, cell O9)»: far along the row at 1024 px.
        page.goto(home + Place(0, 9, 1, "", "O9").href)
        page.wait_for_selector("#edit input[name=col][value='14']", state="attached")
        page.wait_for_function("() => document.activeElement.matches('td[data-c]')")
        landed = page.evaluate(LANDED)
        assert landed == {"row": "9", "col": "14", "chosen": True, "inView": True}, landed
        assert page.locator("#edit input[name=sheet]").get_attribute("value") == "0"

        # «open the row in the check page»: the row's first cell, not under the sticky header.
        sheets = page.locator("#counts tbody tr").count()
        sheet = 1 if sheets > 1 else 0
        page.goto(home + Place(sheet, 4, 1, "").href)
        page.wait_for_selector(f"#edit input[name=sheet][value='{sheet}']", state="attached")
        page.wait_for_function("() => document.activeElement.matches('td.chosen')")
        landed = page.evaluate(LANDED)
        assert landed is not None and landed["row"] == "4" and landed["inView"], landed


SEEN_AT_CENTRE = """() => {
  const a = document.activeElement;
  if (!a || !a.matches('td[data-c]')) return null;
  const r = a.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {row: a.parentElement.dataset.rowno, hit: hit === a || a.contains(hit)};
}"""


@pytest.mark.parametrize("viewport", [SMALL, OFFICE], ids=["1024", "1366"])
def test_an_early_or_later_row_lands_below_the_sticky_header_and_on_reload(browser, viewport):
    with running("fa") as (address, _state):
        page = browser.new_page(viewport=viewport)
        home = open_sample(page, address)
        sheets = page.locator("#counts tbody tr").count()
        sheet = 1 if sheets > 1 else 0
        for row in ("6", "2", "30"):  # early rows under the header before, a later row
            page.goto(f"{home}/check?sheet={sheet}&page=1#row-{sheet}-{row}")
            page.wait_for_selector(f"#edit input[name=sheet][value='{sheet}']", state="attached")
            page.wait_for_function("() => document.activeElement.matches('td.chosen')")
            seen = page.evaluate(SEEN_AT_CENTRE)
            assert seen == {"row": row, "hit": True}, (row, seen)
        # The same address loaded again (a reload): the row's cell has the focus again.
        page.reload()
        page.wait_for_selector("#rows[data-ready]")
        page.wait_for_function("() => document.activeElement.matches('td.chosen')")
        seen = page.evaluate(SEEN_AT_CENTRE)
        assert seen == {"row": "30", "hit": True}, seen
