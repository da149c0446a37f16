"""Blank input workbooks (``simad template``) and the filled demo workbook ``sample.xlsx``.

Templates carry Persian headers with the API name and the rule in a header comment,
dropdowns from the code tables, limits on years and scores, identifier and date columns
formatted as text (so Excel keeps leading zeros and Solar Hijri dates as typed),
right-to-left sheets and a short instructions sheet.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from schemas import codes

from . import fakedata
from .fields import KIND_TITLES, Field, fields
from .normalize import to_persian_digits

TEMPLATE_ROWS = 5000
YEAR_WINDOW = (1370, 1420)  # fixed, so the templates do not change with the calendar
FIXED_TIME = datetime(2024, 1, 1)
TEMPLATE_FILES = {"residents": "residents.xlsx", "upgrades": "upgrades.xlsx"}
TEXT_TYPES = {"id", "national_code", "text", "email", "mobile", "date"}
SCORE_MAX = {"score60": 60, "score30": 30}

INSTRUCTIONS = [
    "راهنمای پر کردن",
    "هر ردیف یک دستیار (یا یک معرفی به ارتقا) است؛ سرستون‌ها را تغییر ندهید.",
    "روی هر سرستون بروید تا نام فیلد در سامانه و قاعده آن را ببینید.",
    "کد ملی را با صفرهای اول آن بنویسید؛ ستون متنی است و صفرها می‌مانند.",
    "تاریخ‌ها را شمسی (۱۴۰۲/۰۷/۱۵) یا میلادی (2023-10-07) بنویسید؛ ارقام فارسی هم پذیرفته است.",
    "پیش از ارسال، فایل را با «simad validate» بررسی کنید؛ خانه‌های نادرست در گزارش قرمز می‌شوند.",
    "دستیاران پیش از معرفی به ارتقا ارسال می‌شوند؛ هر دو برگه می‌توانند در یک فایل باشند.",
]


def _book(path: Path) -> tuple[xlsxwriter.Workbook, dict[str, Any]]:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"created": FIXED_TIME, "author": "simad-sync"})
    formats = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "required": book.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": book.add_format({"num_format": "@"}),
    }
    return book, formats


def _validation(f: Field) -> dict[str, Any] | None:
    rule = {"input_title": f.name[:32], "input_message": f.rule_fa[:255]}
    if f.table:
        table = codes.table(f.table)
        listed = sorted(table.codes, key=int)
        message = "، ".join(f"{c} = {table.title(c)}" for c in listed)
        strict = f.table != "course_codes"
        return {
            "validate": "list",
            "source": listed,
            **rule,
            "input_message": message[:255],
            "error_type": "stop" if strict else "information",
        }
    if f.type == "bool":
        return {"validate": "list", "source": ["بله", "خیر"], **rule}
    if f.type == "year":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": YEAR_WINDOW[0],
            "maximum": YEAR_WINDOW[1],
            **rule,
        }
    if f.type in SCORE_MAX:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": SCORE_MAX[f.type],
            **rule,
        }
    if f.type == "int":
        return {"validate": "integer", "criteria": ">", "value": 0, **rule}
    return None


def _data_sheet(book, formats, kind: str, name: str | None = None):
    ws = book.add_worksheet(name or KIND_TITLES[kind]["fa"])
    ws.right_to_left()
    for c, f in enumerate(fields(kind)):
        ws.set_column(c, c, 18, formats["text"] if f.type in TEXT_TYPES else None)
        ws.write_string(0, c, f.label_fa, formats["required" if f.required else "header"])
        required = "الزامی" if f.required else "اختیاری"
        ws.write_comment(
            0,
            c,
            f"{f.name}\n{f.rule_fa}\n({required})",
            {"x_scale": 2, "y_scale": 1.2, "author": "simad-sync"},
        )
        rule = _validation(f)
        if rule is not None:
            ws.data_validation(1, c, TEMPLATE_ROWS, c, rule)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 36)
    return ws


def _instructions(book, formats) -> None:
    ws = book.add_worksheet("راهنما")
    ws.right_to_left()
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, INSTRUCTIONS[0], formats["header"])
    for r, line in enumerate(INSTRUCTIONS[1:], start=1):
        ws.write_string(r, 0, line)


def write_templates(out_dir: Path | str) -> list[Path]:
    """Write one blank workbook per sheet kind into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, filename in TEMPLATE_FILES.items():
        path = out / filename
        book, formats = _book(path)
        _data_sheet(book, formats, kind)
        _instructions(book, formats)
        book.close()
        written.append(path)
    return written


def _cell_text(f: Field, value: Any, rng: random.Random) -> Any:
    """How an office typically typed this value: mixed digits, Solar Hijri dates, numbers."""
    if value is None:
        return ""
    if f.type == "date":
        text = fakedata.jalali_text(value)
        return to_persian_digits(text) if rng.random() < 0.3 else text
    if f.type == "bool":
        return "بله" if value else "خیر"
    if f.type == "national_code" and value.startswith("0") and rng.random() < 0.5:
        return int(value)  # Excel turned it into a number and dropped the zeros
    if f.type == "mobile" and rng.random() < 0.3:
        return "+98 " + value[1:4] + " " + value[4:7] + " " + value[7:]
    if isinstance(value, str) and value.isdigit() and rng.random() < 0.2:
        return to_persian_digits(value)
    return value


SAMPLE_MISTAKES: dict[tuple[str, int], dict[str, Any]] = {
    # (sheet kind, row index): {field: typed value} — typical mistakes the demo shows
    ("residents", 3): {"NationalCode": "0012345678"},  # wrong check digit
    ("residents", 7): {"Mobile": "0912123"},  # too short
    ("residents", 11): {"GenderId": 3},
    ("residents", 15): {"BirthDate": "1420/01/01"},  # in the future
    ("upgrades", 4): {"BaliniScore": 62},  # above 60
    ("upgrades", 9): {"DeclarationTypeId": 2, "RejectReasonTypeId": ""},  # reason missing
    ("upgrades", 13): {"EthicsScore": "۲۵/۱۲۵"},  # three decimals
    ("upgrades", 17): {"DeclareCode": 2, "DurationId": 3},  # does not fit: a warning only
    ("upgrades", 21): {"StudentNumber": "1409999999"},  # resident never sent: refused on submit
}


def write_sample(path: Path | str, n: int = 40, seed: int = 1403) -> Path:
    """The demo workbook: both sheets, mostly valid rows and a few typical mistakes."""
    path = Path(path)
    rng = random.Random(seed)
    people = fakedata.people(n, seed=seed)
    book, formats = _book(path)
    for kind, key in (("residents", "resident"), ("upgrades", "declaration")):
        ws = _data_sheet(book, formats, kind)
        for i, person in enumerate(people):
            record = dict(person[key])
            record.update(SAMPLE_MISTAKES.get((kind, i), {}))
            for c, f in enumerate(fields(kind)):
                value = record[f.name]
                if (kind, i) in SAMPLE_MISTAKES and f.name in SAMPLE_MISTAKES[(kind, i)]:
                    cell = value
                else:
                    cell = _cell_text(f, value, rng)
                if isinstance(cell, bool):
                    ws.write_boolean(i + 1, c, cell)
                elif isinstance(cell, int | float):
                    ws.write_number(i + 1, c, cell)
                elif cell != "":
                    ws.write_string(i + 1, c, str(cell))
    _instructions(book, formats)
    book.close()
    return path


if __name__ == "__main__":  # regenerate input_templates/
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "input_templates")
    for written in write_templates(target):
        print(written)
    print(write_sample(target / "sample.xlsx"))
