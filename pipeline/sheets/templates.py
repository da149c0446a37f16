"""Blank input workbooks (``simad template``) and the filled demo workbook ``sample.xlsx``.

Templates carry Persian headers with the API name and the rule in a header comment,
dropdowns from the code tables, limits on years and scores, identifier and date columns
formatted as text (so Excel keeps leading zeros and Solar Hijri dates as typed),
right-to-left sheets and a short instructions sheet. Headers, required-ness, dropdowns and
limits all come from each field's line of ``schemas/fields.csv``; the language is the
current one.
"""

from __future__ import annotations

import io
import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from pipeline.core.digits import persian_digits
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import current_lang, face, language, listing, plain, t
from pipeline.sheets import fakedata
from pipeline.sheets.fields import KIND_TITLES, LISTS_SHEET, Field, fields
from schemas import codes
from schemas.fields import SCORE_TYPES
from schemas.rules import RULES

TEMPLATE_ROWS = 5000
# A bound that moves with the calendar (``year+1``) is this in a template, so that the
# templates do not change with the calendar.
YEAR_CEILING = 1420
FIXED_TIME = datetime(2024, 1, 1)
TEMPLATE_FILES = {"residents": "residents.xlsx", "upgrades": "upgrades.xlsx"}
TEXT_TYPES = {"id", "national_code", "text", "email", "mobile", "date"}


def _text(key: str) -> str:
    """A catalogue entry as it is, in the current language and face (no values filled in)."""
    return plain(key)


def _book(path: Path | io.BytesIO) -> tuple[xlsxwriter.Workbook, dict[str, Any]]:
    """A new workbook written to ``path`` (a file, or a buffer: built in memory)."""
    options = {"strings_to_numbers": False, "strings_to_urls": False}
    if isinstance(path, io.BytesIO):
        book = xlsxwriter.Workbook(path, {**options, "in_memory": True})
    else:
        book = xlsxwriter.Workbook(str(path), options)
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


def dropdown_entries(table_name: str) -> list[str]:
    """A code table's dropdown entries, ``1 - زن``: the code first (what is sent), then its
    title in the current language (what a person reads). Input accepts them, the code alone
    and the title alone."""
    table = codes.table(table_name)
    lang = current_lang()
    return [f"{c} - {table.title(c, lang)}" for c in sorted(table.codes, key=int)]


def _coded_tables() -> list[str]:
    return sorted({f.table for kind in TEMPLATE_FILES for f in fields(kind) if f.table})


def _list_ranges() -> dict[str, str]:
    """Code table → the range of its dropdown entries on the hidden lists sheet. A list typed
    into the validation itself may not exceed 255 characters (Excel's limit), which the
    course codes alone do."""
    ranges = {}
    for c, name in enumerate(_coded_tables()):
        column, n = chr(ord("A") + c), len(dropdown_entries(name))
        ranges[name] = f"={LISTS_SHEET}!${column}$2:${column}${n + 1}"
    return ranges


def _lists_sheet(book: xlsxwriter.Workbook) -> None:
    """The hidden sheet of dropdown entries, one column per code table (the last sheet)."""
    ws = book.add_worksheet(LISTS_SHEET)
    for c, name in enumerate(_coded_tables()):
        ws.write_string(0, c, name)
        for r, entry in enumerate(dropdown_entries(name), start=1):
            ws.write_string(r, c, entry)
    ws.hide()


def _limit(f: Field) -> dict[str, Any] | None:
    """The field's range (``low``/``high`` of its line) as Excel's criteria; a bound that
    moves with the calendar is fixed (``YEAR_CEILING``)."""
    low, high = f.bounds()
    if f.relative and f.type == "year":
        high = YEAR_CEILING
    if not isinstance(low, int | float):
        return None
    if isinstance(high, int | float):
        return {"criteria": "between", "minimum": low, "maximum": high}
    return {"criteria": ">", "value": low - 1}  # whole numbers: at least ``low``


def _validation(f: Field, lists: dict[str, str]) -> dict[str, Any] | None:
    """The cell validation of a field's column: its code table's dropdown, yes or no, or
    its range."""
    rule = {"input_title": f.name[:32], "input_message": _rule_text(f)[:255]}
    if f.table:
        strict = RULES[f.table_rule or "not_in_table"].severity == "error"  # else: a warning
        return {
            "validate": "list",
            "source": lists[f.table],
            **rule,
            "error_type": "stop" if strict else "information",
        }
    if f.type == "bool":
        return {"validate": "list", "source": _text("template_yes_no").split(","), **rule}
    limit = _limit(f) if f.numeric else None
    if limit is None:
        return None
    kind = "decimal" if f.type in SCORE_TYPES else "integer"
    return {"validate": kind, **limit, **rule}


def _rule_text(f: Field) -> str:
    return f.rule_fa if current_lang() == "fa" else f.rule_en


