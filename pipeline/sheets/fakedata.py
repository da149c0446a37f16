"""Fictional residents and declarations for the demo workbook, the benchmark and tests.

Names are common Persian names combined at random; national codes are generated with a valid
check digit and belong to nobody in particular.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jdatetime
import xlsxwriter

from pipeline.sheets.fields import fields
from schemas import codes
from schemas.identifiers import is_valid_national_code, national_code_check_digit

FIRST_F = ["مریم", "زهرا", "فاطمه", "سارا", "نرگس", "الهام", "مهسا", "لیلا", "نازنین", "آزاده"]
FIRST_M = ["علی", "محمد", "حسین", "رضا", "امیر", "مهدی", "سعید", "حمید", "کاوه", "بابک"]
LAST = [
    "احمدی",
    "محمدی",
    "حسینی",
    "رضایی",
    "کریمی",
    "موسوی",
    "جعفری",
    "صادقی",
    "رحیمی",
    "کاظمی",
    "نوری",
    "طاهری",
    "یزدانی",
    "شریفی",
    "قاسمی",
]
CITIES = [
    "تهران، خیابان انقلاب",
    "مشهد، بلوار وکیل‌آباد",
    "اصفهان، خیابان چهارباغ",
    "شیراز، خیابان زند",
    "تبریز، خیابان امام",
    "کرمان، بلوار جمهوری",
]


def national_code(rng: random.Random) -> str:
    nine = f"{rng.randrange(0, 10**9):09d}"
    code = nine + national_code_check_digit(nine)
    return code if is_valid_national_code(code) else national_code(rng)


def jalali_text(day: date) -> str:
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year}/{j.month:02d}/{j.day:02d}"


def people(n: int, seed: int = 1403, start_year: int = 1401) -> list[dict[str, Any]]:
    """``n`` residents and, for each, an upgrade declaration for ``start_year + 1``."""
    rng = random.Random(seed)
    courses = sorted(
        c
        for c in codes.table("course_codes").codes
        if "خوانا" not in (codes.table("course_codes").title(c) or "")
    )
    out = []
    used: set[str] = set()
    for i in range(n):
        female = rng.random() < 0.55
        code = national_code(rng)
        while code in used:
            code = national_code(rng)
        used.add(code)
        duration = rng.randint(1, 4)
        start = date(1401 + 621, 9, 23) - timedelta(days=365 * (duration - 1))
        birth = start - timedelta(days=rng.randint(26 * 365, 34 * 365))
        resident = {
            "StudentNumber": f"{start_year % 100}{i + 1:07d}",
            "NationalCode": code,
            "CourseStudyCode": rng.choice(courses),
            "ResidencyStartYear": start_year - duration + 1,
            "ResidentStatusId": 1,
            "DurationId": duration,
            "StartResidencyDate": start,
            "EndResidencyDate": None,
            "FirstName": rng.choice(FIRST_F if female else FIRST_M),
            "LastName": rng.choice(LAST),
            "FatherName": rng.choice(FIRST_M),
            "IsIrani": True,
            "BirthDate": birth,
            "Email": f"resident{i + 1}@univ.example.ir",
            "Mobile": f"09{rng.randrange(10**9):09d}",
            "Address": rng.choice(CITIES),
            "GenderId": 1 if female else 2,
        }
        declared = rng.random() < 0.9
        declaration = {
            "StudentNumber": resident["StudentNumber"],
            "YearId": start_year + 1,
            "DeclareCode": duration + 1,
            "DeclarationTypeId": 1 if declared else 2,
            "RejectReasonTypeId": None if declared else rng.randint(1, 6),
            "DurationId": duration,
            "HasLogBook": declared,
            "BaliniScore": round(rng.uniform(35, 60) * 4) / 4,
            "OperationScore": round(rng.uniform(35, 60) * 2) / 2,
            "EthicsScore": round(rng.uniform(18, 30), 1),
            "StartResidencyDate": start,
            "EndResidencyDate": None,
            "Description": "",
        }
        out.append({"resident": resident, "declaration": declaration})
    return out


def write_workbook(
    path: Path | str, kind: str, n: int, seed: int = 7, mistakes: bool = True
) -> Path:
    """A workbook of ``n`` rows typed as an office types them (text dates, number cells).
    One made before at ``path`` with the same rows, seed and mistakes is reused while this
    module is unchanged (a hidden file beside it says what it was made with)."""
    path = Path(path)
    made_with = path.with_name(f".{path.name}.made-with")
    wanted = f"{kind} {n} {seed} {mistakes}"
    fresh = path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime
    if fresh and made_with.exists() and made_with.read_text(encoding="utf-8") == wanted:
        return path
    made_with.unlink(missing_ok=True)
    key = "resident" if kind == "residents" else "declaration"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet(kind)
    specs = fields(kind)
    ws.write_row(0, 0, [f.label_fa for f in specs])
    for r, person in enumerate(people(n, seed=seed), start=1):
        record = dict(person[key])
        if (
            mistakes and r % 50 == 0
        ):  # 2% of rows carry a typical mistake, so the report marks cells
            if kind == "residents":
                record["NationalCode"] = record["NationalCode"][:9] + str(
                    (int(record["NationalCode"][9]) + 1) % 10
                )
            else:
                record["BaliniScore"] = 61
        for c, f in enumerate(specs):
            value = record[f.name]
            if value is None or value == "":
                continue
            if f.type == "date":
                ws.write_string(r, c, jalali_text(value))
            elif f.type == "bool":
                ws.write_string(r, c, "بله" if value else "خیر")
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()
    made_with.write_text(wanted, encoding="utf-8")
    return path


# A hospital pharmacy's drug list, as its information system exports it, for `simad maxa
# check` against the sandbox's eRX: current rows, names of older versions, retired codes, a
# code that never was, typing slips.
DRUG_LIST_SHEET = "داروخانه"
DRUG_LIST_TITLE = "فهرست داروهای داروخانه بیمارستان (نمونه)"
DRUG_LIST_HEADERS = ["ردیف", "کد eRx", "نام دارو (ژنریک)", "شکل دارویی", "موجودی"]
DRUG_LIST = [
    ("60002", "ACETAMINOPHEN 100 mg / 1mL 15 mL SOLUTION / DROPS ORAL", "قطره", 120),
    ("60010", "Acetaminophen 325 mg Tablet Oral", "قرص", 4200),
    ("60046", "AMOXICILLIN 500 mg CAPSULE ORAL", "کپسول", 800),
    ("60120", "CEFIXIME 400 mg TABLET ORAL", "قرص", 350),
    ("60281", "MOMETASONE FUROATE 0.1 % 15 g CREAM TOPICAL [MEGACORT]", "کرم", 60),
    ("60300", "METFORMIN 500 mg TABLET ORAL", "قرص", 9000),
    ("60350", "RANITIDINE 150 mg TABLET ORAL", "قرص", 0),
    ("60045", "AMOXICILLIN 250 mg CAPSULE ORAL", "کپسول", 150),
    ("60415", "ATORVASTATIN 20 mg TABLET ORAL", "قرص", 2400),
    ("60412", "PANTOPRAZOLE 40 mg TABLET, DELAYED RELEASE ORAL", "قرص", 1300),
    ("۶۰۵۲۰", "LOSARTAN POTASSIUM 50 mg TABLET ORAL", "قرص", 3100),
    ("60533", "SALBUTAMOL 100 mcg/1 DOSE AEROSOL INHALATION", "اسپری", 75),
    ("60999", "VITAMIN D3 50000 IU CAPSULE ORAL", "کپسول", 500),
    ("", "OMEPRAZOLE 20 mg CAPSULE ORAL", "کپسول", 640),
    ("6O300", "METFORMIN 1000 mg TABLET ORAL", "قرص", 700),
]
