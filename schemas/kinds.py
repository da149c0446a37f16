"""The schema of each sheet kind, its checks spanning several fields and its duplicate keys:
what validation asks of a kind without knowing which kinds there are."""

from __future__ import annotations

import pandera.pandas as pa

from . import residents, upgrades
from .codes import CodeTable
from .common import Duplicate, RowRule
from .fields import KINDS


def schema(
    kind: str, course_table: CodeTable | None = None, strict_courses: bool = False
) -> pa.DataFrameSchema:
    if kind == "residents":
        return residents.schema(course_table, strict_courses)
    if kind == "upgrades":
        return upgrades.schema()
    raise KeyError(kind)


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "residents": residents.ROW_RULES,
    "upgrades": upgrades.ROW_RULES,
}
DUPLICATES: dict[str, tuple[Duplicate, ...]] = {
    "residents": residents.DUPLICATES,
    "upgrades": upgrades.DUPLICATES,
}
assert set(ROW_RULES) == set(DUPLICATES) == set(KINDS)
