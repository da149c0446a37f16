"""What the simulated server checks, kept by the sandbox itself.

A stand-in for another party's server must not borrow the client's tables: a mistake in one
would be agreed on by both sides and no test could see it. These are transcribed from the
guide's appendices on their own; ``tests/test_sandbox_rules.py`` proves they agree with the
client's tables in ``schemas/``.
"""

from __future__ import annotations

# Appendix 6, the legible codes (the table in the guide is cut off and partly garbled).
COURSE_CODES = frozenset(
    {
        "1710", "1712", "1713", "1714", "1715", "1717", "1720", "1721", "1723", "1724",
        "1725", "1728", "1730", "1731", "1732", "1733", "1741", "1757", "1758", "17165",
        "17185", "17195",
    }
)  # fmt: skip
DURATIONS = frozenset({1, 2, 3, 4, 5})  # residency year
GENDERS = frozenset({1, 2})  # 1 female, 2 male
DECLARE_CODES = frozenset({2, 3, 4, 5, 10})  # appendix 1
DECLARATION_TYPES = frozenset({1, 2})  # appendix 2: declared, not declared
REJECT_REASONS = frozenset({1, 2, 3, 4, 5, 6})  # appendix 3
REVIEW_STATUSES = {1: "پذیرش", 2: "رد", 3: "نیاز به اصلاح"}  # appendix 4
FINAL_RESULTS = {1: "ارتقا", 2: "ارتقا مشروط", 3: "تجدید دوره"}  # appendix 5

# The code each coded field of a request must hold, by the API's field name.
FIELD_CODES: dict[str, frozenset[int] | frozenset[str]] = {
    "CourseStudyCode": COURSE_CODES,
    "DurationId": DURATIONS,
    "GenderId": GENDERS,
    "DeclareCode": DECLARE_CODES,
    "DeclarationTypeId": DECLARATION_TYPES,
    "RejectReasonTypeId": REJECT_REASONS,
}

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def national_code_ok(code: str) -> bool:
    """The Iranian national code's check digit, as the registry defines it."""
    if len(code) != 10 or not code.isascii() or not code.isdigit() or len(set(code)) == 1:
        return False
    remainder = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    expected = remainder if remainder < 2 else 11 - remainder
    return int(code[9]) == expected


def persian_digits(value: object) -> str:
    return str(value).translate(_PERSIAN_DIGITS)