def _data_sheet(book: Any, formats: dict[str, Any], kind: str, lists: dict[str, str]) -> Any:
    ws = book.add_worksheet(KIND_TITLES[kind][current_lang()])
    if current_lang() == "fa":
        ws.right_to_left()
    for c, f in enumerate(fields(kind)):
        ws.set_column(c, c, 18, formats["text"] if f.type in TEXT_TYPES else None)
        ws.write_string(
            0, c, f.label(current_lang()), formats["required" if f.required else "header"]
        )
        required = _text("template_required" if f.required else "template_optional")
        ws.write_comment(
            0,
            c,
            f"{f.name}\n{_rule_text(f)}\n({required})",
            {"x_scale": 2, "y_scale": 1.2, "author": "simad-sync"},
        )
        rule = _validation(f, lists)
        if rule is not None:
            ws.data_validation(1, c, TEMPLATE_ROWS, c, rule)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 36)
    ws.set_landscape()  # printed: one page wide, the header row on every page
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    return ws


def _instructions(book: Any, formats: dict[str, Any]) -> None:
    lines = _text("template_instructions").splitlines()
    ws = book.add_worksheet(_text("template_guide"))
    if current_lang() == "fa":
        ws.right_to_left()
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, lines[0], formats["header"])
    for r, line in enumerate(lines[1:], start=1):
        ws.write_string(r, 0, line)


def write_templates(out_dir: Path | str, *, force: bool = False) -> list[Path]:
    """Write one blank workbook per sheet kind into ``out_dir``, in the current language;
    return their paths. An existing file is kept (``ConfigError``) unless ``force``."""
    out = Path(out_dir)
    paths = [out / filename for filename in TEMPLATE_FILES.values()]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise ConfigError(t("template_exists", paths=listing(existing)))
    out.mkdir(parents=True, exist_ok=True)
    for kind, path in zip(TEMPLATE_FILES, paths, strict=True):
        _write_template(kind, path)
    return paths


def template_bytes(kind: str) -> bytes:
    """The blank workbook of one sheet kind (a key of ``TEMPLATE_FILES``), in the current
    language, built in memory: the workbook ``write_templates`` writes to its file."""
    if kind not in TEMPLATE_FILES:
        raise ConfigError(t("ui_template_unknown"))
    buffer = io.BytesIO()
    _write_template(kind, buffer)
    return buffer.getvalue()


def _write_template(kind: str, path: Path | io.BytesIO) -> None:
    book, formats = _book(path)
    _data_sheet(book, formats, kind, _list_ranges())
    _instructions(book, formats)
    _lists_sheet(book)
    book.close()


def _cell_text(f: Field, value: Any, rng: random.Random) -> Any:
    """How an office typically typed this value: mixed digits, Solar Hijri dates, numbers."""
    if value is None:
        return ""
    if f.type == "date":
        text = fakedata.jalali_text(value)
        return persian_digits(text) if rng.random() < 0.3 else text
    if f.type == "bool":
        return _text("template_yes_no").split(",")[0 if value else 1]
    if f.type == "national_code" and value.startswith("0") and rng.random() < 0.5:
        return int(value)  # Excel turned it into a number and dropped the zeros
    if f.type == "mobile" and rng.random() < 0.3:
        return "+98 " + value[1:4] + " " + value[4:7] + " " + value[7:]
    if isinstance(value, str) and value.isdigit() and rng.random() < 0.2:
        return persian_digits(value)
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
    """The demo workbook: both sheets, mostly valid rows and a few typical mistakes; in
    Persian, whatever the current language; its guide in the page's words (the clerk opens
    it in the page, and a corrected copy carries the guide along)."""
    with language("fa"), face("page"):
        return _write_sample(Path(path), n, seed)


def _write_sample(path: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    people = fakedata.people(n, seed=seed)
    book, formats = _book(path)
    for kind, key in (("residents", "resident"), ("upgrades", "declaration")):
        ws = _data_sheet(book, formats, kind, _list_ranges())
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
    _lists_sheet(book)
    book.close()
    return path


def write_drug_list(path: Path | str) -> Path:
    """The demo drug list for ``simad maxa check``: a title, then codes and names."""
    path = Path(path)
    book, formats = _book(path)
    ws = book.add_worksheet(fakedata.DRUG_LIST_SHEET)
    ws.right_to_left()
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    title = book.add_format({"bold": True, "font_size": 13, "reading_order": 2})
    ws.write_string(0, 0, fakedata.DRUG_LIST_TITLE, title)
    for c, header in enumerate(fakedata.DRUG_LIST_HEADERS):
        ws.write_string(2, c, header, formats["header"])
    for i, (code, name, form, stock) in enumerate(fakedata.DRUG_LIST, start=1):
        ws.write_number(2 + i, 0, i)
        if code:
            ws.write_string(2 + i, 1, code)
        ws.write_string(2 + i, 2, name)
        ws.write_string(2 + i, 3, form)
        ws.write_number(2 + i, 4, stock)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 56)
    ws.set_column(3, 4, 12)
    book.close()
    return path


if __name__ == "__main__":  # regenerate input_templates/
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "input_templates")
    for written in write_templates(target, force=True):
        print(written)
    print(write_sample(target / "sample.xlsx"))
    print(write_drug_list(target / "drug-list-sample.xlsx"))
