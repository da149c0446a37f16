"""Pieces shared by the residents and upgrades schemas."""

from __future__ import annotations

from collections.abc import Callable

import jdatetime
import pandas as pd
import pandera.pandas as pa

from .codes import CodeTable

FIRST_YEAR = 1370


def last_year() -> int:
    """The latest plausible Solar Hijri year: next year."""
    return jdatetime.date.today().year + 1


def check(code: str, column: str, fn: Callable[..., pd.Series]) -> pa.Check:
    """A check whose name carries the rule code and the field it names: ``code:Field``."""
    return pa.Check(fn, name=f"{code}:{column}", error=f"{code}:{column}")


def in_table(table: CodeTable, column: str) -> pa.Check:
    allowed = sorted(table.int_codes)
    return check("not_in_table", column, lambda s: s.isin(allowed))


def year_check(column: str) -> pa.Check:
    return check("year_range", column, lambda s: s.between(FIRST_YEAR, last_year()))


def not_far_future(column: str) -> pa.Check:
    """A residency date at most a year from today (further is a typo: a wrong year)."""
    return check(
        "date_far_future",
        column,
        lambda s: s <= pd.Timestamp.today().normalize() + pd.Timedelta(days=366),
    )


def column(*checks: pa.Check, required: bool = True) -> pa.Column:
    return pa.Column(None, checks=list(checks), nullable=not required, required=False)


def nulls_pass(mask: pd.Series, *inputs: pd.Series) -> pd.Series:
    """A row check result where rows with a missing input pass (the required check reports them)."""
    missing = pd.Series(False, index=mask.index)
    for s in inputs:
        missing |= s.isna()
    return (mask.fillna(False).astype(bool)) | missing


def duplicated(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """True on every row whose (non-null) key appears more than once."""
    complete = df[keys].notna().all(axis=1)
    dup = df[keys].astype(str).duplicated(keep=False)
    return dup & complete


def at_most_two_decimals(s: pd.Series) -> pd.Series:
    """Binary float noise (45.12 stored as 45.1199999…) still counts as two decimals."""
    cents = s.astype(float) * 100
    return (cents - cents.round()).abs() < 1e-6


def end_after_start(df: pd.DataFrame) -> pd.Series:
    """EndResidencyDate not before StartResidencyDate (rows missing either pass)."""
    return nulls_pass(
        df["EndResidencyDate"] >= df["StartResidencyDate"],
        df["EndResidencyDate"],
        df["StartResidencyDate"],
    )
