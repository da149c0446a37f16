"""Model binding the way an ASP.NET Core server does it, for the sandbox.

Field names match case-insensitively, but JSON types are strict: a string where an int belongs
is a 400 ``ValidationProblemDetails`` with an ``errors`` object, as the real server answers.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

NET_TYPES = {
    "string": "System.String",
    "string?": "System.String",
    "int": "System.Int32",
    "int?": "System.Nullable`1[System.Int32]",
    "decimal": "System.Decimal",
    "bool": "System.Boolean",
    "datetime": "System.DateTime",
    "datetime?": "System.Nullable`1[System.DateTime]",
    "bytes": "System.Byte[]",
}

RESIDENT_FIELDS = {
    "StudentNumber": "string",
    "NationalCode": "string",
    "CourseStudyCode": "string",
    "ResidencyStartYear": "int",
    "ResidentStatusId": "int",
    "DurationId": "int",
    "StartResidencyDate": "datetime",
    "EndResidencyDate": "datetime?",
    "FirstName": "string",
    "LastName": "string",
    "FatherName": "string",
    "IsIrani": "bool",
    "BirthDate": "datetime",
    "Email": "string",
    "Mobile": "string",
    "Address": "string",
    "GenderId": "int",
}

IMAGE_FIELDS = {"StudentNumber": "string", "Image": "bytes"}

DECLARATION_FIELDS = {
    "StudentNumber": "string",
    "YearId": "int",
    "DeclareCode": "int",
    "DeclarationTypeId": "int",
    "RejectReasonTypeId": "int?",
    "DurationId": "int",
    "HasLogBook": "bool",
    "BaliniScore": "decimal",
    "OperationScore": "decimal",
    "EthicsScore": "decimal",
    "StartResidencyDate": "datetime",
    "EndResidencyDate": "datetime?",
    "Description": "string?",
}

_DEFAULTS = {"int": 0, "decimal": 0, "bool": False, "datetime": "0001-01-01T00:00:00"}


def _convert(kind: str, value: Any) -> Any:
    """The bound value, or raise ValueError when the JSON type does not fit."""
    if value is None:
        if kind.endswith("?") or kind == "string":
            return None
        raise ValueError
    base = kind.rstrip("?")
    if base == "string" and isinstance(value, str):
        return value
    if (
        base == "int"
        and isinstance(value, int)
        and not isinstance(value, bool)
        and -(2**31) <= value < 2**31
    ):
        return value
    if base == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if base == "bool" and isinstance(value, bool):
        return value
    if base == "datetime" and isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    if base == "bytes" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError from exc
    raise ValueError


def bind(raw: bytes, fields: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Bind a JSON body to ``fields``; return the values and the model-state errors."""
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return {}, {"$": ["The input does not contain any JSON tokens or is invalid JSON."]}
    if not isinstance(body, dict):
        return {}, {"$": ["The JSON value could not be converted to the request model."]}
    by_lower = {str(k).lower(): v for k, v in body.items()}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, kind in fields.items():
        if name.lower() not in by_lower:
            if kind == "string":
                errors[name] = [f"The {name} field is required."]
            values[name] = _DEFAULTS.get(kind)
            continue
        try:
            values[name] = _convert(kind, by_lower[name.lower()])
        except ValueError:
            errors[f"$.{name}"] = [
                f"The JSON value could not be converted to {NET_TYPES[kind]}. Path: $.{name}"
            ]
            continue
        if kind == "string" and not values[name]:
            errors[name] = [f"The {name} field is required."]
    return values, errors
