"""Reading a remote answer: JSON with bounded nesting, and the shapes the APIs document.

An answer is read as data only when it has the documented shape; anything else (a number, a
text, null, a list of plain values, an object without a list, a web page, a body cut short,
JSON nested deeper than ``MAX_DEPTH``) is ``NotTheShape``, which the clients turn into "not
the API" — never into "nothing there". An empty list is an answer: nothing there.

The nesting is measured before ``json.loads`` runs, so a hostile answer (200,000 ``[``) never
reaches the recursive parser: escapes and string literals are dropped (C-speed passes), the
brackets kept, and the most of them open at once counted.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.core.errors import NotTheShape, TooDeep

__all__ = [  # the parser's verdicts live with every other exception, in ``errors``
    "EMPTY",
    "MAX_DEPTH",
    "NOT_JSON",
    "PAGE",
    "STUDENT_NUMBER_KEYS",
    "UNKEYED",
    "WRAPPERS",
    "NotTheShape",
    "TooDeep",
    "kind",
    "loads",
    "nesting",
    "records",
]

MAX_DEPTH = 64  # the deepest nesting read; the APIs' answers use four or five levels

# SIMAD's list answers: a bare array of records, or an object wrapping one under a name like
# these (SPEC A.2, "parse tolerantly"), possibly twice ({"Result": {"Items": [...]}}).
WRAPPERS = ("data", "result", "items", "value", "results", "list")
# A single record instead of a list: an object carrying a student number.
STUDENT_NUMBER_KEYS = ("studentnumber", "studentno")

# What came instead of the documented shape, beyond a value's kind (``kind``): the codes of
# ``NotTheShape``, each said to a person by the message ``shape_<code>``.
PAGE, EMPTY, NOT_JSON, UNKEYED = "page", "empty", "json", "unkeyed"

_STRING = re.compile(rb'"[^"]*"')
_OPENING = frozenset(b"[{")
_SMALL = 4096  # brackets counted in plain Python; more, with numpy
_SLICE = 1 << 20
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{}')))


def nesting(data: bytes | str, limit: int = MAX_DEPTH) -> int:
    """How deeply ``data`` nests arrays and objects: the most brackets open at once outside
    strings (for JSON, its depth; for a body cut short or not JSON, the most a parser could
    have open before it fails). Counting stops a little past ``limit``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    # Escapes first (an escaped backslash, then an escaped quote), so every quote left opens
    # or closes a string; then only quotes and brackets are kept, and the strings dropped.
    # Two quotes side by side (an empty string, or the end of one string and the start of the
    # next) can go without changing what is outside the strings: most strings hold no
    # bracket, and this is a fast pass where the regular expression is a slow one.
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _STRING.sub(b"", raw.translate(None, _NOT_STRUCTURE).replace(b'""', b""))
    brackets = brackets.replace(b'"', b"")  # a string never closed: not JSON; counted as is
    if len(brackets) <= _SMALL:
        depth = peak = 0
        for byte in brackets:
            depth += 1 if byte in _OPENING else -1
            peak = max(peak, depth)
        return peak
    return _peak(brackets, limit)


def _peak(brackets: bytes, limit: int) -> int:
    """The highest running count of opening minus closing brackets, in C-speed slices."""
    import numpy as np  # only for a large answer: the command line starts faster without it

    steps = np.full(256, -1, dtype=np.int32)
    steps[list(_OPENING)] = 1
    codes = np.frombuffer(brackets, dtype=np.uint8)
    depth = peak = 0
    for at in range(0, len(codes), _SLICE):
        running = np.cumsum(steps[codes[at : at + _SLICE]]) + depth
        peak = max(peak, int(running.max()))
        if peak > limit:
            break
        depth = int(running[-1])
    return peak


def _not_json(word: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity``, which Python's json reads but JSON has not."""
    raise ValueError(word)


def loads(data: bytes | str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` for a remote answer: ``TooDeep`` past ``limit`` levels,
    ``NotTheShape(NOT_JSON)`` for anything that is not JSON (a web page, a body cut short)."""
    if nesting(data, limit) > limit:
        raise TooDeep()
    try:
        return json.loads(data, parse_constant=_not_json)
    except RecursionError as exc:  # not reached within the limit; kept as a last guard
        raise TooDeep() from exc
    except ValueError as exc:
        raise NotTheShape(NOT_JSON) from exc


def kind(value: Any) -> str:
    """What a JSON value is, as a ``NotTheShape`` code (never its content)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "values"  # a list, but not of what was expected
    return "object"  # an object without what was expected


def records(body: Any) -> list[dict[str, Any]]:
    """The records of a SIMAD list answer (GetDeclareResidents, GetFinalResults): a bare
    array of objects, or an object wrapping one under ``WRAPPERS`` (case-insensitive), or a
    single record; every record carries a student number (under one of
    ``STUDENT_NUMBER_KEYS``), the key everything is matched by. ``NotTheShape`` for anything
    else: a list whose records could not be matched is not read as "none of ours"."""
    found = _records(body, MAX_DEPTH)
    if found is None:
        raise NotTheShape(kind(body))
    if not all(_has_student_number(r) for r in found):
        raise NotTheShape(UNKEYED)
    return found


def _has_student_number(record: dict[str, Any]) -> bool:
    return any(str(k).strip().lower() in STUDENT_NUMBER_KEYS for k in record)


def _records(body: Any, depth: int) -> list[dict[str, Any]] | None:
    if depth <= 0:
        return None
    if isinstance(body, list):
        return body if all(isinstance(r, dict) for r in body) else None
    if not isinstance(body, dict):
        return None
    lowered = {str(k).strip().lower(): v for k, v in body.items()}
    for key in WRAPPERS:
        inner = lowered.get(key)
        if isinstance(inner, list | dict):
            found = _records(inner, depth - 1)
            if found is not None:
                return found
    if any(k in lowered for k in STUDENT_NUMBER_KEYS):
        return [body]
    return None
