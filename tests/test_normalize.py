"""Normalisation (B.4): digits, letters, leading zeros, dates, booleans, mobiles, scores."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sheets import normalize as n
from pipeline.sheets.validation import validate_paths

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
        # A time of day is dropped: a serial's fraction, as a number or as text, a date-time
        (45200.75, date(2023, 10, 1)),
        (45200.999, date(2023, 10, 1)),
        ("45200.75", date(2023, 10, 1)),
        ("۴۵۲۰۰٫۷۵", date(2023, 10, 1)),
        (datetime(2023, 10, 1, 18, 0), date(2023, 10, 1)),
        ("2023-10-01 18:00", date(2023, 10, 1)),
        ("1402/07/09 18:00", date(2023, 10, 1)),
    ],
)
def test_dates(raw, expected):
    assert n.to_date(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "1402/12/30",
        "1402/13/01",
        "2023-02-30",
        "دیروز",
        12.0,
        True,
        12.5,  # a fraction, but no serial of 1950–2099
        "4520.75",
        14020701.5,  # a compact date has no fraction
        float("inf"),
        "45200.75 تا 45210",
    ],
)
def test_bad_dates(raw):
    assert n.to_date(raw) == (None, "not_date")


def test_a_serial_with_a_time_is_its_solar_hijri_day():
    from pipeline.simad.payloads import build_payload

    day, problem = n.to_date(45200.75)  # 2023-10-01 18:00
    assert problem is None
    assert jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d") == "1402/07/09"
    body = build_payload("residents", {"StartResidencyDate": day})
    assert body["StartResidencyDate"] == "2023-10-01T00:00:00"


@settings(max_examples=60, deadline=None)
@given(st.integers(18264, 73051), st.integers(0, 86399))
def test_the_time_of_a_serial_never_moves_its_date(serial, second):
    midnight = n.to_date(serial)
    assert midnight[1] is None
    moment = serial + second / 86400  # a time of day, to the second
    assert n.to_date(moment) == midnight
    assert n.to_date(str(moment)) == midnight


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
        # A yes/no column that went through a numeric column and a CSV
        ("1.0", True),
        ("0.0", False),
        ("1.00", True),
        ("0.000", False),
        ("۱٫۰", True),
        (" 1.0 ", True),
    ],
)
def test_booleans(raw, expected):
    assert n.to_bool(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["2.0", "1.5", "-1.0", "01.0", "1.", "1.0e0", 2.0, 0.5, "شاید"])
def test_bad_booleans(raw):
    assert n.to_bool(raw) == (None, "not_boolean")


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
        # The trunk zero kept after the country code
        "+98 0912 123 4567",
        "+980912 123 4567",
        "0098 0912 123 4567",
        "98 0912 123 4567",
        "+98(0)912 123 4567",
        "+98 (0) 912-123-4567",
        "0098(0)9121234567",
        "+۹۸ ۰۹۱۲ ۱۲۳ ۴۵۶۷",
    ],
)
def test_mobiles(raw):
    assert n.to_mobile(raw) == ("09121234567", None)


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "02112345678",
        "+1 555 123 4567",
        "0912abc4567",
        "+98 0912 123 456",  # a digit short
        "+98 09121 123 4567",  # a digit too many
        "+98 0212 123 4567",  # a landline
        "+98 00912 123 4567",
        "+98 (1) 912 123 4567",
    ],
)
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
    from pipeline.sheets.fields import field
    from pipeline.sheets.validation import converter

    gender = converter(field("residents", "GenderId"))
    assert [gender(v)[0] for v in ("زن", "مرد", "2 - مرد", "Female", 1.0, "۲")] == [
        1,
        2,
        2,
        1,
        1,
        2,
    ]
    assert gender("نامشخص") == (None, "not_in_table")  # named with the allowed codes
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


def test_every_invisible_mark_is_dropped_before_parsing():
    from pipeline.sheets.normalize import INVISIBLE, to_date, to_int, to_mobile, to_national_code

    for mark in sorted(INVISIBLE):
        assert to_national_code(f"{mark}0499370899{mark}") == ("0499370899", None), hex(ord(mark))
        assert to_mobile(f"0912{mark}1234567") == ("09121234567", None), hex(ord(mark))
        assert to_int(f"{mark}۱۴۰۲") == (1402, None), hex(ord(mark))
        assert to_date(f"{mark}1402/07/01{mark}")[1] is None, hex(ord(mark))


def test_numbers_after_a_csv_round_trip_keep_their_digits_or_say_they_lost_some():
    from pipeline.sheets.normalize import to_identifier, to_mobile, to_national_code

    assert to_identifier("98123001.0") == ("98123001", None)
    assert to_identifier("9.8123001E+07") == ("98123001", None)
    assert to_identifier("98/123.0") == ("98/123.0", None)  # not a number: kept as typed
    assert to_mobile("9.121234567e+09") == ("09121234567", None)
    assert to_mobile("9.12123E+09") == (None, "digits_lost")
    assert to_national_code("4.99370899E+8") == ("0499370899", None)
    assert to_national_code("'0499370899") == ("0499370899", None)


@pytest.mark.parametrize(
    ("code", "valid", "six_zeros"),
    [
        ("0499370899", True, False),
        ("0012300000", False, False),  # a wrong check digit, not six zeros
        ("0010000003", False, True),  # the check digit works out
        ("1230000003", False, True),
        ("0490000000", False, True),  # and a wrong check digit
        ("0000000000", False, False),  # all digits alike
        ("001000000", False, False),  # nine digits
    ],
)
def test_six_zeros_is_its_own_reason(code, valid, six_zeros):
    from schemas.identifiers import has_six_zeros, is_valid_national_code

    assert is_valid_national_code(code) is valid
    assert has_six_zeros(code) is six_zeros


def test_national_codes_are_padded_only_from_what_excel_can_drop():
    from pipeline.sheets.normalize import to_national_code

    assert to_national_code(67749828) == ("0067749828", None)
    assert to_national_code(499370899.0) == ("0499370899", None)
    assert to_national_code("7749828") == ("7749828", None)  # left short: refused later
    assert to_national_code("۰۴۹۹–۳۷۰–۸۹۹") == ("0499370899", None)


def test_dates_as_offices_write_them_and_what_is_not_one_date():
    from datetime import date

    from pipeline.sheets.normalize import to_date

    mehr = date(2023, 9, 23)  # 1402/07/01
    for typed in (
        "۱ مهر ماه ۱۴۰۲",
        "۱ مهرماه ۱۴۰۲",
        "1 مهر، 1402",
        "14020701",
        14020701,
        "1402/07/01 هـ.ش",
        "هـ.ش" and "01/07/1402 ه.ش",
        "1402-07-01 ش",
        "45192",  # the Excel serial of 2023-09-23, kept as text
        "2023-09-23 00:00:00",
    ):
        assert to_date(typed) == (mehr, None), typed
    assert to_date("1 امرداد 1402") == (date(2023, 7, 23), None)
    for wrong in (
        "1402/07/01 تا 1402/12/29",
        "1402/07/01 - 1403/06/31",
        "1402/12/30",  # 1402 is not a leap year
        "1402/07/31",  # Mehr has 30 days
        "1402/13/01",
        "14021301",
        "۱ مهرگان ۱۴۰۲",
    ):
        assert to_date(wrong) == (None, "not_date"), wrong
    assert to_date("1403/12/30") == (date(2025, 3, 20), None)  # 1403 is
