"""Builds the small input files under tests/data/ from the case definitions below.

Run `python -m tests.data.generate` after changing a case; the files are committed so that a
reader can open each one. Each case states the findings it must produce as [row, field, code].
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from pipeline.core.digits import persian_digits
from pipeline.sheets.fields import fields

HERE = Path(__file__).parent

RESIDENT = {
    "StudentNumber": "98123001",
    "NationalCode": "0499370899",
    "CourseStudyCode": "1710",
    "ResidencyStartYear": "1401",
    "ResidentStatusId": "1",
    "DurationId": "2",
    "StartResidencyDate": "1401/07/01",
    "EndResidencyDate": "",
    "FirstName": "مریم",
    "LastName": "احمدی",
    "FatherName": "علی",
    "IsIrani": "بله",
    "BirthDate": "1994-03-01",
    "Email": "m.ahmadi@example.ir",
    "Mobile": "09121234567",
    "Address": "تهران",
    "GenderId": "1",
}
DECLARATION = {
    "StudentNumber": "98123001",
    "YearId": "1402",
    "DeclareCode": "3",
    "DeclarationTypeId": "1",
    "RejectReasonTypeId": "",
    "DurationId": "2",
    "HasLogBook": "بله",
    "BaliniScore": "52.5",
    "OperationScore": "48",
    "EthicsScore": "27.25",
    "StartResidencyDate": "1401/07/01",
    "EndResidencyDate": "",
    "Description": "",
}
OTHER = {"StudentNumber": "98123002", "NationalCode": "0067749828"}

# name: (kind, rows as overrides of the base row, expected [row, field, code])
RULE_CASES: dict[str, tuple[str, list[dict], list[list]]] = {
    "valid_resident": ("residents", [{}], []),
    "required": ("residents", [{"LastName": ""}], [[2, "LastName", "required"]]),
    "excel_error": (
        "residents",
        [{"LastName": "#N/A", "EndResidencyDate": "#REF!"}],
        [[2, "LastName", "excel_error"], [2, "EndResidencyDate", "excel_error"]],
    ),
    "not_integer": (
        "residents",
        [{"ResidentStatusId": "یک"}],
        [[2, "ResidentStatusId", "not_integer"]],
    ),
    "duration_word_unknown": (
        "residents",
        [{"DurationId": "دو"}],
        [[2, "DurationId", "not_in_table"]],
    ),
    "digits_lost": ("residents", [{"Mobile": "9.12E+09"}], [[2, "Mobile", "digits_lost"]]),
    "date_far_future": (
        "residents",
        [{"EndResidencyDate": "1480/01/01"}],
        [[2, "EndResidencyDate", "date_far_future"]],
    ),
    "not_boolean": ("residents", [{"IsIrani": "شاید"}], [[2, "IsIrani", "not_boolean"]]),
    "not_date": ("residents", [{"BirthDate": "1373/13/40"}], [[2, "BirthDate", "not_date"]]),
    "bad_mobile": ("residents", [{"Mobile": "12345"}], [[2, "Mobile", "bad_mobile"]]),
    "bad_email": ("residents", [{"Email": "no-at-sign"}], [[2, "Email", "bad_email"]]),
    "national_code_invalid": (
        "residents",
        [{"NationalCode": "1234567890"}],
        [[2, "NationalCode", "national_code_invalid"]],
    ),
    "national_code_all_same": (
        "residents",
        [{"NationalCode": "1111111111"}],
        [[2, "NationalCode", "national_code_invalid"]],
    ),
    "national_code_zeros": (
        "residents",
        [{"NationalCode": "0010000003"}],  # the check digit works out, six zeros in the middle
        [[2, "NationalCode", "national_code_zeros"]],
    ),
    "passport_invalid": (
        "residents",
        [{"IsIrani": "خیر", "NationalCode": "AB"}],
        [[2, "NationalCode", "passport_invalid"]],
    ),
    "passport_valid": ("residents", [{"IsIrani": "خیر", "NationalCode": "X12345678"}], []),
    "id_malformed": (
        "residents",
        [{"StudentNumber": "98الف123"}],
        [[2, "StudentNumber", "id_malformed"]],
    ),
    "student_number_with_slash": ("residents", [{"StudentNumber": "98/123"}], []),
    "course_malformed": (
        "residents",
        [{"CourseStudyCode": "17a0"}],
        [[2, "CourseStudyCode", "course_malformed"]],
    ),
    "course_unknown": (
        "residents",
        [{"CourseStudyCode": "1799"}],
        [[2, "CourseStudyCode", "course_unknown"]],
    ),
    "year_range": (
        "residents",
        [{"ResidencyStartYear": "2022"}],
        [[2, "ResidencyStartYear", "year_range"]],
    ),
    "not_positive": (
        "residents",
        [{"ResidentStatusId": "0"}],
        [[2, "ResidentStatusId", "not_positive"]],
    ),
    "gender_not_in_table": ("residents", [{"GenderId": "3"}], [[2, "GenderId", "not_in_table"]]),
    "duration_not_in_table": (
        "residents",
        [{"DurationId": "6"}],
        [[2, "DurationId", "not_in_table"]],
    ),
    "end_before_start": (
        "residents",
        [{"EndResidencyDate": "1400/01/01"}],
        [[2, "EndResidencyDate", "end_before_start"]],
    ),
    "birth_in_future": (
        "residents",
        [{"BirthDate": "2035-01-01"}],
        [[2, "BirthDate", "birth_implausible"]],
    ),
    "birth_after_start": (
        "residents",
        [{"BirthDate": "2015-01-01"}],
        [[2, "BirthDate", "birth_implausible"]],
    ),
    "start_year_mismatch": (
        "residents",
        [{"ResidencyStartYear": "1398"}],
        [[2, "ResidencyStartYear", "start_year_mismatch"]],
    ),
    "age_unusual": ("residents", [{"BirthDate": "2003-01-01"}], [[2, "BirthDate", "age_unusual"]]),
    "duplicate_student": (
        "residents",
        [{}, {"NationalCode": OTHER["NationalCode"]}],
        [[2, "StudentNumber", "duplicate_student"], [3, "StudentNumber", "duplicate_student"]],
    ),
    "duplicate_triple": (
        "residents",
        [{}, {"StudentNumber": OTHER["StudentNumber"]}],
        [[2, "NationalCode", "duplicate_triple"], [3, "NationalCode", "duplicate_triple"]],
    ),
    "triple_other_course_ok": (
        "residents",
        [{}, {"StudentNumber": "98123002", "CourseStudyCode": "1713"}],
        [],
    ),
    "valid_declaration": ("upgrades", [{}], []),
    "score_range": (
        "upgrades",
        [{"BaliniScore": "60.5", "EthicsScore": "-1"}],
        [[2, "BaliniScore", "score_range"], [2, "EthicsScore", "score_range"]],
    ),
    "score_decimals": (
        "upgrades",
        [{"OperationScore": "45.125"}],
        [[2, "OperationScore", "score_decimals"]],
    ),
    "not_number": ("upgrades", [{"BaliniScore": "پنجاه"}], [[2, "BaliniScore", "not_number"]]),
    "score_persian_decimal": ("upgrades", [{"BaliniScore": "۴۵٫۵", "EthicsScore": "۲۵/۲۵"}], []),
    "declare_code_not_in_table": (
        "upgrades",
        [{"DeclareCode": "7"}],
        [[2, "DeclareCode", "not_in_table"]],
    ),
    "reject_reason_not_in_table": (
        "upgrades",
        [{"DeclarationTypeId": "2", "RejectReasonTypeId": "9"}],
        [[2, "RejectReasonTypeId", "not_in_table"]],
    ),
    "reject_reason_required": (
        "upgrades",
        [{"DeclarationTypeId": "2"}],
        [[2, "RejectReasonTypeId", "reject_reason_required"]],
    ),
    "reject_reason_forbidden": (
        "upgrades",
        [{"RejectReasonTypeId": "4"}],
        [[2, "RejectReasonTypeId", "reject_reason_forbidden"]],
    ),
    "end_date_required": (
        "upgrades",
        [{"DeclareCode": "10", "DurationId": "4"}],
        [[2, "EndResidencyDate", "end_date_required"]],
    ),
    "certificate_ok": (
        "upgrades",
        [{"DeclareCode": "10", "DurationId": "4", "EndResidencyDate": "1405/06/31"}],
        [],
    ),
    "end_date_unexpected": (
        "upgrades",
        [{"EndResidencyDate": "1405/06/31"}],
        [[2, "EndResidencyDate", "end_date_unexpected"]],
    ),
    "declare_code_duration": (
        "upgrades",
        [{"DeclareCode": "4"}],
        [[2, "DeclareCode", "declare_code_duration"]],
    ),
    "no_logbook": ("upgrades", [{"HasLogBook": "ندارد"}], [[2, "HasLogBook", "no_logbook"]]),
    "duplicate_declaration": (
        "upgrades",
        [{}, {"BaliniScore": "50"}],
        [
            [2, "StudentNumber", "duplicate_declaration"],
            [3, "StudentNumber", "duplicate_declaration"],
        ],
    ),
    "other_year_not_duplicate": (
        "upgrades",
        [{}, {"YearId": "1403", "DeclareCode": "4", "DurationId": "3"}],
        [],
    ),
    "resident_unknown": (
        "upgrades",
        [{"StudentNumber": "97000000"}],
        [[2, "StudentNumber", "resident_unknown"]],
    ),
    "year_id_range": ("upgrades", [{"YearId": "402"}], [[2, "YearId", "year_range"]]),
}
KNOWN_STUDENTS = {"98123001", "98123002"}


def person(n: int) -> dict:
    """A resident's keys that no other row of a case shares: student number, national code."""
    from schemas.identifiers import national_code_check_digit

    nine = f"{4990000 + n * 7919:09d}"
    return {"StudentNumber": f"9813{n:04d}", "NationalCode": nine + national_code_check_digit(nine)}


