"""Every validation rule: its stable code, severity, and message in Persian and English.

Messages are templates: ``{column}`` is the user's own header, ``{value}`` the value as typed,
and a rule may use further names (``{allowed}``, ``{low}``, ``{high}``, ``{rows}``), which it
declares (``Rule.values``); ``tests/test_field_rules.py`` holds the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # "error": the row is not sent · "warning": sent, but shown
    fa: str
    en: str
    values: tuple[str, ...] = ()
    """What the message needs beyond ``{column}`` and ``{value}`` (the value as typed), given
    by whoever reports the rule: a field's line in ``schemas/fields.csv`` (``allowed``,
    ``low``, ``high``), a ``RowRule`` of the schemas, the validation (``rows``, ``hint``).
    ``value`` listed here replaces the value as typed."""

    def text(self, lang: str) -> str:
        """The message template in ``lang``."""
        return self.fa if lang == "fa" else self.en


_RULES = [
    # Reading and conversion
    Rule(
        "excel_error",
        "error",
        "«{column}» مقدار خطای اکسل دارد ({value})؛ فرمول این خانه را درست کنید یا مقدار درست را تایپ کنید.",
        "{column} holds an Excel error value ({value}); fix the cell's formula or type the right value.",
    ),
    Rule(
        "required",
        "error",
        "«{column}» خالی است و باید پر شود.",
        "{column} is empty; it is required.",
    ),
    Rule(
        "column_missing",
        "error",
        "ستون «{column}» در این برگه نیست؛ هیچ ردیفی بدون آن ارسال نمی‌شود.{hint}",
        "The sheet has no {column} column; no row can be sent without it.{hint}",
        values=("hint",),
    ),
    Rule(
        "header_unknown",
        "warning",
        "سرستون «{value}» شناخته نشد و این ستون خوانده نمی‌شود.{hint}",
        "The header '{value}' is not recognised; the column is not read.{hint}",
        values=("hint",),
    ),
    Rule(
        "not_integer",
        "error",
        "«{column}» باید عدد صحیح باشد، نه «{value}».",
        "{column} must be a whole number, not '{value}'.",
    ),
    Rule(
        "not_number",
        "error",
        "«{column}» باید عدد باشد، نه «{value}».",
        "{column} must be a number, not '{value}'.",
    ),
    Rule(
        "not_boolean",
        "error",
        "«{column}» باید بله یا خیر باشد (بله، خیر، ۱، ۰، ایرانی، غیرایرانی)، نه «{value}».",
        "{column} must be yes or no (yes, no, 1, 0, بله, خیر), not '{value}'.",
    ),
    Rule(
        "not_date",
        "error",
        "«{column}» یک تاریخ معتبر نیست: «{value}» (مثل ۱۴۰۲/۰۷/۱۵ یا 2023-10-07؛ یک تاریخ، نه بازه).",
        "{column} is not one valid date: '{value}' (e.g. 1402/07/15 or 2023-10-07; one date, not a range).",
    ),
    Rule(
        "date_cell_solar",
        "warning",
        "«{column}» خانهٔ تاریخ میلادی است («{value}») ولی سالش شمسی است؛ تاریخ شمسی خوانده شد. اگر درست است، بعد از این ستون را در اکسل «متن» کنید.",
        "{column} is a Gregorian date cell ('{value}') whose year is a Solar Hijri one; it was read as Solar Hijri. If that is right, format the column as Text in Excel from now on.",
    ),
    Rule(
        "date_far_future",
        "error",
        "«{column}» بیش از یک سال بعد از امروز است: «{value}».",
        "{column} is more than a year from today: '{value}'.",
    ),
    Rule(
        "digits_lost",
        "error",
        "«{column}» به نماد علمی (مثل 9.12E+09) درآمده و رقم‌هایی از آن از دست رفته: «{value}». ستون را در اکسل «متن» کنید و مقدار را دوباره وارد کنید.",
        "{column} was turned into scientific notation (like 9.12E+09) and lost digits: '{value}'. Format the column as Text in Excel and type the value again.",
    ),
    Rule(
        "bad_mobile",
        "error",
        "«{column}» شماره موبایل معتبری نیست: «{value}» (۱۱ رقم با ۰۹ شروع شود).",
        "{column} is not a valid mobile number: '{value}' (11 digits starting 09).",
    ),
    Rule(
        "bad_email",
        "warning",
        "«{column}» شبیه نشانی ایمیل نیست: «{value}».",
        "{column} does not look like an email address: '{value}'.",
    ),
    # Identifiers
    Rule(
        "national_code_invalid",
        "error",
        "«{column}» کد ملی معتبری نیست: «{value}» (۱۰ رقم با رقم کنترل درست).",
        "{column} is not a valid Iranian national code: '{value}' (10 digits, valid check digit).",
    ),
    Rule(
        "national_code_zeros",
        "error",
        "«{column}» کد ملی معتبری نیست: «{value}»؛ رقم‌های چهارم تا نهمِ کد ده‌رقمی همه صفرند و هیچ کد ملی‌ای با این شش صفر صادر نمی‌شود.",
        "{column} is not a valid Iranian national code: '{value}': digits 4 to 9 of the ten are all zero, and no code is issued with these six zeros.",
    ),
    Rule(
        "passport_invalid",
        "error",
        "برای دستیار غیرایرانی، «{column}» باید شماره گذرنامه باشد (۵ تا ۲۰ حرف لاتین یا رقم): «{value}».",
        "For a non-Iranian resident {column} must be a passport-like id (5–20 Latin letters or digits): '{value}'.",
    ),
    Rule(
        "id_malformed",
        "error",
        "«{column}» فقط حرف لاتین، رقم، خط تیره، / و . می‌پذیرد (حداکثر ۳۰ نویسه): «{value}».",
        "{column} accepts only Latin letters, digits, '-', '/', '_' and '.' (30 at most): '{value}'.",
    ),
    # Code tables and ranges
    Rule(
        "not_in_table",
        "error",
        "«{column}» کد مجازی نیست: «{value}» (مجاز: {allowed}).",
        "{column} is not an allowed code: '{value}' (allowed: {allowed}).",
        values=("allowed",),
    ),
    Rule(
        "course_malformed",
        "error",
        "«{column}» باید کد عددی ۴ یا ۵ رقمی رشته باشد: «{value}».",
        "{column} must be a 4- or 5-digit course code: '{value}'.",
    ),
    Rule(
        "course_unknown",
        "warning",
        "کد رشته «{value}» در بخش خوانای پیوست ۶ راهنما نیست؛ اگر از جدول رسمی است درست است.",
        "Course code '{value}' is not in the legible part of appendix 6; fine if it is in the official table.",
    ),
    Rule(
        "course_not_in_table",
        "error",
        "کد رشته «{value}» در جدول رسمی رشته‌ها نیست.",
        "Course code '{value}' is not in the official course table.",
    ),
    Rule(
        "year_range",
        "error",
        "«{column}» باید سال شمسی چهار رقمی بین {low} و {high} باشد، نه «{value}».",
        "{column} must be a four-digit Solar Hijri year between {low} and {high}, not '{value}'.",
        values=("low", "high"),
    ),
    Rule(
        "not_positive",
        "error",
        "«{column}» باید عدد صحیح مثبت باشد، نه «{value}».",
        "{column} must be a positive whole number, not '{value}'.",
    ),
    Rule(
        "score_range",
        "error",
        "«{column}» باید بین ۰ و {high} باشد، نه «{value}».",
        "{column} must be between 0 and {high}, not '{value}'.",
        values=("high",),
    ),
    Rule(
        "score_decimals",
        "error",
        "«{column}» حداکثر دو رقم اعشار می‌پذیرد: «{value}».",
        "{column} allows at most two decimals: '{value}'.",
    ),
    # Cross-field rules
    Rule(
        "reject_reason_required",
        "error",
        "برای «عدم معرفی»، «{column}» باید پر شود.",
        "{column} is required when the resident is not declared.",
    ),
    Rule(
        "reject_reason_forbidden",
        "error",
        "برای دستیار معرفی‌شده، «{column}» باید خالی باشد.",
        "{column} must be empty when the resident is declared.",
    ),
    Rule(
        "end_date_required",
        "error",
        "برای گواهینامه (کد معرفی ۱۰)، «{column}» باید پر شود.",
        "{column} is required for the certificate (declare code 10).",
    ),
    Rule(
        "end_before_start",
        "error",
        "«{column}» پیش از تاریخ شروع دوره است.",
        "{column} is before the start date.",
    ),
    Rule(
        "end_date_unexpected",
        "warning",
        "«{column}» فقط برای متقاضیان گواهینامه لازم است.",
        "{column} is only needed for certificate applicants.",
    ),
    Rule(
        "birth_implausible",
        "error",
        "«{column}» تاریخ تولد ممکنی نیست: «{value}».",
        "{column} is not a possible birth date: '{value}'.",
    ),
    Rule(
        "age_unusual",
        "warning",
        "سن دستیار در شروع دوره {age} سال می‌شود؛ «{column}» را بررسی کنید.",
        "The resident would be {age} at the start of residency; check {column}.",
        values=("age",),
    ),
    Rule(
        "start_year_mismatch",
        "warning",
        "«{column}» با سال تاریخ شروع دوره ({year}) نمی‌خواند.",
        "{column} does not match the year of the start date ({year}).",
        values=("year",),
    ),
    Rule(
        "declare_code_duration",
        "warning",
        "کد معرفی {value} با سال دستیاری {duration} نمی‌خواند (انتظار: {expected}).",
        "Declare code {value} does not fit residency year {duration} (expected {expected}).",
        values=("value", "duration", "expected"),
    ),
    Rule(
        "no_logbook",
        "warning",
        "دستیار معرفی شده ولی لاگ‌بوک‌هایش تکمیل نیست.",
        "The resident is declared but the logbooks are not complete.",
    ),
    Rule(
        "resident_unknown",
        "warning",
        "دستیار «{value}» نه در این ورودی هست و نه پیش‌تر ارسال شده است.",
        "Resident '{value}' is neither in this input nor known from earlier runs.",
    ),
    # Duplicates inside the input
    Rule(
        "duplicate_student",
        "error",
        "شماره دانشجویی «{value}» در ورودی تکرار شده است (ردیف‌های {rows}).",
        "Student number '{value}' appears more than once (rows {rows}).",
        values=("rows",),
    ),
    Rule(
        "duplicate_triple",
        "error",
        "کد ملی، کد رشته و سال شروع دستیاری این ردیف با ردیف‌های {rows} یکی است.",
        "National code, course code and start year repeat in rows {rows}.",
        values=("rows",),
    ),
    Rule(
        "duplicate_declaration",
        "error",
        "معرفی دانشجو «{value}» برای این سال در ورودی تکرار شده است (ردیف‌های {rows}).",
        "Student '{value}' is declared more than once for this year (rows {rows}).",
        values=("rows",),
    ),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
