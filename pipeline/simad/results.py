"""Reading back what SIMAD holds: GetDeclareResidents and GetFinalResults, parsed tolerantly.

The two answers are not documented. Keys are matched case-insensitively (PascalCase or
camelCase); the body may be a bare array or an object wrapping it; unknown fields are kept.
The names recognised for the review status and the final result live in ``RECOGNISED``.
An answer of any other shape is never read as an empty list (``answers.records``): the
client refuses it as not the API's, so nothing is reported missing on its word.

This module only reads answers and builds the workbook; the command layer fetches them
(``commands/results.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jdatetime

from pipeline import __version__
from pipeline.core.config import describe_target
from pipeline.core.i18n import current_lang, t
from pipeline.net.answers import STUDENT_NUMBER_KEYS, records
from pipeline.sheets.fields import fields
from pipeline.sheets.normalize import CONVERTERS, to_date
from pipeline.sheets.report import Report, ReportSheet
from schemas import codes

# canonical name → accepted field names (lower case), in order of preference
RECOGNISED: dict[str, tuple[str, ...]] = {
    "student_number": STUDENT_NUMBER_KEYS,
    "year_id": ("yearid", "year", "upgradeyear"),
    "national_code": ("nationalcode", "nationalid"),
    "course_study_code": ("coursestudycode", "coursecode", "standardcoursecode"),
    "first_name": ("firstname", "name"),
    "last_name": ("lastname", "family", "familyname"),
    "review_status": (
        "reviewstatusid",
        "declarationstatusid",
        "statusid",
        "acceptstatusid",
        "reviewstatus",
        "declarationstatus",
    ),
    "review_title": ("reviewstatustitle", "declarationstatustitle", "statustitle"),
    "review_reason": (
        "reviewdescription",
        "reviewreason",
        "rejectdescription",
        "statusdescription",
        "reviewcomment",
    ),
    "final_result": ("finalresultid", "resultid", "upgraderesultid", "finalresult"),
    "final_title": ("finalresulttitle", "resulttitle"),
}
DECLARATION_FIELDS = [f.name for f in fields("upgrades")]


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The list of records in an answer: a bare array, or one wrapped in data/result/…;
    ``answers.NotTheShape`` (a ``ValueError``) for any other shape, null included."""
    return records(body)


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


@dataclass
class ServerRecord:
    student_number: str
    year_id: int | None
    values: dict[str, Any]  # declaration fields by API name, as the server gave them
    extra: dict[str, Any]  # every other field, kept and shown
    national_code: str | None = None
    course_study_code: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    review_status: int | None = None
    review_title: str | None = None
    review_reason: str | None = None
    final_result: int | None = None
    final_title: str | None = None

    @property
    def key(self) -> tuple[str, int | None]:
        return self.student_number, self.year_id


def parse_record(raw: dict[str, Any]) -> ServerRecord | None:
    lowered = {str(k).strip().lower(): (k, v) for k, v in raw.items()}
    picked: dict[str, Any] = {}
    used: set[str] = set()
    for canonical, names in RECOGNISED.items():
        for name in names:
            if name not in lowered:
                continue
            used.add(name)
            if canonical not in picked and lowered[name][1] not in (None, ""):
                picked[canonical] = lowered[name][1]
    if "student_number" not in picked:
        return None
    values = {}
    for api in DECLARATION_FIELDS:
        if api.lower() in lowered:
            values[api] = lowered[api.lower()][1]
            used.add(api.lower())
    extra = {lowered[k][0]: v for k, (_, v) in lowered.items() if k not in used}
    review, final = _int(picked.get("review_status")), _int(picked.get("final_result"))
    return ServerRecord(
        student_number=str(picked["student_number"]).strip(),
        year_id=_int(picked.get("year_id")),
        values=values,
        extra=extra,
        national_code=_text(picked.get("national_code")),
        course_study_code=_text(picked.get("course_study_code")),
        first_name=_text(picked.get("first_name")),
        last_name=_text(picked.get("last_name")),
        review_status=review,
        review_title=_title(picked.get("review_title"), "review_statuses", review),
        review_reason=_text(picked.get("review_reason")),
        final_result=final,
        final_title=_title(picked.get("final_title"), "final_results", final),
    )


def _title(given: Any, table: str, code: int | None) -> str | None:
    """The Persian title of a status: the appendix's when the code is known, else the server's."""
    known = codes.table(table).title(code) if code is not None else None
    return known or _text(given)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse(body: Any) -> list[ServerRecord]:
    return [r for r in (parse_record(raw) for raw in unwrap(body)) if r is not None]


