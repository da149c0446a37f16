"""Pieces shared by the residents and upgrades schemas.

A field's own checks (required, pattern, range, code table) are built from its line in
``schemas/fields.csv`` (``field_checks``); only the checks spanning several fields of a row are
written by hand, as ``RowRule`` values, and the duplicate keys as ``Duplicate`` values, each
with the field its finding marks and the values its message needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import codes
from .codes import CodeTable
from .fields import SCORE_TYPES, Field, bound, field, fields

Mask = Callable[[pd.DataFrame], pd.Series]
Values = Callable[[pd.DataFrame, int], dict[str, Any]]
DECIMALS_RULE = "score_decimals"  # a score type's own rule: at most two decimals


def year_range(kind: str, name: str) -> tuple[int, int]:
    """A year field's range as of today (``schemas/fields.csv``)."""
    f = field(kind, name)
    low, high = bound(f.low), bound(f.high)
    assert isinstance(low, int) and isinstance(high, int), name
    return low, high


def check(code: str, column: str, fn: Callable[..., pd.Series]) -> pa.Check:
    """A check whose name carries the rule code and the field it names: ``code:Field``."""
    return pa.Check(fn, name=f"{code}:{column}", error=f"{code}:{column}")


@dataclass(frozen=True)
class RowRule:
    """A check spanning several fields of a row, written by hand: its rule, the field its
    finding marks, which rows pass, and the values its message needs (``Rule.values``)."""

    code: str
    field: str
    passes: Mask
    values: Values | None = None

    def check(self) -> pa.Check:
        return check(self.code, self.field, self.passes)


@dataclass(frozen=True)
class Duplicate:
    """A key no two rows may share, within a sheet and across the inputs: its rule and the
    field its finding marks. Its message names the other rows (``rows``), which the
    validation knows."""

    code: str
    field: str
    keys: tuple[str, ...]

    def check(self) -> pa.Check:
        keys = list(self.keys)
        return check(self.code, self.field, lambda df: ~duplicated(df, keys))


def _comparable(value: int | float | date | None) -> Any:
    return pd.Timestamp(value) if isinstance(value, date) else value


def in_range(f: Field) -> Callable[[pd.Series], pd.Series]:
    """Values within the field's ``low``/``high`` (as of today), either bound optional."""
    low, high = (_comparable(b) for b in f.bounds())
    if low is not None and high is not None:
        return lambda s: s.between(low, high)
    if low is not None:
        return lambda s: s >= low
    return lambda s: s <= high


def matches(pattern: str) -> Callable[[pd.Series], pd.Series]:
    return lambda s: s.str.fullmatch(pattern)


def in_table(f: Field, table: CodeTable, code: str) -> pa.Check:
    """Codes of the table; a text that does not match the field's pattern is left to the
    pattern's rule."""
    if f.numeric:
        allowed_ints = sorted(table.int_codes)
        return check(code, f.name, lambda s: s.isin(allowed_ints))
    allowed = sorted(table.codes)
    pattern = f.pattern
    if pattern is None:
        return check(code, f.name, lambda s: s.isin(allowed))
    return check(code, f.name, lambda s: ~s.str.fullmatch(pattern) | s.isin(allowed))


def field_checks(
    f: Field, table: CodeTable | None = None, table_rule: str | None = None
) -> list[pa.Check]:
    """A field's own checks, from its line of ``schemas/fields.csv``; ``table`` and
    ``table_rule`` replace its code table (the official course table the user supplied)."""
    out = []
    if f.rule is not None and f.pattern is not None:
        out.append(check(f.rule, f.name, matches(f.pattern)))
    elif f.rule is not None:
        out.append(check(f.rule, f.name, in_range(f)))
    if f.type in SCORE_TYPES:
        out.append(check(DECIMALS_RULE, f.name, at_most_two_decimals))
    if f.table is not None:
        rule = table_rule or f.table_rule or "not_in_table"
        out.append(in_table(f, table or codes.table(f.table), rule))
    return out


def columns(
    kind: str, overrides: Mapping[str, tuple[CodeTable, str | None]] | None = None
) -> dict[str, pa.Column]:
    """The pandera columns of a sheet kind: nullable unless required, with each field's own
    checks. ``overrides``: field → (code table, its rule) used instead of the table's."""
    given = overrides or {}
    out = {}
    for f in fields(kind):
        table, rule = given.get(f.name, (None, None))
        out[f.name] = pa.Column(
            None, checks=field_checks(f, table, rule), nullable=not f.required, required=False
        )
    return out


def schema(
    kind: str,
    rules: tuple[RowRule, ...],
    duplicates: tuple[Duplicate, ...],
    overrides: Mapping[str, tuple[CodeTable, str | None]] | None = None,
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns(kind, overrides),
        checks=[*(r.check() for r in rules), *(d.check() for d in duplicates)],
    )


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
