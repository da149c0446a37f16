"""Normalisation of spreadsheet values before validation (SPEC B.4).

Each converter takes one raw cell value (str, float, int, bool, date, datetime or None, as the
readers give them) and returns ``(value, problem)``: the normalised value, or ``None`` with
a problem code when the value cannot be understood. Columns are converted through their
distinct values, so repeated codes and dates cost one conversion each.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import jdatetime

from pipeline.core.digits import TO_ASCII
from schemas import codes
from schemas.fields import SCORE_TYPES

_LETTERS: dict[str, str] = {"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "٫": ".", "٬": ","}
_FOLD: dict[int, int] = {**TO_ASCII, **{ord(k): ord(v) for k, v in _LETTERS.items()}}
_ALEF = str.maketrans(dict.fromkeys("آأإٱ", "ا"))  # alef with madda, hamza or wasla: ا
_EXCEL_EPOCH = datetime(1899, 12, 30)

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


# Marks that come with every copy from a Persian Word file or web page and are never part of
# an identifier, number, code or date: zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner),
# the bidi marks (LRM, RLM, ALM) and the embedding, override and isolate controls, the BOM,
# the soft hyphen, and the Arabic tatweel (ـ, a stretch of the line, never a letter).
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad\u0640"
)
ZWNJ = "\u200c"  # the Persian half-space: part of a name's spelling, kept in text
_DROP_ALL: dict[int, None] = {ord(c): None for c in INVISIBLE}
_DROP_IN_TEXT: dict[int, None] = {k: None for k in _DROP_ALL if k != ord(ZWNJ)}
_QUOTES = "'’‘`"  # a leading apostrophe typed to keep an identifier's zeros


def clean_text(value: str) -> str:
    """Trim, fold white space, ASCII digits, Persian ی/ک for Arabic ي/ك; drop invisible marks
    but the half-space (ZWNJ), which is part of how a Persian name is spelt."""
    if not value.isascii():
        folded = value.translate(_FOLD).translate(_DROP_IN_TEXT)
        if folded != value:  # an unchanged value stays the same object: no copy held
            value = folded
    return " ".join(value.split())


def fold_alef(text: str) -> str:
    """ا for the alef's other forms (آ أ إ ٱ), as words are typed with and without them."""
    return text.translate(_ALEF)


def plain(value: str) -> str:
    """A cell's text as a value to parse: ``clean_text`` without any invisible mark, Arabic
    presentation forms (what a copy from a PDF gives: ﻙ, ﯾ) as plain letters, and without a
    leading apostrophe."""
    if value.isascii():
        return " ".join(value.split()).lstrip(_QUOTES).strip()
    text = clean_text(unicodedata.normalize("NFKC", value))
    text = " ".join(text.translate(_DROP_ALL).split())
    return text.lstrip(_QUOTES).strip()


# A number's text after a CSV round trip: ``9121234567.0`` or ``9.121234567E+09``.
_POINT_ZERO = re.compile(r"([0-9]+)\.0+")
_SCIENTIFIC = re.compile(r"([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]{1,2})")


def _whole_digits(text: str) -> tuple[str | None, bool]:
    """The digits of a whole number written as ``123.0`` or ``1.23E+2``, and whether digits
    were lost (``1.23E+5`` shows three digits of six: the other three were rounded away).
    ``(None, False)`` when the text is neither."""
    if match := _POINT_ZERO.fullmatch(text):
        return match[1], False
    if match := _SCIENTIFIC.fullmatch(text):
        fraction, exponent = match[2] or "", int(match[3])
        if len(fraction) > exponent:
            return None, False  # not a whole number
        return match[1] + fraction + "0" * (exponent - len(fraction)), len(fraction) < exponent
    return None, False


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
    """Text with no inner spaces; a number cell keeps its digits (no '.0'), and so does a
    number's text after a CSV round trip (``98123001.0``, ``9.8123001E+07``) as long as no
    digit was lost."""
    if is_blank(value):
        return None, None
    if not isinstance(value, str):
        value = to_text(value)[0]
    text = plain(value).replace(" ", "")
    if not text:
        return None, None
    if text.isdigit() or not ("." in text or "e" in text or "E" in text):
        return text, None  # the usual case, decided without a regular expression
    digits, lost = _whole_digits(text)
    if lost:
        return None, "digits_lost"
    return (digits or text), None