@dataclass
class Joined:
    """One resident's declaration for a year with its review status and final result."""

    declaration: ServerRecord | None
    final: ServerRecord | None
    key: tuple[str, int | None] = field(default=("", None))

    def to_dict(self) -> dict[str, Any]:
        return {
            "student_number": self.key[0],
            "year_id": self.key[1],
            "declaration": self.declaration.values if self.declaration else None,
            "review_status": self.pick("review_status"),
            "review_reason": self.pick("review_reason"),
            "final_result": self.pick("final_result"),
        }

    def pick(self, name: str) -> Any:
        for record in (self.declaration, self.final):
            value = getattr(record, name, None) if record is not None else None
            if value not in (None, ""):
                return value
        return None


def join(
    declarations: Iterable[ServerRecord], finals: Iterable[ServerRecord], year_id: int
) -> dict[tuple[str, int], Joined]:
    """Declarations and final results per (StudentNumber, YearId)."""
    out: dict[tuple[str, int], Joined] = {}
    declarations = [r for r in declarations if r.year_id in (None, year_id)]
    finals = [r for r in finals if r.year_id in (None, year_id)]
    for record in declarations:
        key = (record.student_number, record.year_id or year_id)
        out[key] = Joined(record, None, key)
    for record in finals:
        key = (record.student_number, record.year_id or year_id)
        if key in out:
            out[key].final = record
        else:
            out[key] = Joined(None, record, key)
    return dict(sorted(out.items()))


# -- the results workbook ----------------------------------------------------------------------


def results_report(
    joined: dict[tuple[str, int], Joined],
    *,
    target: str,
    year_id: int,
    filters: dict[str, Any],
    elapsed: float,
) -> Report:
    """One row per resident and year, titles beside the codes, dates in Solar Hijri with the
    Gregorian beside; counts per course on the summary."""
    extra_keys = _extra_keys(joined)
    columns = [*RESULT_COLUMNS, *((key, key, "extra") for key in extra_keys)]
    rows = [_result_row(j, columns) for j in joined.values()]
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_results")),
        (t("sum_target"), describe_target(target, labelled=False)),
        (t("sum_year"), year_id),
        (t("sum_filters"), ", ".join(f"{k}={v}" for k, v in filters.items() if v) or "-"),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    header, table = _per_course(joined)
    sheet = ReportSheet(
        t("sheet_results"),
        [_column_header(label, kind) for label, _, kind in columns],
        rows,
        [],
        [[] for _ in rows],
        notes=[api for _, api, _ in columns],
        text_columns=frozenset(i for i, c in enumerate(columns) if c[2] == "text"),
    )
    return Report(summary, header, table, [sheet], headline=t("results_done", n=len(joined)))


VALUE_FIELDS = [f for f in DECLARATION_FIELDS if f not in ("StudentNumber", "YearId")]
_DECLARATION = {f.name: f for f in fields("upgrades")}
# Every field by API name, a declaration's winning over a resident's of the same name: the
# results sheet shows some of the resident's (national code, names, course) beside its own.
_FIELDS = {f.name: f for f in (*fields("residents"), *fields("upgrades"))}
# The results sheet's columns: (header: a field name or a message key, API name or what the
# cell shows, how the value is taken). "field": the declaration's value; "pick": a recognised
# value of either record; "title:<table>": the title of a code; "date": a date, Solar Hijri,
# with "gregorian" beside it; "text": long text.
RESULT_COLUMNS: list[tuple[str, str, str]] = [
    ("StudentNumber", "StudentNumber", "pick:student_number"),
    ("YearId", "YearId", "pick:year_id"),
    ("NationalCode", "NationalCode", "pick:national_code"),
    ("FirstName", "FirstName", "pick:first_name"),
    ("LastName", "LastName", "pick:last_name"),
    ("CourseStudyCode", "CourseStudyCode", "pick:course_study_code"),
    ("col_course_title", "CourseStudyCode", "title:course_codes"),
    ("DeclareCode", "DeclareCode", "field"),
    ("col_declare_title", "DeclareCode", "title:declare_codes"),
    *(
        column
        for name in VALUE_FIELDS[1:]
        for column in (
            [(name, name, "date"), (name, name, "gregorian")]
            if _DECLARATION[name].type == "date"
            else [(name, name, "field")]
        )
    ),
    ("col_review_id", "ReviewStatusId", "pick:review_status"),
    ("col_review_title", "ReviewStatusId", "title:review_statuses"),
    ("col_review_reason", "ReviewDescription", "text"),
    ("col_final_id", "FinalResultId", "pick:final_result"),
    ("col_final_title", "FinalResultId", "title:final_results"),
]
_PICKED_CODE = {
    "course_codes": "course_study_code",
    "review_statuses": "review_status",
    "final_results": "final_result",
}


