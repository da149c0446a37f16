"""Sheet names made from what a user's file is called: whatever the name, Excel's rules hold
(xlsxwriter refuses the workbook otherwise) and two sheets never share a name."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sheets.report import sheet_name


@settings(max_examples=200, deadline=None)
@given(titles=st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_any_title_makes_a_legal_unique_sheet_name(tmp_path_factory, titles):
    taken: set[str] = set()
    names = [sheet_name(title, taken) for title in titles]
    assert len({n.lower() for n in names}) == len(names)
    path = Path(tmp_path_factory.mktemp("names")) / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name in names:
        assert not any(ord(c) < 0x20 for c in name)
        book.add_worksheet(name)  # raises InvalidWorksheetName on a name Excel refuses
    book.close()


def test_a_name_of_astral_characters_is_cut_as_excel_counts():
    name = sheet_name("𐀀" * 40, set())
    assert len(name.encode("utf-16-le")) // 2 <= 31