def rows_of(*overrides: dict) -> list[dict]:
    """One row per override, each its own person (no duplicates between them)."""
    return [{**person(n), **o} for n, o in enumerate(overrides, start=1)]


RLM, LRM, ZWNJ, ZWSP, BOM, ALM, TATWEEL = (
    "\u200f",
    "\u200e",
    "\u200c",
    "\u200b",
    "\ufeff",
    "\u061c",
    "\u0640",
)
ISOLATE, POP = "\u2067", "\u2069"

# Values as offices type them (tests/data/fidelity/): messy but right (no finding) and
# plausible but wrong (the finding each must produce). One file per family.
FIDELITY_CASES: dict[str, tuple[str, list[dict], list[list]]] = {
    # Marks copied along from a Word file or a web page, separators, Persian and Arabic digits
    "invisible": (
        "residents",
        rows_of(
            {"NationalCode": RLM + person(1)["NationalCode"] + LRM},
            {"NationalCode": ISOLATE + "۰" + person(2)["NationalCode"][1:] + POP},
            {"Mobile": "۰۹۱۲" + TATWEEL + "۱۲۳" + TATWEEL + "۴۵۶۷"},
            {"Mobile": "0912–123–4567", "StudentNumber": ZWSP + person(4)["StudentNumber"]},
            {"Mobile": "0912—123—4567", "GenderId": RLM + "۱"},
            {"Mobile": "0912.123.4567", "DurationId": "٢" + LRM},
            {"Mobile": "'09121234567", "BirthDate": LRM + "1994-03-01" + LRM},
            {"NationalCode": "'" + person(8)["NationalCode"], "ResidencyStartYear": "١٤٠١"},
            {"NationalCode": BOM + person(9)["NationalCode"], "IsIrani": "بله" + ZWNJ},
            {"StartResidencyDate": RLM + "۱۴۰۱/۰۷/۰۱" + RLM, "Mobile": ALM + "09121234567"},
            {"FirstName": "محمد" + ZWNJ + "حسین", "Mobile": "+98 (912) 123-4567"},
        ),
        [],
    ),
    "invisible_duplicate": (
        "residents",
        [
            {**person(1)},
            {**person(2), "StudentNumber": RLM + person(1)["StudentNumber"] + ZWSP},
        ],
        [[2, "StudentNumber", "duplicate_student"], [3, "StudentNumber", "duplicate_student"]],
    ),
    # What a CSV export and re-import leaves behind
    "csv_round_trip": (
        "residents",
        rows_of(
            {"StudentNumber": person(1)["StudentNumber"] + ".0"},
            {"Mobile": "9121234567.0"},
            {"Mobile": "9.121234567E+09"},
            {"NationalCode": person(4)["NationalCode"] + ".0"},
            {"Mobile": "9.12123E+09"},
            {"NationalCode": "4.99E+08"},
            {"IsIrani": "1.0"},  # a yes/no column saved as numbers
            {"IsIrani": "1.00"},
            {"IsIrani": "0.0", "NationalCode": "X12345678"},
            {"IsIrani": "۱٫۰"},
            {"IsIrani": "2.0"},
            {"IsIrani": "1.5"},
        ),
        [
            [6, "Mobile", "digits_lost"],
            [7, "NationalCode", "digits_lost"],
            [12, "IsIrani", "not_boolean"],
            [13, "IsIrani", "not_boolean"],
        ],
    ),
    # Mobiles with the country code, with or without the trunk zero after it
    "mobiles": (
        "residents",
        rows_of(
            {"Mobile": "+98 912 123 4567"},
            {"Mobile": "+98 0912 123 4567"},
            {"Mobile": "+98(0)912 123 4567"},
            {"Mobile": "+98 (0) 912-123-4567"},
            {"Mobile": "0098 0912 123 4567"},
            {"Mobile": "0098 912 123 4567"},
            {"Mobile": "98 0912 123 4567"},
            {"Mobile": "۰۰۹۸ ۰۹۱۲ ۱۲۳ ۴۵۶۷"},
            {"Mobile": "+98 0912 123 456"},  # a digit short
            {"Mobile": "+98 0212 123 4567"},  # a Tehran landline
            {"Mobile": "+98 00912 123 4567"},
        ),
        [[10, "Mobile", "bad_mobile"], [11, "Mobile", "bad_mobile"], [12, "Mobile", "bad_mobile"]],
    ),
    # National codes: Excel drops leading zeros, people type separators
    "national_codes": (
        "residents",
        rows_of(
            {"NationalCode": person(1)["NationalCode"].lstrip("0")},  # a number: 8 digits
            {"NationalCode": "499370899"},  # 0499370899 stored as a number: 9 digits
            {
                "NationalCode": "-".join(
                    (
                        persian_digits(person(3)["NationalCode"][:3]),
                        person(3)["NationalCode"][3:9],
                        person(3)["NationalCode"][9],
                    )
                )
            },
            {
                "NationalCode": ".".join(person(4)["NationalCode"][i : i + 3] for i in (0, 3, 6))
                + "."
                + person(4)["NationalCode"][9]
            },
            {"NationalCode": "7749828"},  # 7 digits: three zeros lost is no national code
            {"NationalCode": "1111111111"},  # the check digit works out, all digits alike
            {"NationalCode": "0000000000"},
            {"NationalCode": "12300000"},  # 0012300000: a wrong check digit
            {"NationalCode": "11537027"},  # 0011537027 (persian-tools' own example)
            {"NationalCode": "787833770"},  # 0787833770
            {"NationalCode": "10000003"},  # 0010000003: six zeros where the number goes
            {"NationalCode": "1230000003"},
            {"NationalCode": "0490000000"},  # six zeros and a wrong check digit: the zeros said
        ),
        [
            [6, "NationalCode", "national_code_invalid"],
            [7, "NationalCode", "national_code_invalid"],
            [8, "NationalCode", "national_code_invalid"],
            [9, "NationalCode", "national_code_invalid"],
            [12, "NationalCode", "national_code_zeros"],
            [13, "NationalCode", "national_code_zeros"],
            [14, "NationalCode", "national_code_zeros"],
        ],
    ),
    # Dates as offices write them; ranges, impossible days and typos are not dates
    "dates": (
        "residents",
        rows_of(
            {"StartResidencyDate": "۱ مهر ۱۴۰۱"},
            {"StartResidencyDate": "۱ مهر ماه ۱۴۰۱"},
            {"StartResidencyDate": "۱ مهرماه ۱۴۰۱"},
            {"StartResidencyDate": "14010701"},
            {"StartResidencyDate": "1401/07/01 هـ.ش"},
            {"StartResidencyDate": "01/07/1401 ه.ش"},
            {"StartResidencyDate": "۱ مهر ۱۴۰۱ ش"},
            {"StartResidencyDate": "44827"},  # 2022-09-23 as an Excel serial kept as text
            {"StartResidencyDate": "2022-09-23T00:00:00", "BirthDate": "1372 / 12 / 10"},
            {"BirthDate": "1372/12/10 هجری شمسی"},
            {"BirthDate": "1 ابان 1372"},
            {"StartResidencyDate": "1401/07/01 تا 1401/12/29"},
            {"StartResidencyDate": "1401/12/30"},  # 1401 is not a leap year
            {"BirthDate": "1399/12/30"},  # 1399 is: a date, but too young for a residency
            {"StartResidencyDate": "1401/07/32"},
            {"EndResidencyDate": "1490/07/01"},
            {"StartResidencyDate": "44827.75"},  # 2022-09-23 18:00 as a serial kept as text
            {"StartResidencyDate": "۴۴۸۲۷٫۳"},
            {"StartResidencyDate": "1401/07/01 18:30"},
            {"StartResidencyDate": "2022-09-23 18:30:00"},
            {"StartResidencyDate": "4482.75"},  # no date of 1950–2099
        ),
        [
            [13, "StartResidencyDate", "not_date"],
            [14, "StartResidencyDate", "not_date"],
            [15, "BirthDate", "birth_implausible"],
            [16, "StartResidencyDate", "not_date"],
            [17, "EndResidencyDate", "date_far_future"],
            [22, "StartResidencyDate", "not_date"],
        ],
    ),
    # Words for codes, and words that are none of them
    "words": (
        "residents",
        rows_of(
            {"GenderId": "خانم"},
            {"GenderId": "آقا"},
            {"GenderId": "مؤنث"},
            {"GenderId": "مذکر"},
            {"GenderId": "F"},
            {"GenderId": "m"},
            {"GenderId": "1 - زن"},
            {"DurationId": "R2"},
            {"DurationId": "سال دوم"},
            {"DurationId": "سال ۲"},
            {"IsIrani": "ایرانی"},
            {"IsIrani": "آره"},
            {"IsIrani": "غیرایرانی", "NationalCode": "X12345678"},
            {"IsIrani": "اتباع", "NationalCode": "P7654321"},
            {"GenderId": "نامشخص"},
            {"IsIrani": "شاید"},
            {"DurationId": "R6"},
            {"DurationId": "R-2", "GenderId": "مُذَکَّر"},
            {"GenderId": "2 - زن"},  # a dropdown entry whose title names the other code
        ),
        [
            [16, "GenderId", "not_in_table"],
            [17, "IsIrani", "not_boolean"],
            [18, "DurationId", "not_in_table"],
            [20, "GenderId", "not_in_table"],
        ],
    ),
    "words_declarations": (
        "upgrades",
        [
            {"YearId": "1401", "DeclarationTypeId": "معرفی شود", "HasLogBook": "بلی"},
            {"YearId": "1402", "DeclarationTypeId": "معرفی", "HasLogBook": "on"},
            {
                "YearId": "1403",
                "DeclarationTypeId": "عدم معرفی",
                "RejectReasonTypeId": "4",
                "HasLogBook": "نخیر",
            },
            {
                "YearId": "1404",
                "DeclarationTypeId": "معرفی نشود",
                "RejectReasonTypeId": "4",
                "HasLogBook": "yes",
            },
            {"YearId": "1405", "DeclarationTypeId": "شاید"},
            {"YearId": "1400", "DeclarationTypeId": "معرفی شده", "HasLogBook": "دارد"},
        ],
        [[6, "DeclarationTypeId", "not_in_table"]],
    ),
}