def _column_header(label: str, kind: str) -> str:
    """A header in the reader's language: a field's label, or one of our messages."""
    lang = current_lang()
    if kind == "extra":
        return label
    if kind == "gregorian":
        return t("col_gregorian", field=_FIELDS[label].label(lang))
    if label in _FIELDS:
        return _FIELDS[label].label(lang)
    return t(label)


def _result_row(j: Joined, columns: list[tuple[str, str, str]]) -> list[Any]:
    values = j.declaration.values if j.declaration else {}
    extras = {
        **(j.final.extra if j.final else {}),
        **(j.declaration.extra if j.declaration else {}),
    }
    lang = current_lang()
    row: list[Any] = []
    for _label, api, kind in columns:
        if kind.startswith("pick:"):
            row.append(j.pick(kind[5:]))
        elif kind == "field":
            row.append(_shown(api, values.get(api)))
        elif kind.startswith("title:"):
            table = kind[6:]
            code = j.pick(_PICKED_CODE[table]) if table in _PICKED_CODE else values.get(api)
            given = j.pick("review_title" if table == "review_statuses" else "final_title")
            title = codes.table(table).title(code, lang) if code not in (None, "") else None
            row.append(title or (given if table in ("review_statuses", "final_results") else None))
        elif kind in ("date", "gregorian"):
            day, _problem = to_date(values.get(api))
            if day is None:
                row.append(values.get(api) if kind == "date" else None)
            else:
                row.append(solar(day) if kind == "date" else day)
        elif kind == "text":
            row.append(j.pick("review_reason"))
        else:
            row.append(_cell(extras.get(api)))
    return row


def _shown(api: str, value: Any) -> Any:
    """A declaration's value as a person reads it: yes or no for a true/false field."""
    if _DECLARATION[api].type == "bool" and value is not None:
        flag, problem = CONVERTERS["bool"](value)
        if problem is None and flag is not None:
            return t("yes" if flag else "no")
    return value


def _extra_keys(joined: dict[tuple[str, int], Joined]) -> list[str]:
    """Fields the server sent that are not recognised, in the order first seen."""
    keys: list[str] = []
    for j in joined.values():
        for record in (j.declaration, j.final):
            for key in record.extra if record else {}:
                if key not in keys:
                    keys.append(key)
    return keys


def solar(day: date) -> str:
    """A date as the office writes it: Solar Hijri, year first (1401/07/01)."""
    return str(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))


def _per_course(joined: dict[tuple[str, int], Joined]) -> tuple[list[str], list[list[Any]]]:
    """The summary table: per course, declarations, review statuses and final results."""
    review, final = codes.table("review_statuses"), codes.table("final_results")
    per_course: dict[str, Counter[str]] = {}
    for j in joined.values():
        status, result = j.pick("review_status"), j.pick("final_result")
        tally = per_course.setdefault(str(j.pick("course_study_code") or "-"), Counter())
        tally["declarations"] += 1 if j.declaration else 0
        tally[f"review:{status}"] += 1
        if result is not None:
            tally[f"final:{result}"] += 1
    review_codes = [*sorted(review.int_codes), None]
    final_codes = sorted(final.int_codes)
    lang = current_lang()
    header = [
        t("col_course"),
        t("col_course_title"),
        t("col_declarations"),
        *(review.title(c, lang) if c else t("review_pending") for c in review_codes),
        *(str(final.title(c, lang)) for c in final_codes),
    ]
    courses = codes.table("course_codes")
    table = [
        [
            course,
            courses.title(course, lang) if course != "-" else None,
            tally["declarations"],
            *(tally[f"review:{c}"] for c in review_codes),
            *(tally[f"final:{c}"] for c in final_codes),
        ]
        for course, tally in sorted(per_course.items())
    ]
    if not table:
        return [str(h) for h in header], []
    totals: list[Any] = ["Σ", None]
    totals += [sum(int(r[i] or 0) for r in table) for i in range(2, len(header))]
    return [str(h) for h in header], [*table, totals]


def _cell(value: Any) -> Any:
    """Unknown fields are shown as they came; nested values as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
