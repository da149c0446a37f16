"""The pandera schema of the upgrade-declarations sheet
(``api2/DeclareResidentToUpgrades/AddOrUpdate``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from .common import Duplicate, RowRule, end_after_start
from .common import schema as build_schema

KIND = "upgrades"
CERTIFICATE = 10


def _reason_required(df: pd.DataFrame) -> pd.Series:
    return ~((df["DeclarationTypeId"] == 2).fillna(False) & df["RejectReasonTypeId"].isna())


def _reason_forbidden(df: pd.DataFrame) -> pd.Series:
    return ~((df["DeclarationTypeId"] == 1).fillna(False) & df["RejectReasonTypeId"].notna())


def _end_required(df: pd.DataFrame) -> pd.Series:
    return ~((df["DeclareCode"] == CERTIFICATE).fillna(False) & df["EndResidencyDate"].isna())


def _end_unexpected(df: pd.DataFrame) -> pd.Series:
    other = (df["DeclareCode"] != CERTIFICATE).fillna(False)
    return ~(other & df["EndResidencyDate"].notna())


def _code_fits_year(df: pd.DataFrame) -> pd.Series:
    promotion = df["DeclareCode"].between(2, 5).fillna(False)
    fits = (df["DeclareCode"] == df["DurationId"] + 1).fillna(True)
    return ~promotion | fits


def _logbook(df: pd.DataFrame) -> pd.Series:
    declared = (df["DeclarationTypeId"] == 1).fillna(False)
    return ~(declared & (df["HasLogBook"] == False).fillna(False))  # noqa: E712


def _code_duration_values(df: pd.DataFrame, index: int) -> dict[str, Any]:
    duration = df.at[index, "DurationId"]
    return {"value": df.at[index, "DeclareCode"], "duration": duration, "expected": duration + 1}


# The checks spanning several fields of a row (a field's own are in schemas/fields.csv).
ROW_RULES = (
    RowRule("reject_reason_required", "RejectReasonTypeId", _reason_required),
    RowRule("reject_reason_forbidden", "RejectReasonTypeId", _reason_forbidden),
    RowRule("end_date_required", "EndResidencyDate", _end_required),
    RowRule("end_date_unexpected", "EndResidencyDate", _end_unexpected),
    RowRule("end_before_start", "EndResidencyDate", end_after_start),
    RowRule("declare_code_duration", "DeclareCode", _code_fits_year, _code_duration_values),
    RowRule("no_logbook", "HasLogBook", _logbook),
)
DUPLICATES = (Duplicate("duplicate_declaration", "StudentNumber", ("StudentNumber", "YearId")),)


def schema() -> pa.DataFrameSchema:
    return build_schema(KIND, ROW_RULES, DUPLICATES)
