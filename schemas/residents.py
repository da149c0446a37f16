"""The pandera schema of the residents sheet (``api2/Residents/AddOrUpdate``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa

from . import codes
from .common import (
    FIRST_YEAR,
    check,
    column,
    duplicated,
    end_after_start,
    in_table,
    last_year,
    not_far_future,
    nulls_pass,
    year_check,
)
from .identifiers import has_six_zeros, is_passport_like, is_valid_national_code

EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"


def _national_code_ok(df: pd.DataFrame) -> pd.Series:
    """Valid, or refused for its six zeros (``national_code_zeros`` says so instead)."""
    ok = [
        (irani is not True) or (code is None) or is_valid_national_code(code) or has_six_zeros(code)
        for irani, code in zip(df["IsIrani"].astype(object), df["NationalCode"], strict=True)
    ]
    return pd.Series(ok, index=df.index)


def _national_code_not_zeros(df: pd.DataFrame) -> pd.Series:
    ok = [
        (irani is not True) or (code is None) or not has_six_zeros(code)
        for irani, code in zip(df["IsIrani"].astype(object), df["NationalCode"], strict=True)
    ]
    return pd.Series(ok, index=df.index)


def _passport_ok(df: pd.DataFrame) -> pd.Series:
    ok = [
        (irani is not False) or (code is None) or is_passport_like(code)
        for irani, code in zip(df["IsIrani"].astype(object), df["NationalCode"], strict=True)
    ]
    return pd.Series(ok, index=df.index)


def _birth_possible(s: pd.Series) -> pd.Series:
    return s.between(pd.Timestamp("1930-01-01"), pd.Timestamp(date.today()))


def _years_at_start(df: pd.DataFrame) -> pd.Series:
    return (df["StartResidencyDate"] - df["BirthDate"]).dt.days / 365.25


def _old_enough(df: pd.DataFrame) -> pd.Series:
    """Nobody starts a residency before the age of 15: such a birth date is a typo."""
    return nulls_pass(_years_at_start(df) >= 15, df["StartResidencyDate"], df["BirthDate"])


def _age(df: pd.DataFrame) -> pd.Series:
    years = _years_at_start(df)
    return nulls_pass(
        years.between(22, 60) | (years < 15), df["StartResidencyDate"], df["BirthDate"]
    )


def solar_year(dates: pd.Series) -> pd.Series:
    """The Solar Hijri year of each date (Nowruz taken as 21 March; exact enough for ±1)."""
    after_nowruz = (dates.dt.month > 3) | ((dates.dt.month == 3) & (dates.dt.day >= 21))
    return dates.dt.year - 622 + after_nowruz.astype("Int64")


def _start_year_fits(df: pd.DataFrame) -> pd.Series:
    year = df["ResidencyStartYear"]
    gap = (solar_year(df["StartResidencyDate"]) - year).abs()
    out_of_range = ~year.between(FIRST_YEAR, last_year()).fillna(False)  # year_range reports it
    return nulls_pass((gap <= 1) | out_of_range, df["StartResidencyDate"], year)


def _course_checks(table: codes.CodeTable, strict: bool) -> list[pa.Check]:
    known = sorted(table.codes)
    unknown = "course_not_in_table" if strict else "course_unknown"
    return [
        check("course_malformed", "CourseStudyCode", lambda s: s.str.fullmatch(r"[0-9]{4,5}")),
        check(
            unknown, "CourseStudyCode", lambda s: ~s.str.fullmatch(r"[0-9]{4,5}") | s.isin(known)
        ),
    ]


def schema(
    course_table: codes.CodeTable | None = None, strict_courses: bool = False
) -> pa.DataFrameSchema:
    table = course_table or codes.table("course_codes")
    return pa.DataFrameSchema(
        {
            "StudentNumber": column(
                check(
                    "id_malformed",
                    "StudentNumber",
                    lambda s: s.str.fullmatch(r"[A-Za-z0-9/_.-]{1,30}"),
                )
            ),
            "NationalCode": column(),
            "CourseStudyCode": column(*_course_checks(table, strict_courses)),
            "ResidencyStartYear": column(year_check("ResidencyStartYear")),
            "ResidentStatusId": column(check("not_positive", "ResidentStatusId", lambda s: s > 0)),
            "DurationId": column(in_table(codes.table("durations"), "DurationId")),
            "StartResidencyDate": column(not_far_future("StartResidencyDate")),
            "EndResidencyDate": column(not_far_future("EndResidencyDate"), required=False),
            "FirstName": column(),
            "LastName": column(),
            "FatherName": column(),
            "IsIrani": column(),
            "BirthDate": column(check("birth_implausible", "BirthDate", _birth_possible)),
            "Email": column(check("bad_email", "Email", lambda s: s.str.fullmatch(EMAIL))),
            "Mobile": column(),
            "Address": column(),
            "GenderId": column(in_table(codes.table("genders"), "GenderId")),
        },
        checks=[
            check("national_code_invalid", "NationalCode", _national_code_ok),
            check("national_code_zeros", "NationalCode", _national_code_not_zeros),
            check("passport_invalid", "NationalCode", _passport_ok),
            check("end_before_start", "EndResidencyDate", end_after_start),
            check("birth_implausible", "BirthDate", _old_enough),
            check("age_unusual", "BirthDate", _age),
            check("start_year_mismatch", "ResidencyStartYear", _start_year_fits),
            check(
                "duplicate_student", "StudentNumber", lambda df: ~duplicated(df, ["StudentNumber"])
            ),
            check(
                "duplicate_triple",
                "NationalCode",
                lambda df: (
                    ~duplicated(df, ["NationalCode", "CourseStudyCode", "ResidencyStartYear"])
                ),
            ),
        ],
    )
