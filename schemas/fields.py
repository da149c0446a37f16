"""Each field's rules, read from ``schemas/fields.csv``: the one place they are written.

One line a field of a sheet kind: its ``type`` (how a cell is read), whether it is
``required``, its code ``table`` and the rule that reports a value not in it (``table_rule``),
its range (``low``/``high``), the ``pattern`` a text must match, the ``rule`` that reports a
value out of range or not matching, its Persian and English labels, the other headers offices
use for it (``aliases``), and the rule as the template's header comment says it.

A bound is a number, an ISO date, ``today`` or ``today+N`` (days, for dates), or ``year+N``
(the Solar Hijri year now plus N, for years): the calendar moves, the table does not.

The pandera columns (``schemas/common.py``), the templates' headers, dropdowns and limits,
header recognition and the sandbox's contract test are all built from this table.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import jdatetime

KINDS = ("residents", "upgrades")
_RELATIVE = re.compile(r"(today|year)([+-][0-9]+)?")


@dataclass(frozen=True)
class Field:
    kind: str
    name: str
    type: str
    required: bool
    table: str | None
    label_fa: str
    label_en: str
    aliases: tuple[str, ...]
    rule_fa: str
    rule_en: str
    table_rule: str | None = None  # the rule of a value not in ``table``
    low: str | None = None  # a bound as written in the table (see ``bound``)
    high: str | None = None
    pattern: str | None = None  # a regular expression the whole text matches
    rule: str | None = None  # the rule of a value out of range or not matching ``pattern``

    def label(self, lang: str) -> str:
        """The label in ``lang`` (a field is data: it is told which language is wanted)."""
        return self.label_fa if lang == "fa" else self.label_en

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def relative(self) -> bool:
        """A bound moves with the calendar (``today``, ``year+1``)."""
        return any(b is not None and _RELATIVE.fullmatch(b) for b in (self.low, self.high))

    def bounds(self) -> tuple[int | float | date | None, int | float | date | None]:
        """``(low, high)`` as of today; None where the table gives none."""
        return bound(self.low), bound(self.high)


NUMERIC_TYPES = frozenset({"int", "year", "score60", "score30"})
SCORE_TYPES = frozenset({"score60", "score30"})  # decimals, at most two of them


def this_solar_year() -> int:
    return int(jdatetime.date.today().year)


def bound(text: str | None) -> int | float | date | None:
    """A bound of the table as of today (see the module's docstring)."""
    if not text:
        return None
    relative = _RELATIVE.fullmatch(text)
    if relative is not None:
        shift = int(relative.group(2) or 0)
        if relative.group(1) == "year":
            return this_solar_year() + shift
        return date.today() + timedelta(days=shift)
    if "-" in text[1:]:
        return date.fromisoformat(text)
    number = float(text)
    return int(number) if number.is_integer() else number


def _optional(text: str | None) -> str | None:
    return text or None


@cache
def fields(kind: str) -> tuple[Field, ...]:
    """The fields of a sheet kind, in the table's order (the template's column order)."""
    text = (resources.files("schemas") / "fields.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == kind]
    if not rows:
        raise KeyError(kind)
    return tuple(
        Field(
            kind=r["kind"],
            name=r["name"],
            type=r["type"],
            required=r["required"] == "yes",
            table=_optional(r["table"]),
            label_fa=r["label_fa"],
            label_en=r["label_en"],
            aliases=tuple(a for a in r["aliases"].split("|") if a),
            rule_fa=r["rule_fa"],
            rule_en=r["rule_en"],
            table_rule=_optional(r["table_rule"]),
            low=_optional(r["low"]),
            high=_optional(r["high"]),
            pattern=_optional(r["pattern"]),
            rule=_optional(r["rule"]),
        )
        for r in rows
    )


def field(kind: str, name: str) -> Field:
    return next(f for f in fields(kind) if f.name == name)
