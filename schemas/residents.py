"""The pandera schema of the residents sheet (``api2/Residents/AddOrUpdate``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import codes
from .common import Duplicate, RowRule, end_after_start, nulls_pass, year_range
from .common import schema as build_schema
from .identifiers import has_six_zeros, is_passport_like, is_valid_national_code

KIND = "residents"
OFFICIAL_TABLE_RULE = "course_not_in_table"  # a code outside the table the user supplied


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
    out_of_range = ~year.between(*year_range(KIND, "ResidencyStartYear")).fillna(False)
    return nulls_pass((gap <= 1) | out_of_range, df["StartResidencyDate"], year)


def _age_values(df: pd.DataFrame, index: int) -> dict[str, Any]:
    days = (df.at[index, "StartResidencyDate"] - df.at[index, "BirthDate"]).days
    return {"age": int(days // 365.25)}


def _start_year_values(df: pd.DataFrame, index: int) -> dict[str, Any]:
    start = df.at[index, "StartResidencyDate"]
    return {"year": int(solar_year(pd.Series([start])).iloc[0])}


# The checks spanning several fields of a row (a field's own are in schemas/fields.csv).
ROW_RULES = (
    RowRule("national_code_invalid", "NationalCode", _national_code_ok),
    RowRule("national_code_zeros", "NationalCode", _national_code_not_zeros),
    RowRule("passport_invalid", "NationalCode", _passport_ok),
    RowRule("end_before_start", "EndResidencyDate", end_after_start),
    RowRule("birth_implausible", "BirthDate", _old_enough),
    RowRule("age_unusual", "BirthDate", _age, _age_values),
    RowRule("start_year_mismatch", "ResidencyStartYear", _start_year_fits, _start_year_values),
)
DUPLICATES = (
    Duplicate("duplicate_student", "StudentNumber", ("StudentNumber",)),
    Duplicate(
        "duplicate_triple",
        "NationalCode",
        ("NationalCode", "CourseStudyCode", "ResidencyStartYear"),
    ),
)


def schema(
    course_table: codes.CodeTable | None = None, strict_courses: bool = False
) -> pa.DataFrameSchema:
    """The residents schema; ``course_table``: the official course table the user supplied
    (a code outside it is then an error when ``strict_courses``)."""
    overrides: dict[str, tuple[codes.CodeTable, str | None]] = {}
    if course_table is not None:
        overrides["CourseStudyCode"] = (
            course_table,
            OFFICIAL_TABLE_RULE if strict_courses else None,
        )
    return build_schema(KIND, ROW_RULES, DUPLICATES, overrides)