# Typed between a national code's or a mobile's digits for readability: spaces, hyphens and
# en/em dashes, dots, slashes, underscores, brackets (the tatweel is already gone).
_SEPARATORS = re.compile(r"[\s\-–—_./()]")


def to_national_code(value: Any) -> Converted:
    """Digits of an Iranian national code. Excel drops leading zeros from a number, and no
    issued code starts with three zeros: 8 or 9 digits are padded back to 10; 7 or fewer are
    left as they are (and are not a national code). Separators typed for readability
    (``001-234567-8``, ``۰۰۱.۲۳۴۵۶۷.۸``) are removed. A value with letters (a passport
    number) is kept as typed, in upper case."""
    text, problem = to_identifier(value)
    if text is None:
        return None, problem
    stripped = text if text.isdigit() else _SEPARATORS.sub("", text)
    if stripped.isascii() and stripped.isdigit():
        return (stripped.zfill(10) if len(stripped) in (8, 9) else stripped), None
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
    text = plain(str(value)).replace(",", "").replace(" ", "")
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
    text = plain(str(value)).replace(" ", "")
    if re.fullmatch(r"[+-]?[0-9]+[./,][0-9]+", text):
        text = re.sub(r"[/,]", ".", text)
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        return float(text), None
    return None, "not_number"


@cache
def _yes_no() -> dict[str, bool]:
    """Folded words for yes and no (``schemas/words.csv``: yes_no and nationality)."""
    return {
        title_key(word): code == "1"
        for name in ("yes_no", "nationality")
        for word, code in codes.words(name).items()
    }


@cache
def code_words(name: str) -> dict[str, int]:
    """Folded word → code for a code table: its titles in both languages and its word list
    in ``schemas/words.csv``."""
    table = codes.table(name)
    titles = [(t, c) for c in table.codes for t in (table.titles_fa[c], table.titles_en[c])]
    words = {title_key(t): int(c) for t, c in titles if t}
    if name in codes.WORD_LISTS:
        words |= {title_key(w): int(c) for w, c in codes.words(name).items()}
    return words