# Cells of other types than text. LibreOffice turns a typed 1401/07/01 into a date cell of
# the year 1401 (an .ods keeps it; Excel cannot hold a year before 1900): read as Solar
# Hijri, with a warning. Numbers: 14010701 typed as a number, an Excel serial.
DATE_CELLS: tuple[list[dict], list[list]] = (
    [
        {**person(1), "StartResidencyDate": date(1401, 7, 1)},
        {**person(2), "BirthDate": date(1372, 12, 10), "StartResidencyDate": 14010701},
        {**person(3), "StartResidencyDate": date(1401, 12, 30)},  # no such Solar Hijri day
        {**person(4), "StartResidencyDate": datetime(1401, 7, 1, 18, 30)},  # with a time
    ],
    [
        [2, "StartResidencyDate", "date_cell_solar"],
        [3, "BirthDate", "date_cell_solar"],
        [4, "StartResidencyDate", "not_date"],
        [5, "StartResidencyDate", "date_cell_solar"],
    ],
)
DATE_NUMBERS: tuple[list[dict], list[list]] = (
    [
        {**person(1), "StartResidencyDate": 14010701},
        {**person(2), "StartResidencyDate": 44827},  # 2022-09-23
        {**person(3), "StartResidencyDate": date(2022, 9, 23)},
        {**person(4), "StartResidencyDate": 14011301},  # month 13
        {**person(5), "StartResidencyDate": 44827.75},  # 2022-09-23 18:00
        {**person(6), "StartResidencyDate": datetime(2022, 9, 23, 18, 30)},  # a date-time cell
        {**person(7), "StartResidencyDate": 14010701.5},  # a compact date has no fraction
    ],
    [[5, "StartResidencyDate", "not_date"], [8, "StartResidencyDate", "not_date"]],
)


