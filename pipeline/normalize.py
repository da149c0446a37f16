"""Normalisation of spreadsheet values before validation (SPEC B.4).

Each converter takes one raw cell value (str, float, int, bool, date, datetime or None, as the
readers give them) and returns ``(value, problem)``: the normalised value, or ``None`` with
a problem code when the value cannot be understood. Columns are converted through their
distinct values, so repeated codes and dates cost one conversion each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import jdatetime

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LETTERS: dict[str, str] = {"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "٫": ".", "٬": ","}
_FOLD: dict[int, int] = {**_DIGITS, **{ord(k): ord(v) for k, v in _LETTERS.items()}}
_EXCEL_EPOCH = datetime(1899, 12, 30)

TRUE_WORDS = frozenset(
    [
        "true",
        "1",
        "yes",
        "y",
        "t",
        "بله",
        "بلی",
        "آری",
        "اری",
        "دارد",
        "هست",
        "درست",
        "صحیح",
        "ایرانی",
        "تکمیل",
        "تکمیلشده",
        "کامل",
        "✓",
        "✔",
    ]
)
FALSE_WORDS = frozenset(
    [
        "false",
        "0",
        "no",
        "n",
        "f",
        "خیر",
        "نه",
        "ندارد",
        "نیست",
        "نادرست",
        "غلط",
        "غیرایرانی",
        "ناقص",
        "تکمیلنشده",
        "✗",
        "✘",
    ]
)

Converted = tuple[Any, str | None]


# What Excel shows in a cell whose formula failed. Such a cell is a finding of its own: never
# a valid value and never empty (a required field is not "missing", an optional one is not null).
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
    }
)


def is_excel_error(value: Any) -> bool:
    return isinstance(value, str) and "#" in value and value.strip().upper() in EXCEL_ERRORS


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def to_persian_digits(value: object) -> str:
    """ASCII digits shown as Persian digits (the inverse of the folding below)."""
    return str(value).translate(_TO_PERSIAN)


def clean_text(value: str) -> str:
    """Trim, fold white space, ASCII digits, Persian ی/ک for Arabic ي/ك."""
    if not value.isascii():
        value = value.translate(_FOLD)
    return " ".join(value.split())


def _number_text(value: Any) -> str:
    """A numeric cell as the digits a person typed (12.0 → '12')."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_text(value: Any) -> Converted:
    if is_blank(value):
        return None, None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10], None
    if not isinstance(value, str):
        value = _number_text(value)
    return clean_text(value), None


def to_identifier(value: Any) -> Converted:
    """Text with no inner spaces; a number cell keeps its digits (no '.0')."""
    text, _ = to_text(value)
    if text is None:
        return None, None
    return text.replace(" ", ""), None


def to_national_code(value: Any) -> Converted:
    """Digits of an Iranian national code, zero-padded back to 10 when Excel dropped them.

    Separators typed for readability (``001-234567-8``) are removed. A value with letters
    (a passport number) is kept as typed, in upper case.
    """
    text, _ = to_identifier(value)
    if text is None:
        return None, None
    stripped = text.replace("-", "").replace("_", "")
    if stripped.isascii() and stripped.isdigit():
        return (stripped.zfill(10) if 7 <= len(stripped) < 10 else stripped), None
    return text.upper(), None


def to_int(value: Any) -> Converted:
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, "not_integer"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        return (int(value), None) if value.is_integer() else (None, "not_integer")
    if isinstance(value, datetime | date):
        return None, "not_integer"
    text = clean_text(str(value)).replace(",", "")
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text), None
    if re.fullmatch(r"[+-]?[0-9]+\.0*", text):
        return int(text.split(".")[0]), None
    return None, "not_integer"


def to_decimal(value: Any) -> Converted:
    """A score: numbers, or text with a Persian decimal sign (٫) or a slash (۴۵/۵)."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool | datetime | date):
        return None, "not_number"
    if isinstance(value, int | float):
        return float(value), None
    text = clean_text(str(value)).replace(" ", "")
    if re.fullmatch(r"[+-]?[0-9]+[./,][0-9]+", text):
        text = re.sub(r"[/,]", ".", text)
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        return float(text), None
    return None, "not_number"


def to_bool(value: Any) -> Converted:
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value), None
        return None, "not_boolean"
    word = clean_text(str(value)).lower().replace(" ", "").replace("\u200c", "")
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    return None, "not_boolean"


MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "فروردین",
            "اردیبهشت",
            "خرداد",
            "تیر",
            "مرداد",
            "شهریور",
            "مهر",
            "آبان",
            "آذر",
            "دی",
            "بهمن",
            "اسفند",
        ],
        start=1,
    )
}
_NAMED = re.compile(r"([0-9]{1,2})\s+(\S+)\s+([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[ T].*)?")
_DMY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def _ymd(year: int, month: int, day: int) -> date | None:
    """A Gregorian date from Gregorian or Solar Hijri parts (the year tells which)."""
    try:
        if 1300 <= year <= 1499:
            return jdatetime.date(year, month, day).togregorian()
        if 1800 <= year <= 2200:
            return date(year, month, day)
    except ValueError:
        return None
    return None


def to_date(value: Any) -> Converted:
    """Excel date cells, Excel serial numbers, ISO text and Solar Hijri text → ``date``."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, bool):
        return None, "not_date"
    if isinstance(value, int | float):
        # An Excel serial number that lost its date format (1950–2100).
        if 18264 <= value <= 73051:
            return (_EXCEL_EPOCH + timedelta(days=int(value))).date(), None
        return None, "not_date"
    text = clean_text(str(value))
    match = _ISO.fullmatch(text)
    if match:
        parsed = _ymd(int(match[1]), int(match[2]), int(match[3]))
    elif match := _DMY.fullmatch(text):
        parsed = _ymd(int(match[3]), int(match[2]), int(match[1]))
    elif (match := _NAMED.fullmatch(text)) and match[2] in MONTHS:  # ۱۵ مهر ۱۴۰۲
        parsed = _ymd(int(match[3]), MONTHS[match[2]], int(match[1]))
    else:
        parsed = None
    return (parsed, None) if parsed is not None else (None, "not_date")


