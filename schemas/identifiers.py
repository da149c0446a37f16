"""Checks on Iranian identifiers, used by validation (the sandbox keeps its own copy)."""

from __future__ import annotations

import re

_TEN_DIGITS = re.compile(r"[0-9]{10}")
_PASSPORT_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{4,19}")


def is_valid_national_code(code: str) -> bool:
    """Iranian national code: ten ASCII digits, not all alike, the six after the three of the
    issuing office not all zero (none is issued so), with a valid check digit."""
    if not _TEN_DIGITS.fullmatch(code) or len(set(code)) == 1 or code[3:9] == "000000":
        return False
    total = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == total if total < 2 else check == 11 - total


def has_six_zeros(code: str) -> bool:
    """Ten digits, not all alike, whose six after the issuing office's three are all zero:
    refused whatever its check digit (``0010000003``)."""
    return code[3:9] == "000000" and bool(_TEN_DIGITS.fullmatch(code)) and len(set(code)) > 1


def is_passport_like(value: str) -> bool:
    """A foreign national's id: 5–20 Latin letters, digits or hyphens, starting alphanumeric."""
    return bool(_PASSPORT_LIKE.fullmatch(value))


def national_code_check_digit(first_nine: str) -> str:
    """The check digit that completes nine digits into a valid national code."""
    total = sum(int(first_nine[i]) * (10 - i) for i in range(9)) % 11
    return str(total if total < 2 else 11 - total)
