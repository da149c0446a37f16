"""Reading back what SIMAD holds: GetDeclareResidents and GetFinalResults, parsed tolerantly.

The two answers are not documented. Keys are matched case-insensitively (PascalCase or
camelCase); the body may be a bare array or an object wrapping it; unknown fields are kept.
The names recognised for the review status and the final result live in ``RECOGNISED``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import codes
from .fields import fields

WRAPPERS = ("data", "result", "items", "value", "results", "list")

# canonical name → accepted field names (lower case), in order of preference
RECOGNISED: dict[str, tuple[str, ...]] = {
    "student_number": ("studentnumber", "studentno"),
    "year_id": ("yearid", "year", "upgradeyear"),
    "national_code": ("nationalcode", "nationalid"),
    "course_study_code": ("coursestudycode", "coursecode", "standardcoursecode"),
    "first_name": ("firstname", "name"),
    "last_name": ("lastname", "family", "familyname"),
    "review_status": ("reviewstatusid", "declarationstatusid", "statusid", "acceptstatusid",
                      "reviewstatus", "declarationstatus"),
    "review_title": ("reviewstatustitle", "declarationstatustitle", "statustitle"),
    "review_reason": ("reviewdescription", "reviewreason", "rejectdescription",
                      "statusdescription", "reviewcomment"),
    "final_result": ("finalresultid", "resultid", "upgraderesultid", "finalresult"),
    "final_title": ("finalresulttitle", "resulttitle"),
}
DECLARATION_FIELDS = [f.name for f in fields("upgrades")]


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The list of records in an answer: a bare array, or one wrapped in data/result/…"""
    if body is None:
        return []
    if isinstance(body, list):
        return [r for r in body if isinstance(r, dict)]
    if isinstance(body, dict):
        lowered = {str(k).lower(): v for k, v in body.items()}
        for key in WRAPPERS:
            if key in lowered and isinstance(lowered[key], list | dict):
                return unwrap(lowered[key])
        if any(k in lowered for k in RECOGNISED["student_number"]):
            return [body]  # a single record
    return []


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
            if name in lowered and lowered[name][1] not in (None, ""):
                picked[canonical] = lowered[name][1]
                used.add(name)
                break
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

    def pick(self, name: str) -> Any:
        for record in (self.declaration, self.final):
            value = getattr(record, name, None) if record is not None else None
            if value not in (None, ""):
                return value
        return None


def join(declarations: Iterable[ServerRecord], finals: Iterable[ServerRecord],
         year_id: int) -> dict[tuple[str, int], Joined]:
    """Declarations and final results per (StudentNumber, YearId)."""
    out: dict[tuple[str, int], Joined] = {}
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


async def fetch(client: Any, year_id: int, *, course: str | None = None,
                national_code: str | None = None, student_number: str | None = None
                ) -> dict[tuple[str, int], Joined]:
    """Download both lists with the same filters and join them."""
    filters = {"course_study_code": course, "national_code": national_code,
               "student_number": student_number}
    declared = parse(await client.get_declare_residents(year_id, **filters))
    finals = parse(await client.get_final_results(year_id, **filters))
    return join(declared, finals, year_id)