def write_csv(
    path: Path, header: list[str], rows: list[list], encoding: str = "utf-8", delimiter: str = ","
) -> None:
    if encoding == "cp1256":  # Windows-1256 has no Persian ی: Excel writes the Arabic ي
        header = [h.replace("ی", "ي") for h in header]
        rows = [[str(v).replace("ی", "ي") for v in row] for row in rows]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def base(kind: str) -> dict:
    return RESIDENT if kind == "residents" else DECLARATION


def rule_rows(kind: str, overrides: list[dict]) -> tuple[list[str], list[list]]:
    names = [f.name for f in fields(kind)]
    header = [f.label_fa for f in fields(kind)]
    return header, [[{**base(kind), **o}[n] for n in names] for o in overrides]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"created": datetime(2024, 1, 1)})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, grid in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(
                        r,
                        c,
                        datetime.combine(value, datetime.min.time())
                        if not isinstance(value, datetime)
                        else value,
                        date_format,
                    )
                elif value is None or value == "":
                    continue
                else:
                    ws.write(r, c, value)
    book.close()


def write_ods(path: Path, header: list[str], rows: list[list]) -> None:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves): text, number and date
    cells (a date of any year, as LibreOffice keeps what is typed as ``1401/07/01``)."""

    def cell(v: object) -> str:
        if isinstance(v, date):
            kind = f'office:value-type="date" office:date-value="{v.isoformat()}"'
        elif isinstance(v, int | float):
            kind = f'office:value-type="float" office:value="{v}"'
        else:
            kind = 'office:value-type="string"'
        return f"<table:table-cell {kind}><text:p>{v}</text:p></table:table-cell>"

    body = "".join(
        f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>"
        for row in [header, *rows]
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="دستیاران">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )

    def entry(name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # reproducible bytes
        info.compress_type = compress
        return info

    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            entry("mimetype", zipfile.ZIP_STORED), "application/vnd.oasis.opendocument.spreadsheet"
        )
        z.writestr(entry("content.xml", zipfile.ZIP_DEFLATED), content)
        z.writestr(entry("META-INF/manifest.xml", zipfile.ZIP_DEFLATED), manifest)


def resident_grid(overrides: list[dict], labels: bool = True) -> list[list]:
    header, rows = rule_rows("residents", overrides)
    if not labels:
        header = [f.name for f in fields("residents")]
    return [header, *rows]


def main() -> None:
    rules = HERE / "rules"
    rules.mkdir(exist_ok=True)
    for name, (kind, overrides, _expected) in RULE_CASES.items():
        header, rows = rule_rows(kind, overrides)
        write_csv(rules / f"{name}.csv", header, rows)

    fidelity = HERE / "fidelity"
    fidelity.mkdir(exist_ok=True)
    for name, (kind, overrides, _expected) in FIDELITY_CASES.items():
        header, rows = rule_rows(kind, overrides)
        write_csv(fidelity / f"{name}.csv", header, rows)
    header, rows = rule_rows("residents", DATE_CELLS[0])
    write_ods(fidelity / "date_cells.ods", header, rows)
    write_xlsx(fidelity / "date_numbers.xlsx", {"دستیاران": resident_grid(DATE_NUMBERS[0])})

    formats = HERE / "formats"
    formats.mkdir(exist_ok=True)
    header, rows = rule_rows("residents", [{}, {**OTHER, "FirstName": "يوسف", "LastName": "كاظمي"}])
    write_csv(formats / "utf8_bom.csv", header, rows, encoding="utf-8-sig")
    write_csv(formats / "windows1256.csv", header, rows, encoding="cp1256")
    write_csv(formats / "semicolon.csv", header, rows, delimiter=";")
    api = [f"  {f.name.lower()} " for f in fields("residents")]
    write_csv(formats / "api_headers.csv", api, rows)
    write_ods(formats / "residents.ods", header, rows)
    write_xlsx(
        formats / "title_row.xlsx", {"Sheet1": [["فهرست دستیاران دانشگاه"], [], header, *rows]}
    )
    write_xlsx(formats / "blank_rows.xlsx", {"دستیاران": [header, rows[0], [], [], rows[1]]})
    write_xlsx(
        formats / "two_kinds_and_notes.xlsx",
        {
            "توضیحات": [["این برگه فقط یادداشت است"]],
            "دستیاران": [header, *rows],
            "معرفی": [rule_rows("upgrades", [{}])[0], *rule_rows("upgrades", [{}, OTHER])[1]],
        },
    )
    write_xlsx(formats / "no_known_sheet.xlsx", {"Sheet1": [["الف", "ب"], [1, 2]]})
    write_xlsx(formats / "empty.xlsx", {"Sheet1": []})
    # OLE2 containers: an encrypted workbook names its EncryptedPackage stream, an old
    # Excel 97–2003 workbook its Workbook stream (directory entries are UTF-16LE).
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    (formats / "password.xlsx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le"))
    (formats / "renamed_xls.xlsx").write_bytes(ole + "Workbook".encode("utf-16-le"))
    (formats / "garbage.xlsx").write_bytes(b"this is not a spreadsheet at all")
    write_csv(formats / "empty.csv", [], [])
    write_csv(formats / "unknown_columns.csv", ["الف", "ب", "ج"], [["1", "2", "3"]])

    norm = HERE / "normalise"
    norm.mkdir(exist_ok=True)
    names = [f.name for f in fields("residents")]
    # Typed cells as Excel stores them: numbers, real dates, booleans.
    typed = [dict(RESIDENT) for _ in range(6)]
    for i, row in enumerate(typed):
        row["StudentNumber"] = f"9812300{i}"
    typed[0].update(NationalCode=499370899.0, StudentNumber=98123000.0)  # lost leading zero
    typed[1].update(
        NationalCode="0067749828", StartResidencyDate=date(2022, 9, 23), BirthDate=date(1994, 3, 1)
    )
    typed[2].update(
        NationalCode="۰۰۸۴۵۷۵۹۴۸",
        StartResidencyDate="۱۴۰۱/۰۷/۰۱",
        BirthDate="۱۳۷۲/۱۲/۱۰",
        ResidencyStartYear="۱۴۰۱",
    )
    typed[3].update(
        NationalCode="0019813724",
        IsIrani=True,
        StartResidencyDate=44827.0,
        Mobile="+98 912 123 4567",
    )
    typed[4].update(
        NationalCode="0079134564",
        IsIrani="دارد",
        Mobile="00989121234567",
        StartResidencyDate="2022-09-23T00:00:00",
        FirstName="علي",
        GenderId=1.0,
    )
    typed[5].update(
        NationalCode=79913490.0,
        IsIrani=1.0,
        Mobile=9121234567.0,
        StartResidencyDate="01/07/1401",
        FirstName="  كاوه  ",
    )
    write_xlsx(
        norm / "typed_cells.xlsx",
        {
            "دستیاران": [
                [f.label_fa for f in fields("residents")],
                *[[r[n] for n in names] for r in typed],
            ]
        },
    )
    scores = [
        dict(
            DECLARATION,
            BaliniScore=45.119999999999997,
            OperationScore=48.0,
            EthicsScore=27.25,
            HasLogBook=True,
            YearId=1402.0,
        )
    ]
    dnames = [f.name for f in fields("upgrades")]
    write_xlsx(
        norm / "float_noise.xlsx", {"upgrades": [dnames, *[[r[n] for n in dnames] for r in scores]]}
    )
    # A text value far below the first thousand rows of a numeric column.
    late = [
        dict(RESIDENT, StudentNumber=f"97{i:06d}", NationalCode=f"{123456789 + i * 7}")
        for i in range(1200)
    ]
    from schemas.identifiers import national_code_check_digit

    for row in late:
        nine = row["NationalCode"][:9]
        row["NationalCode"] = float(nine + national_code_check_digit(nine))
    late[1100]["NationalCode"] = "X-LATE-TEXT"
    write_xlsx(
        norm / "late_text.xlsx",
        {
            "دستیاران": [
                [f.label_fa for f in fields("residents")],
                *[[r[n] for n in names] for r in late],
            ]
        },
    )


if __name__ == "__main__":
    main()
