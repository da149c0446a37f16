"""Values as offices really type them, one file per family under tests/data/fidelity/: the
messy but right ones must produce no finding, the plausible but wrong ones exactly the
finding stated with the case (see tests/data/generate.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.i18n import language
from pipeline.sheets.validation import validate_paths

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
    assert str(frame.at[3, "StartResidencyDate"].date()) == "2022-09-23"  # 1401/07/01 18:30
    assert run.results[0].statuses() == ["valid", "valid", "invalid", "valid"]


def test_dates_typed_as_numbers():
    assert findings(HERE / "date_numbers.xlsx") == sorted(DATE_NUMBERS[1])
    frame = validate_paths([HERE / "date_numbers.xlsx"]).results[0].frame
    assert {str(d.date()) for d in frame["StartResidencyDate"][:3]} == {"2022-09-23"}
    # A serial with a fraction and a date-time cell: the day, the time dropped (1401/07/01)
    assert [str(d.date()) for d in frame["StartResidencyDate"][4:6]] == ["2022-09-23"] * 2
    assert all(d == d.normalize() for d in frame["StartResidencyDate"].dropna())


def test_dates_with_a_time_of_day_are_their_day():
    frame = validate_paths([HERE / "dates.csv"]).results[0].frame
    assert [str(d.date()) for d in frame["StartResidencyDate"][16:20]] == ["2022-09-23"] * 4


def test_mobiles_with_the_trunk_zero_after_the_country_code():
    frame = validate_paths([HERE / "mobiles.csv"]).results[0].frame
    assert list(frame["Mobile"][:8]) == ["09121234567"] * 8
    assert list(frame["Mobile"][8:]) == [None] * 3


def test_yes_and_no_after_a_numeric_round_trip():
    frame = validate_paths([HERE / "csv_round_trip.csv"]).results[0].frame
    assert list(frame["IsIrani"][6:10]) == [True, True, False, True]
    assert frame["IsIrani"][10:].isna().all()  # 2.0 and 1.5 are neither


@pytest.mark.parametrize(
    ("lang", "said", "not_said"),
    [
        ("fa", ("چهارم تا نهم", "شش صفر"), "رقم کنترل"),
        ("en", ("digits 4 to 9", "six zeros"), "check digit"),
    ],
)
def test_six_zeros_say_so(lang, said, not_said):
    with language(lang):
        found = validate_paths([HERE / "national_codes.csv"]).results[0].findings
    by_row = {f.row: f for f in found}
    zeros = by_row[12]  # 10000003: 0010000003, whose check digit works out
    assert zeros.code == "national_code_zeros" and zeros.severity == "error"
    assert all(words in zeros.message for words in said), zeros.message
    assert not_said not in zeros.message and "10000003" in zeros.message
    wrong_check = by_row[9]  # 12300000: 0012300000, a wrong check digit
    assert wrong_check.code == "national_code_invalid" and not_said in wrong_check.message


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
    with language("fa"):
        fa = validate_paths([HERE / "words.csv"]).results[0].findings
    with language("en"):
        en = validate_paths([HERE / "words.csv"]).results[0].findings
    gender_fa = next(f for f in fa if f.field == "GenderId")
    gender_en = next(f for f in en if f.field == "GenderId")
    assert "نامشخص" in gender_fa.message and "زن" in gender_fa.message
    assert "1 (Female)" in gender_en.message and "2 (Male)" in gender_en.message
