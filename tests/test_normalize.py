"""Normalisation (B.4): digits, letters, leading zeros, dates, booleans, mobiles, scores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline import normalize as n
from pipeline.validation import validate_paths

NORM = Path(__file__).parent / "data" / "normalise"


def test_typed_excel_cells_normalise_to_valid_rows():
    run = validate_paths([NORM / "typed_cells.xlsx"])
    [result] = run.results
    assert [f.as_list() for f in result.findings] == []
    frame = result.frame
    assert list(frame["NationalCode"]) == [
        "0499370899",
        "0067749828",
        "0084575948",
        "0019813724",
        "0079134564",
        "0079913490",
    ]
    assert frame["StudentNumber"][0] == "98123000"
    starts = [d.date() for d in frame["StartResidencyDate"]]
    assert starts == [date(2022, 9, 23)] * 6
    assert frame["BirthDate"][2].date() == date(1994, 3, 1)
    assert list(frame["Mobile"]) == ["09121234567"] * 6
    assert list(frame["IsIrani"]) == [True] * 6
    assert frame["FirstName"][4] == "علی" and frame["FirstName"][5] == "کاوه"
    assert frame["ResidencyStartYear"][2] == 1401
    assert frame["GenderId"][4] == 1


def test_float_noise_counts_as_two_decimals():
    run = validate_paths([NORM / "float_noise.xlsx"], known_students={"98123001"})
    [result] = run.results
    assert result.findings == []
    assert result.frame["BaliniScore"][0] == pytest.approx(45.12)


def test_text_far_below_the_first_thousand_rows_is_not_lost():
    run = validate_paths([NORM / "late_text.xlsx"])
    [result] = run.results
    bad = [f.as_list() for f in result.findings]
    assert bad == [[1102, "NationalCode", "national_code_invalid"]]
    assert result.findings[0].value == "X-LATE-TEXT"
    others = [c for c in result.frame["NationalCode"] if c != "X-LATE-TEXT"]
    assert len(others) == 1199 and all(len(c) == 10 and c.isdigit() for c in others)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1402/07/15", date(2023, 10, 7)),
        ("۱۴۰۲/۰۷/۱۵", date(2023, 10, 7)),
        ("1402-7-15", date(2023, 10, 7)),
        ("15/07/1402", date(2023, 10, 7)),
        ("2023-10-07", date(2023, 10, 7)),
        ("2023/10/07", date(2023, 10, 7)),
        ("2023-10-07T00:00:00", date(2023, 10, 7)),
        (45206.0, date(2023, 10, 7)),
        (date(2023, 10, 7), date(2023, 10, 7)),
    ],
)
def test_dates(raw, expected):
    assert n.to_date(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["1402/12/30", "1402/13/01", "2023-02-30", "دیروز", 12.0, True])
def test_bad_dates(raw):
    assert n.to_date(raw) == (None, "not_date")


def test_leap_day_of_a_solar_hijri_leap_year():
    assert n.to_date("1403/12/30") == (date(2025, 3, 20), None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("بله", True),
        ("خیر", False),
        ("دارد", True),
        ("ندارد", False),
        ("true", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        (1.0, True),
        (0, False),
        ("۱", True),
        (True, True),
    ],
)
def test_booleans(raw, expected):
    assert n.to_bool(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "+98 912 123 4567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "0912-123-4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        9121234567.0,
        "(0912) 123 4567",
    ],
)
def test_mobiles(raw):
    assert n.to_mobile(raw) == ("09121234567", None)


@pytest.mark.parametrize("raw", ["12345", "02112345678", "+1 555 123 4567", "0912abc4567"])
def test_bad_mobiles(raw):
    assert n.to_mobile(raw) == (None, "bad_mobile")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12345678.0, "0012345678"),
        ("12345678", "0012345678"),
        ("۰۰۱۲۳۴۵۶۷۸", "0012345678"),
        ("001-234567-8", "0012345678"),
        ("p1234567", "P1234567"),
        ("123", "123"),
    ],
)
def test_national_codes(raw, expected):
    assert n.to_national_code(raw) == (expected, None)


def test_digits_and_letters():
    assert n.clean_text("  علي   كريمي ۱۲۳ ٤٥٦ ") == "علی کریمی 123 456"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("۴۵/۵", 45.5), ("٤٥٫٥", 45.5), ("45,5", 45.5), (" 60 ", 60.0), (52, 52.0)],
)
def test_scores(raw, expected):
    assert n.to_decimal(raw) == (expected, None)


def test_integers_reject_fractions_and_words():
    assert n.to_int("1401.0") == (1401, None)
    assert n.to_int(2.5) == (None, "not_integer")
    assert n.to_int("یک") == (None, "not_integer")


def test_coded_fields_accept_titles_and_dropdown_entries():
    from pipeline.fields import field
    from pipeline.validation import converter

    gender = converter(field("residents", "GenderId"))
    assert [gender(v)[0] for v in ("زن", "مرد", "2 - مرد", "Female", 1.0, "۲")] == [
        1,
        2,
        2,
        1,
        1,
        2,
    ]
    assert gender("نامشخص") == (None, "not_integer")
    declared = converter(field("upgrades", "DeclarationTypeId"))
    assert (declared("عدم معرفی")[0], declared("معرفی")[0]) == (2, 1)
    declare = converter(field("upgrades", "DeclareCode"))
    assert (declare("گواهینامه")[0], declare("معرفی ۱ به ۲")[0]) == (10, 2)
    # A course code is an identifier: it stays text.
    course = converter(field("residents", "CourseStudyCode"))
    assert course("1710 - بیماری‌های داخلی") == ("1710", None)  # the template's dropdown
    assert course("0101") == ("0101", None) and course(1710) == ("1710", None)


def test_academic_year_is_its_first_year():
    assert n.to_year("1402-1403") == (1402, None)
    assert n.to_year("۱۴۰۲/۱۴۰۳") == (1402, None)
    assert n.to_year("1402-1405") == (None, "not_integer")


def test_persian_month_names():
    assert n.to_date("۱۵ مهر ۱۴۰۲") == (date(2023, 10, 7), None)
    assert n.to_date("1 فروردین 1403") == (date(2024, 3, 20), None)


@pytest.mark.parametrize(
    ("raw", "expected"), [("تکمیل شده", True), ("ناقص", False), ("تکمیل‌نشده", False)]
)
def test_logbook_words(raw, expected):
    assert n.to_bool(raw) == (expected, None)
