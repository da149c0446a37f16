"""`simad results` and `simad reconcile`: what the server holds, against what the office holds.

Reconciliation keys declarations by (StudentNumber, YearId) and sorts each into
``matched``, ``missing_on_server``, ``only_on_server`` or ``different`` (with every differing
field and both values). Values are compared as what they are: scores as numbers, dates as
dates, codes as codes, so ``60`` and ``60.0`` match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import codes

from . import __version__
from .config import describe_target, simad_home
from .fields import fields
from .i18n import t
from .ledger import Ledger
from .normalize import CONVERTERS
from .payloads import build_payload
from .report import Report, ReportSheet
from .results import Joined
from .validation import validate_paths

MATCHED, MISSING, ONLY, DIFFERENT = "matched", "missing_on_server", "only_on_server", "different"
CATEGORIES = (MATCHED, DIFFERENT, MISSING, ONLY)
# Appendix 4 codes that ask the office to act, found in the code table by their English title.
_REVIEW = codes.table("review_statuses")
REJECTED = _REVIEW.code_titled("Rejected")
NEEDS_CORRECTION = _REVIEW.code_titled("Needs correction")
TYPES = {f.name: f.type for f in fields("upgrades")}


@dataclass
class Difference:
    field: str
    local: Any
    server: Any


@dataclass
class Line:
    key: tuple[str, int]
    category: str
    local: dict[str, Any] | None
    server: Joined | None
    differences: list[Difference] = field(default_factory=list)
    origin: str | None = None  # file › sheet › row of the local declaration

    @property
    def review_status(self) -> int | None:
        return self.server.pick("review_status") if self.server else None

    @property
    def final_result(self) -> int | None:
        return self.server.pick("final_result") if self.server else None

    @property
    def needs_fixing(self) -> bool:
        return self.review_status in (REJECTED, NEEDS_CORRECTION)


def _normalised(name: str, value: Any) -> Any:
    """A value normalised by its field's type, so both sides compare alike."""
    if value is None or value == "":
        return None
    if name == "RejectReasonTypeId" and value in (0, "0"):
        return None  # "no reason" sent back as 0 by a server with a non-nullable int
    if isinstance(value, str) and value.startswith("0001-01-01"):
        return None  # .NET's DateTime.MinValue stands for "no date"
    kind = TYPES.get(name, "text")
    converted, problem = CONVERTERS[kind](value)
    if problem is not None:
        return str(value).strip()
    if kind in ("score60", "score30") and converted is not None:
        return round(float(converted), 2)
    if hasattr(converted, "isoformat"):
        return converted.isoformat()[:10]
    return converted


def differences(local: dict[str, Any], server: dict[str, Any]) -> list[Difference]:
    """Fields the server returned whose value differs from the local one."""
    out = []
    lowered = {k.lower(): v for k, v in server.items()}
    for name, value in local.items():
        if name == "StudentNumber" or name.lower() not in lowered:
            continue
        mine, theirs = _normalised(name, value), _normalised(name, lowered[name.lower()])
        if name == "Description" and not mine and not theirs:
            continue
        if mine != theirs:
            out.append(Difference(name, value, lowered[name.lower()]))
    return out


def compare(
    local: dict[tuple[str, int], dict[str, Any]],
    server: dict[tuple[str, int], Joined],
    origins: dict[tuple[str, int], str] | None = None,
) -> list[Line]:
    origins = origins or {}
    lines = []
    for key in sorted(set(local) | set(server)):
        mine, theirs = local.get(key), server.get(key)
        if theirs is None or theirs.declaration is None:
            category = MISSING if mine is not None else ONLY
            if mine is None:
                lines.append(Line(key, ONLY, None, theirs))
                continue
            lines.append(Line(key, category, mine, theirs, origin=origins.get(key)))
            continue
        if mine is None:
            lines.append(Line(key, ONLY, None, theirs))
            continue
        diff = differences(mine, theirs.declaration.values)
        lines.append(
            Line(key, DIFFERENT if diff else MATCHED, mine, theirs, diff, origins.get(key))
        )
    return lines


