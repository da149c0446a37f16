"""Values as offices really type them, one file per family under tests/data/fidelity/: the
messy but right ones must produce no finding, the plausible but wrong ones exactly the
finding stated with the case (see tests/data/generate.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.validation import validate_paths

from .data.generate import DATE_CELLS, DATE_NUMBERS, FIDELITY_CASES, KNOWN_STUDENTS, person

HERE = Path(__file__).parent / "data" / "fidelity"


def findings(path: Path) -> list[list]:
    run = validate_paths([path], known_students=KNOWN_STUDENTS | {person(1)["StudentNumber"]})
    return sorted(f.as_list() for r in run.results for f in r.findings)


@pytest.mark.parametrize("case", sorted(FIDELITY_CASES))
def test_family(case):
    _kind, _rows, expected = FIDELITY_CASES[case]
    assert findings(HERE / f"{case}.csv") == sorted(expected)


def test_date_cells_of_a_solar_year_are_read_as_solar_with_a_warning():
    assert findings(HERE / "date_cells.ods") == sorted(DATE_CELLS[1])
    run = validate_paths([HERE / "date_cells.ods"])
    frame = run.results[0].frame
    assert str(frame.at[0, "StartResidencyDate"].date()) == "2022-09-23"  # 1401/07/01
    assert str(frame.at[1, "StartResidencyDate"].date()) == "2022-09-23"  # 14010701
    assert run.results[0].statuses()[:2] == ["valid", "valid"]  # a warning, still sent


def test_dates_typed_as_numbers():
    assert findings(HERE / "date_numbers.xlsx") == sorted(DATE_NUMBERS[1])
    frame = validate_paths([HERE / "date_numbers.xlsx"]).results[0].frame
    assert {str(d.date()) for d in frame["StartResidencyDate"][:3]} == {"2022-09-23"}


def test_messy_values_normalise_to_what_the_ministry_expects():
    run = validate_paths([HERE / "invisible.csv"])
    frame = run.results[0].frame
    assert list(frame["Mobile"][2:10]) == ["09121234567"] * 8
    assert frame.at[0, "NationalCode"] == person(1)["NationalCode"]
    assert frame.at[3, "StudentNumber"] == person(4)["StudentNumber"]
    assert frame.at[10, "FirstName"] == "محمد\u200cحسین"  # the half-space is part of a name
    words = validate_paths([HERE / "words.csv"]).results[0].frame
    assert list(words["GenderId"][:7]) == [1, 2, 1, 2, 1, 2, 1]
    assert list(words["DurationId"][7:10]) == [2, 2, 2]
    assert list(words["IsIrani"][10:14]) == [True, True, False, False]


def test_an_unknown_word_names_the_allowed_codes():
    fa = validate_paths([HERE / "words.csv"], lang="fa").results[0].findings
    en = validate_paths([HERE / "words.csv"], lang="en").results[0].findings
    gender_fa = next(f for f in fa if f.field == "GenderId")
    gender_en = next(f for f in en if f.field == "GenderId")
    assert "نامشخص" in gender_fa.message and "زن" in gender_fa.message
    assert "1 (Female)" in gender_en.message and "2 (Male)" in gender_en.message
