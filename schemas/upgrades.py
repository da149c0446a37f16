"""The pandera schema of the upgrade-declarations sheet
(``api2/DeclareResidentToUpgrades/AddOrUpdate``)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from . import codes
from .common import (
    at_most_two_decimals,
    check,
    column,
    duplicated,
    end_after_start,
    in_table,
    not_far_future,
    year_check,
)

SCORE_MAX = {"BaliniScore": 60, "OperationScore": 60, "EthicsScore": 30}
CERTIFICATE = 10


def _score(name: str) -> pa.Column:
    high = SCORE_MAX[name]
    return column(
        check("score_range", name, lambda s: s.between(0, high)),
        check("score_decimals", name, at_most_two_decimals),
    )


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


def schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "StudentNumber": column(
                check(
                    "id_malformed",
                    "StudentNumber",
                    lambda s: s.str.fullmatch(r"[A-Za-z0-9/_.-]{1,30}"),
                )
            ),
            "YearId": column(year_check("YearId")),
            "DeclareCode": column(in_table(codes.table("declare_codes"), "DeclareCode")),
            "DeclarationTypeId": column(
                in_table(codes.table("declaration_types"), "DeclarationTypeId")
            ),
            "RejectReasonTypeId": column(
                in_table(codes.table("reject_reasons"), "RejectReasonTypeId"), required=False
            ),
            "DurationId": column(in_table(codes.table("durations"), "DurationId")),
            "HasLogBook": column(),
            "BaliniScore": _score("BaliniScore"),
            "OperationScore": _score("OperationScore"),
            "EthicsScore": _score("EthicsScore"),
            "StartResidencyDate": column(not_far_future("StartResidencyDate")),
            "EndResidencyDate": column(not_far_future("EndResidencyDate"), required=False),
            "Description": column(required=False),
        },
        checks=[
            check("reject_reason_required", "RejectReasonTypeId", _reason_required),
            check("reject_reason_forbidden", "RejectReasonTypeId", _reason_forbidden),
            check("end_date_required", "EndResidencyDate", _end_required),
            check("end_date_unexpected", "EndResidencyDate", _end_unexpected),
            check("end_before_start", "EndResidencyDate", end_after_start),
            check("declare_code_duration", "DeclareCode", _code_fits_year),
            check("no_logbook", "HasLogBook", _logbook),
            check(
                "duplicate_declaration",
                "StudentNumber",
                lambda df: ~duplicated(df, ["StudentNumber", "YearId"]),
            ),
        ],
    )