def to_bool(value: Any) -> Converted:
    """Yes or no: a boolean cell, 1 or 0, a word of ``schemas/words.csv``, or the text of 1 or 0
    after a numeric round trip (``1.0``, ``0.00``: a CSV saved from a numeric column)."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value), None
        return None, "not_boolean"
    answer = _yes_no().get(title_key(str(value)))
    if answer is None and (match := _POINT_ZERO.fullmatch(plain(str(value)))):
        answer = {"0": False, "1": True}.get(match[1])
    return (answer, None) if answer is not None else (None, "not_boolean")


MONTH_NAMES = [
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
]
# Month names as matched: without the madda (آبان and ابان are both typed), and the older
# name امرداد for مرداد.
MONTHS = {fold_alef(name): i for i, name in enumerate(MONTH_NAMES, start=1)} | {"امرداد": 5}
# "۱ مهر ۱۴۰۲", "۱ مهر ماه ۱۴۰۲", "۱ مهرماه ۱۴۰۲", "۱ مهر، ۱۴۰۲"
_NAMED = re.compile(r"([0-9]{1,2})\s*([^\d\s،,]+?)\s*(?:ماه)?\s*[،,]?\s*([0-9]{4})")
# A time after the date (an export's "T00:00:00", " 00:00"), and nothing else.
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_SEP = r"\s*[-/.]\s*"  # 1402/07/01, 1402 / 07 / 01
_ISO = re.compile(r"([0-9]{4})" + _SEP + r"([0-9]{1,2})" + _SEP + r"([0-9]{1,2})" + _TIME)
_DMY = re.compile(r"([0-9]{1,2})" + _SEP + r"([0-9]{1,2})" + _SEP + r"([0-9]{4})" + _TIME)
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")  # 14020701
_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")  # an Excel serial (with a time) stored as text
# "Solar Hijri" written after the date: هـ.ش, ه.ش, ه ش, هجری شمسی, شمسی, ش
_SOLAR_SUFFIX = re.compile(r"\s*(?:ه\s*\.?\s*ش|هجری\s*شمسی|شمسی|ش)\s*\.?$")
_EXCEL_SERIALS = range(18264, 73052)  # 1950-01-01 to 2099-12-31


def _ymd(year: int, month: int, day: int) -> date | None:
    """A Gregorian date from Gregorian or Solar Hijri parts (the year tells which); None
    for a day the calendar does not have (1402/12/30: 1402 is not a leap year)."""
    try:
        if 1300 <= year <= 1499:
            solar: date = jdatetime.date(year, month, day).togregorian()
            return solar
        if 1800 <= year <= 2200:
            return date(year, month, day)
    except ValueError:
        return None
    return None


def _serial(number: float) -> date | None:
    """An Excel serial number that lost its date format (1950–2099). A fraction is the time
    of day (``45200.75`` is 2023-10-01 18:00): the date is kept, the time dropped."""
    if math.isfinite(number) and (day := math.floor(number)) in _EXCEL_SERIALS:
        return (_EXCEL_EPOCH + timedelta(days=day)).date()
    return None


def _month(word: str) -> int | None:
    return MONTHS.get(fold_alef(word))


def to_date(value: Any) -> Converted:
    """Excel date cells, Excel serial numbers (as numbers or text), ISO text, Solar Hijri
    text in any of the orders offices type (``1402/07/01``, ``01/07/1402``, ``14020701``,
    ``۱ مهر ماه ۱۴۰۲``, with or without «هـ.ش») → ``date``. Anything after the date but a
    time (``1402/07/01 تا 1402/12/29`` is a range) is not a date. A time of day (a date-time
    cell, a serial's fraction ``45200.75``, ``2023-10-01 18:00``) is dropped silently: the
    date is what the ministry takes.

    A date cell whose year is 1300–1499 is a Solar Hijri date a spreadsheet program took for
    a Gregorian one when it was typed: it is read as Solar Hijri, with a warning."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime | date):
        return _date_cell(value)
    if isinstance(value, bool):
        return None, "not_date"
    if isinstance(value, int | float):
        return _date_number(value)
    return _date_text(str(value))


def _date_cell(value: datetime | date) -> Converted:
    day = value.date() if isinstance(value, datetime) else value
    if 1300 <= day.year <= 1499:
        parsed = _ymd(day.year, day.month, day.day)
        return (parsed, "date_cell_solar") if parsed else (None, "not_date")
    return day, None


def _date_number(value: int | float) -> Converted:
    if not math.isfinite(value):
        return None, "not_date"
    parsed = _serial(value)
    whole = str(int(value)) if value == int(value) else ""  # 14020701, never with a fraction
    if parsed is None and (match := _COMPACT.fullmatch(whole)):
        parsed = _ymd(int(match[1]), int(match[2]), int(match[3]))
    return (parsed, None) if parsed is not None else (None, "not_date")


def _date_text(value: str) -> Converted:
    text = _SOLAR_SUFFIX.sub("", plain(value))
    parsed = None
    if match := _ISO.fullmatch(text):
        parsed = _ymd(int(match[1]), int(match[2]), int(match[3]))
    elif match := _DMY.fullmatch(text):
        parsed = _ymd(int(match[3]), int(match[2]), int(match[1]))
    elif match := _COMPACT.fullmatch(text):
        parsed = _ymd(int(match[1]), int(match[2]), int(match[3]))
    elif _SERIAL.fullmatch(text):
        parsed = _serial(float(text))
    elif (match := _NAMED.fullmatch(text)) and (month := _month(match[2])):
        parsed = _ymd(int(match[3]), month, int(match[1]))
    return (parsed, None) if parsed is not None else (None, "not_date")


def to_mobile(value: Any) -> Converted:
    """``+98 912 123 4567``, ``00989121234567``, ``989121234567``, ``9121234567``,
    ``0912.123.4567``, ``'09121234567``, ``9121234567.0`` → 09121234567; also with the trunk
    zero kept after the country code: ``+98 0912 123 4567``, ``+98(0)912…``, ``0098 0912…``."""
    text, problem = to_identifier(value)
    if text is None:
        return None, problem
    digits = text if text.isdigit() else _SEPARATORS.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit()):
        return None, "bad_mobile"
    for prefix in ("0098", "98"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 10:
            digits = "0" + rest
            break
        if digits.startswith(prefix) and len(rest) == 11 and rest.startswith("0"):
            digits = rest  # the trunk zero kept after the country code
            break
    if len(digits) == 10 and digits.startswith("9"):
        digits = "0" + digits
    if re.fullmatch(r"09[0-9]{9}", digits):
        return digits, None
    return None, "bad_mobile"


def to_email(value: Any) -> Converted:
    text, _ = to_identifier(value)
    return (text.lower() if text else None), None


_ACADEMIC_YEAR = re.compile(r"([0-9]{4})\s*[-/–—]\s*([0-9]{4})")


def to_year(value: Any) -> Converted:
    """A year; an academic year ``1402-1403`` is its first year, as the guide prescribes."""
    if isinstance(value, str):
        match = _ACADEMIC_YEAR.fullmatch(plain(value))
        if match and int(match[2]) == int(match[1]) + 1:
            return int(match[1]), None
    return to_int(value)


_DROPDOWN = re.compile(r"([0-9]+)\s*[-–—:.)]\s*(\S.*)")  # "2 - مرد": a code, then its title


def coded(words: dict[str, int]) -> Callable[[Any], Converted]:
    """A converter for a coded field that also accepts the words for a code (its titles and
    what offices type: ``زن``, ``خانم``, ``F`` → 1; keys folded by ``title_key``) or a
    dropdown entry such as ``2 - مرد``. Any other text is not one of the codes."""

    def convert(value: Any) -> Converted:
        number, problem = to_int(value)
        if problem is None or not isinstance(value, str):
            return number, problem
        text = plain(value)
        lead = _DROPDOWN.fullmatch(text)
        if lead:  # a dropdown entry, "2 - مرد": its title must not name another code
            titled = words.get(title_key(lead[2]))
            if titled is not None and titled != int(lead[1]):
                return None, "not_in_table"
            return int(lead[1]), None
        code = words.get(title_key(text))
        return (code, None) if code is not None else (None, "not_in_table")

    return convert


def coded_identifier(value: Any) -> Converted:
    """A code kept as text (a course code) that may be typed as a dropdown entry:
    ``1710 - بیماری‌های داخلی`` → ``1710``."""
    if isinstance(value, str):
        lead = _DROPDOWN.fullmatch(plain(value))
        if lead:
            return lead[1], None
    return to_identifier(value)


def title_key(text: str) -> str:
    """A word folded for matching: ASCII digits, no invisible marks, spaces, half-spaces,
    hyphens (``R-2``) or vowel marks, ا for the alef's other forms (``fold_alef``) and و for ؤ
    (both are typed), lower case."""
    folded = re.sub(r"[\s\-–—_]+", "", plain(text)).lower()
    if not folded.isascii():  # no vowel marks (مُذَکَّر), ا for آ/أ/إ/ٱ, و for ؤ
        folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
        folded = fold_alef(folded).replace("ؤ", "و")
    return folded


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
    **dict.fromkeys(SCORE_TYPES, to_decimal),
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