def local_from_inputs(
    inputs: Iterable[Path], year_id: int, lang: str
) -> tuple[dict[tuple[str, int], dict], dict[tuple[str, int], str], int]:
    """Valid declarations of ``year_id`` in the inputs, normalised as for submission."""
    run = validate_paths(list(inputs), lang=lang)
    local: dict[tuple[str, int], dict] = {}
    origins: dict[tuple[str, int], str] = {}
    invalid = 0
    for result in run.results:
        if result.sheet.kind != "upgrades":
            continue
        for i, record in enumerate(result.frame.to_dict("records")):
            if result.status(i) != "valid":
                invalid += 1
                continue
            payload = build_payload("upgrades", record)
            if payload["YearId"] != year_id:
                continue
            key = (str(payload["StudentNumber"]), year_id)
            local[key] = payload
            origins[key] = f"{result.sheet.label} › {result.sheet.row_numbers[i]}"
    return local, origins, invalid


def local_from_ledger(target: str, year_id: int) -> dict[tuple[str, int], dict]:

    ledger = Ledger(simad_home() / "ledger.db")
    try:
        rows = ledger.accepted_declarations(target, year_id)
    finally:
        ledger.close()
    return {(str(p["StudentNumber"]), year_id): p for p in rows}


def action(line: Line) -> str:
    if line.review_status == REJECTED:
        return t("action_rejected")
    if line.review_status == NEEDS_CORRECTION:
        return t("action_correct")
    return t(f"action_{line.category}") if line.category != MATCHED else ""


def _lines_sheet(title: str, lines: list[Line]) -> ReportSheet:
    review, final = codes.table("review_statuses"), codes.table("final_results")
    headers = [
        "StudentNumber",
        "YearId",
        t("col_category"),
        t("col_differences"),
        "ReviewStatusId",
        t("col_review_title"),
        t("col_review_reason"),
        "FinalResultId",
        t("col_final_title"),
        t("col_action"),
        t("col_origin"),
    ]
    rows, marks = [], {}
    for i, line in enumerate(lines):
        diffs = "\n".join(f"{d.field}: {d.local} ≠ {d.server}" for d in line.differences)
        status, result = line.review_status, line.final_result
        server = line.server
        rows.append(
            [
                line.key[0],
                line.key[1],
                line.category,
                diffs,
                status,
                review.title(status)
                if status
                else (server.pick("review_title") if server else None),
                server.pick("review_reason") if server else None,
                result,
                final.title(result) if result else None,
                action(line),
                line.origin,
            ]
        )
        if line.category != MATCHED:
            marks[(i, 2)] = (
                "error" if line.category == DIFFERENT else "warning",
                diffs or t(f"action_{line.category}"),
            )
    return ReportSheet(title, headers, rows, [], [[] for _ in rows], marks)


def reconcile_report(
    lines: list[Line], *, target: str, year_id: int, source: str, elapsed: float, invalid: int
) -> Report:
    counts = Counter(line.category for line in lines)
    review = Counter(line.review_status for line in lines if line.server)
    final = Counter(line.final_result for line in lines if line.final_result)
    summary: list[tuple[str, Any]] = [
        (t("sum_mode"), t("sum_mode_reconcile")),
        (
            t("sum_target"),
            describe_target(target),
        ),
        (t("sum_year"), year_id),
        (t("sum_local_source"), source),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    if invalid:
        summary.append((t("sum_invalid_skipped"), invalid))
    for code, n in sorted(review.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        title = codes.table("review_statuses").title(code) if code else t("review_pending")
        summary.append((f"{t('col_review_title')}: {title}", n))
    for code, n in sorted(final.items()):
        summary.append((f"{t('col_final_title')}: {codes.table('final_results').title(code)}", n))
    table = [[category, counts.get(category, 0)] for category in CATEGORIES]
    to_fix = [line for line in lines if line.needs_fixing]
    return Report(
        summary,
        [t("col_category"), t("sum_count")],
        table,
        [_lines_sheet(t("sheet_reconcile"), lines), _lines_sheet(t("sheet_to_fix"), to_fix)],
        chart_title=t("chart_title"),
    )


@dataclass
class ReconcileResult:
    lines: list[Line]
    report: Path

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(line.category for line in self.lines))

    @property
    def exit_code(self) -> int:
        return 0 if all(line.category == MATCHED for line in self.lines) else 1
