"""Digits as an office types them and as a Persian reader reads them: one table each way
(the sandbox keeps its own, as it keeps everything it checks)."""

from __future__ import annotations

# Persian (U+06F0…) and Arabic-Indic (U+0660…) digits to ASCII.
TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def ascii_digits(text: str) -> str:
    """Every Persian or Arabic-Indic digit of ``text`` as its ASCII digit."""
    return text.translate(TO_ASCII)


def persian_digits(value: object) -> str:
    """Every ASCII digit of ``value`` (as text) as its Persian digit."""
    return str(value).translate(TO_PERSIAN)
