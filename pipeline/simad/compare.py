"""A row as the office holds it against the same row as a server returns it: the fields whose
values differ, each value compared as what it is (scores as numbers, dates as dates, codes as
codes, so ``60`` and ``60.0`` match). Used by the engine (a declaration confirmed after a
lost answer) and by reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.sheets.fields import fields
from pipeline.sheets.normalize import CONVERTERS

TYPES = {f.name: f.type for f in fields("upgrades")}


@dataclass
class Difference:
    field: str
    local: Any
    server: Any


def _normalised(name: str, value: Any) -> Any:
    """A value normalised by its field's type, so both sides compare alike."""
    if value is None or value == "":
        return None
    if name == "RejectReasonTypeId" and value in (0, "0"):
        return None  # "no reason" sent back as 0 by a server with a non-nullable int
    if isinstance(value, str) and value.startswith("0001-01-01"):
        return None  # .NET's DateTime.MinValue stands for "no date"
    kind = TYPES.get(name, "text")
    converted, problem = CONVERTERS[kind](value)
    if problem is not None:
        return str(value).strip()
    if kind in ("score60", "score30") and converted is not None:
        return round(float(converted), 2)
    if hasattr(converted, "isoformat"):
        return converted.isoformat()[:10]
    return converted


def differences(local: dict[str, Any], server: dict[str, Any]) -> list[Difference]:
    """Fields the server returned whose value differs from the local one."""
    out = []
    lowered = {k.lower(): v for k, v in server.items()}
    for name, value in local.items():
        if name == "StudentNumber" or name.lower() not in lowered:
            continue
        mine, theirs = _normalised(name, value), _normalised(name, lowered[name.lower()])
        if name == "Description" and not mine and not theirs:
            continue
        if mine != theirs:
            out.append(Difference(name, value, lowered[name.lower()]))
    return out