def to_mobile(value: Any) -> Converted:
    """``+98 912 123 4567``, ``00989121234567``, ``989121234567``, ``9121234567`` → 09121234567."""
    text, _ = to_identifier(value)
    if text is None:
        return None, None
    digits = re.sub(r"[\s()\-.]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit()):
        return None, "bad_mobile"
    for prefix in ("0098", "98"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 10:
            digits = "0" + digits[len(prefix) :]
            break
    if len(digits) == 10 and digits.startswith("9"):
        digits = "0" + digits
    if re.fullmatch(r"09[0-9]{9}", digits):
        return digits, None
    return None, "bad_mobile"


def to_email(value: Any) -> Converted:
    text, _ = to_identifier(value)
    return (text.lower() if text else None), None


_ACADEMIC_YEAR = re.compile(r"([0-9]{4})\s*[-/–]\s*([0-9]{4})")


def to_year(value: Any) -> Converted:
    """A year; an academic year ``1402-1403`` is its first year, as the guide prescribes."""
    if isinstance(value, str):
        match = _ACADEMIC_YEAR.fullmatch(clean_text(value))
        if match and int(match[2]) == int(match[1]) + 1:
            return int(match[1]), None
    return to_int(value)


def coded(table_titles: dict[str, int]) -> Callable[[Any], Converted]:
    """A converter for a coded field that also accepts the code's title (``زن`` → 1)
    or a dropdown entry such as ``2 - مرد``."""

    def convert(value: Any) -> Converted:
        number, problem = to_int(value)
        if problem is None or not isinstance(value, str):
            return number, problem
        text = clean_text(value)
        lead = re.match(r"([0-9]+)\s*[-–:.)]\s*\S", text)
        if lead:
            return int(lead[1]), None
        key = title_key(text)
        if key in table_titles:
            return table_titles[key], None
        return None, "not_integer"

    return convert


def coded_identifier(value: Any) -> Converted:
    """A code kept as text (a course code) that may be typed as a dropdown entry:
    ``1710 - بیماری‌های داخلی`` → ``1710``."""
    if isinstance(value, str):
        lead = re.match(r"([0-9]+)\s*[-–:.)]\s*\S", clean_text(value))
        if lead:
            return lead[1], None
    return to_identifier(value)


def title_key(text: str) -> str:
    """A title folded for matching: ASCII digits, no spaces or ZWNJ, lower case."""
    return re.sub(r"[\s\u200c]+", "", clean_text(text)).lower()


CONVERTERS: dict[str, Callable[[Any], Converted]] = {
    "id": to_identifier,
    "national_code": to_national_code,
    "text": to_text,
    "int": to_int,
    "year": to_year,
    "date": to_date,
    "bool": to_bool,
    "email": to_email,
    "mobile": to_mobile,
    "score60": to_decimal,
    "score30": to_decimal,
}


def convert_column(
    values: list[Any], kind: str | Callable[[Any], Converted]
) -> tuple[list[Any], dict[int, str]]:
    """Convert a column; return the values and ``{position: problem code}`` for failures.

    Conversion goes through the distinct values (hashable ones), so a column of a few
    codes or dates costs a few conversions, not one per row.
    """
    convert = CONVERTERS[kind] if isinstance(kind, str) else kind
    texts: dict[str, Converted] = {}  # str keys never collide with numbers (1 == 1.0 == True)
    others: dict[tuple[type, Any], Converted] = {}
    out: list[Any] = []
    problems: dict[int, str] = {}
    for i, raw in enumerate(values):
        if type(raw) is str and "#" in raw and is_excel_error(raw):
            out.append(None)
            problems[i] = "excel_error"
            continue
        if type(raw) is str:
            result = texts.get(raw)
            if result is None:
                result = texts[raw] = convert(raw)
        else:
            try:
                result = others.get((type(raw), raw))
                if result is None:
                    result = others[(type(raw), raw)] = convert(raw)
            except TypeError:  # unhashable
                result = convert(raw)
        out.append(result[0])
        if result[1] is not None:
            problems[i] = result[1]
    return out, problems
