"""From a normalised row to the exact JSON body the API expects, and its hash.

Types are strict on the server (ASP.NET Core): ints as JSON numbers, booleans as JSON
booleans, dates as ISO-8601 strings, nullable fields as null.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pandas as pd

from pipeline.sheets.fields import fields

KEY_KINDS = {"residents": "resident", "upgrades": "declaration"}


def _value(kind: str, value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%dT00:00:00")
    if kind in ("int", "year"):
        return int(value)
    if kind in ("score60", "score30"):
        return round(float(value), 2)
    if kind == "bool":
        return bool(value)
    return str(value)


def build_payload(sheet_kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """The API body of one normalised row, fields in the guide's order."""
    return {f.name: _value(f.type, row.get(f.name)) for f in fields(sheet_kind)}


def payload_hash(payload: dict[str, Any] | bytes) -> str:
    if isinstance(payload, bytes):
        return hashlib.sha256(payload).hexdigest()
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def row_key(sheet_kind: str, payload: dict[str, Any]) -> str:
    if sheet_kind == "residents":
        return str(payload["StudentNumber"])
    return f"{payload['StudentNumber']}/{payload['YearId']}"
