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

from pipeline import __version__
from pipeline.core.config import describe_target
from pipeline.core.i18n import current_lang, listing, number, t
from pipeline.core.result import Result
from pipeline.core.status import NEEDS_ACTION, Reconciliation, Validation
from pipeline.sheets.fields import Mapping
from pipeline.sheets.guard import column_letter
from pipeline.sheets.report import MESSAGE_SEPARATOR, Report, ReportSheet
from pipeline.sheets.validation import display, validate_paths
from pipeline.simad.compare import Difference, differences
from pipeline.simad.payloads import build_payload
from pipeline.simad.results import Joined
from schemas import codes
from schemas.fields import fields as catalogue_fields

# Appendix 4 codes that ask the office to act, found in the code table by their English title.
_REVIEW = codes.table("review_statuses")
REJECTED = _REVIEW.code_titled("Rejected")
NEEDS_CORRECTION = _REVIEW.code_titled("Needs correction")


@dataclass(frozen=True)
class Place:
    """A row of the workbooks compared: its sheet (position among the sheets read, and
    name), its index and the row number Excel shows; for a resident's row, the column of the
    cell to fix (None: the row as a whole)."""

    sheet_no: int
    sheet: str
    index: int
    row: int
    column: int | None = None
    columns: tuple[tuple[str, int], ...] = ()  # (API name, position) of the sheet's columns
    headers: tuple[str, ...] = ()

    def cell(self, refusal: str | None = None) -> str:
        """«برگه دستیاران، C34»: the cell to fix (the first invalid one, else the one the
        server's refusal names), or the row."""
        address = self.address(refusal)
        if address is None:
            return t("resident_row_at", sheet=self.sheet, row=self.row)
        return t("resident_cell_at", sheet=self.sheet, cell=address)

    def address(self, refusal: str | None = None) -> str | None:
        """The cell to fix ("C34", as ``cell`` chooses it), or None for the row as a whole."""
        column = self.column
        if column is None and refusal:
            column = _named_in(refusal, self)
        return None if column is None else f"{column_letter(column)}{self.row}"


def _named_in(text: str, place: Place) -> int | None:
    """The column whose field the server's text names (its header or either catalogue
    label; the longest name found wins), or None."""
    labels = {f.name: f for f in catalogue_fields("residents")}
    best: tuple[int, int] | None = None
    for name, position in place.columns:
        known = labels.get(name)
        names = [place.headers[position]] if position < len(place.headers) else []
        names += [known.label_fa, known.label_en] if known else []
        for said in names:
            if said and said in text and (best is None or len(said) > best[0]):
                best = (len(said), position)
    return best[1] if best else None


@dataclass
class Line:
    key: tuple[str, int]
    category: Reconciliation
    local: dict[str, Any] | None
    server: Joined | None
    differences: list[Difference] = field(default_factory=list)
    origin: str | None = None  # file › sheet › row of the local declaration
    problems: tuple[str, ...] = ()  # the local row's errors when it is invalid in the file
    resident_unknown: bool = False  # its resident was never accepted by this target
    resident_invalid: bool = False  # its resident's row is in the input but invalid
    from_ledger: bool = False  # the local side is the ledger's record, not a file
    compared: bool = True  # False: the workbooks held no declaration of the year at all
    name: str | None = None  # the resident's name (the workbook's, else the server's)
    place: Place | None = None  # where the declaration's row is in the workbooks compared
    headers: dict[str, str] = field(default_factory=dict)  # API name → the sheet's header
    resident: Place | None = None  # the resident's row, when the workbooks hold it
    resident_refusal: str | None = None  # what the server said refusing the resident

    @property
    def resendable(self) -> bool:
        """The row can be sent again from the open workbook: it is there, valid, and its
        resident is not the problem."""
        return (
            self.place is not None
            and not self.problems
            and not self.from_ledger
            and not (self.resident_unknown or self.resident_invalid)
        )

    @property
    def review_status(self) -> int | None:
        return self.server.pick("review_status") if self.server else None

    @property
    def final_result(self) -> int | None:
        return self.server.pick("final_result") if self.server else None

    @property
    def needs_action(self) -> bool:
        """The office must do something: the ministry rejected the row or asks for a
        correction, the server lacks it or holds other values, or the file's row is invalid.
        Nothing does when the workbooks compared hold no declaration of the year."""
        return self.compared and (
            bool(self.problems)
            or self.category in (Reconciliation.MISSING_ON_SERVER, Reconciliation.DIFFERENT)
            or self.review_status in (REJECTED, NEEDS_CORRECTION)
        )


@dataclass
class Local:
    """The office's side of a reconciliation: declarations by (StudentNumber, YearId), where
    each came from, the errors of rows invalid in the file, and residents the target knows."""

    rows: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    origins: dict[tuple[str, int], str] = field(default_factory=dict)
    problems: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    known_students: frozenset[str] | None = None  # None: not known, so not judged
    invalid_residents: frozenset[str] = frozenset()  # residents whose row is invalid
    from_ledger: bool = False
    invalid: int = 0  # invalid rows whose student or year cannot be read at all
    workbooks: tuple[str, ...] = ()  # the files read (names), none for the ledger
    sheets: tuple[str, ...] = ()  # their declarations sheets
    years_held: frozenset[int] = frozenset()  # every year the files' declarations name
    places: dict[tuple[str, int], Place] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # API name → declarations' header
    names: dict[str, str] = field(default_factory=dict)  # student → name, residents' sheets
    residents: dict[str, Place] = field(default_factory=dict)  # student → resident's row
    refused: dict[str, str] = field(default_factory=dict)  # student → server's refusal

    @property
    def holds_none(self) -> bool:
        """Workbooks were read and none holds a declaration of the year compared."""
        return not self.from_ledger and bool(self.workbooks) and not self.rows

    def source(self, year_id: int) -> Source:
        return Source(
            year_id,
            self.workbooks,
            self.sheets,
            tuple(sorted(self.years_held)),
            len(self.rows),
            self.from_ledger or not self.workbooks,
        )


@dataclass(frozen=True)
class Source:
    """What the local side of a reconciliation was: which workbooks and sheets, or the
    ledger, and the year; said in the catalogue's words."""

    year: int
    workbooks: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    years_held: tuple[int, ...] = ()
    declarations: int = 0  # declarations of the year found
    ledger: bool = False

    @property
    def holds_none(self) -> bool:
        return not self.ledger and self.declarations == 0

    def describe(self) -> str:
        """«فایل office.xlsx، کاربرگ معرفی‌ها، سال ۱۴۰۵», or the ledger and the year."""
        if self.ledger:
            return t("source_ledger_of", year=self.year)
        sheets = listing(self.sheets) if self.sheets else t("source_no_sheet")
        return t("source_workbooks", files=listing(self.workbooks), sheets=sheets, year=self.year)

    def warning(self) -> str | None:
        """The sentence saying the workbooks hold no declaration of the year, or None."""
        if not self.holds_none:
            return None
        files = listing(self.workbooks)
        if self.years_held:
            years = listing(number(y) for y in self.years_held)
            return t("source_holds_other", files=files, year=self.year, years=years)
        return t("source_holds_none", files=files, year=self.year)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "workbooks": list(self.workbooks),
            "sheets": list(self.sheets),
            "year_id": self.year,
            "years_held": list(self.years_held),
            "declarations": self.declarations,
        }


def compare(
    local: dict[tuple[str, int], dict[str, Any]] | Local,
    server: dict[tuple[str, int], Joined],
    origins: dict[tuple[str, int], str] | None = None,
) -> list[Line]:
    """One line per (StudentNumber, YearId) on either side; those needing action first."""
    side = local if isinstance(local, Local) else Local(local, origins or {})
    lines = []
    for key in sorted(set(side.rows) | set(server)):
        mine, theirs = side.rows.get(key), server.get(key)
        name = side.names.get(key[0]) or _server_name(theirs)
        if mine is None:
            lines.append(
                Line(
                    key,
                    Reconciliation.ONLY_ON_SERVER,
                    None,
                    theirs,
                    compared=not side.holds_none,
                    name=name,
                )
            )
            continue
        declared = theirs.declaration if theirs is not None else None
        diff = differences(mine, declared.values) if declared is not None else []
        if declared is None:
            category = Reconciliation.MISSING_ON_SERVER
        else:
            category = Reconciliation.DIFFERENT if diff else Reconciliation.MATCHED
        known = side.known_students
        lines.append(
            Line(
                key,
                category,
                mine,
                theirs,
                diff,
                side.origins.get(key),
                problems=side.problems.get(key, ()),
                resident_unknown=known is not None and key[0] not in known,
                resident_invalid=key[0] in side.invalid_residents,
                from_ledger=side.from_ledger,
                name=name,
                place=side.places.get(key),
                headers=side.headers,
                resident=side.residents.get(key[0]),
                resident_refusal=side.refused.get(key[0]),
            )
        )
    return sorted(lines, key=lambda line: not line.needs_action)


def _server_name(joined: Joined | None) -> str | None:
    if joined is None:
        return None
    parts = [joined.pick("first_name"), joined.pick("last_name")]
    return " ".join(str(p) for p in parts if p) or None


def local_from_inputs(
    inputs: Iterable[Path],
    year_id: int,
    known_students: Iterable[str] = (),
    mapping: Mapping | None = None,
    refused: dict[str, str] | None = None,
) -> Local:
    """The declarations of ``year_id`` in the inputs, normalised as for submission. Rows invalid
    in the file are kept with their errors, so the office is told what to fix in the file.
    ``refused``: residents the target refused (student → what it said), not counted as known
    though valid in the file. Findings are worded in the current language."""
    known, paths = frozenset(known_students), list(inputs)
    run = validate_paths(paths, known_students=known, mapping=mapping)
    side = Local(known_students=known, workbooks=tuple(dict.fromkeys(p.name for p in paths)))
    side.refused = {s: m for s, m in (refused or {}).items() if s not in known}
    for sheet_no, result in enumerate(run.results):
        if result.sheet.kind == "residents":
            _residents(side, sheet_no, result)
            continue
        _declarations(side, sheet_no, result, year_id)
    return side


def _residents(side: Local, sheet_no: int, result: Any) -> None:
    """What a residents' sheet tells: who is valid (known unless refused), who is invalid,
    their names and rows (with the first invalid cell)."""
    sheet = result.sheet
    records = result.frame.to_dict("records")
    valid: set[str] = set()
    invalid: set[str] = set()
    columns = tuple(sheet.columns.items())
    for i, record in enumerate(records):
        student = record.get("StudentNumber")
        if not student:
            continue
        student = str(student)
        bad = [
            f.position
            for f in result.row_findings(i)
            if f.severity == "error" and f.position is not None
        ]
        (valid if result.status(i) == Validation.VALID else invalid).add(student)
        first, last = record.get("FirstName"), record.get("LastName")
        name = " ".join(str(v) for v in (first, last) if v)
        if name:
            side.names[student] = name
        side.residents[student] = Place(
            sheet_no,
            sheet.name,
            i,
            sheet.row_numbers[i],
            column=bad[0] if bad else None,
            columns=columns,
            headers=tuple(sheet.headers),
        )
    invalid -= valid
    valid -= set(side.refused)
    side.known_students = frozenset({*(side.known_students or ()), *valid})
    side.invalid_residents = frozenset({*side.invalid_residents, *invalid})


def _declarations(side: Local, sheet_no: int, result: Any, year_id: int) -> None:
    sheet = result.sheet
    side.sheets = (*side.sheets, sheet.name)
    for name, position in sheet.columns.items():
        if position < len(sheet.headers) and sheet.headers[position]:
            side.headers.setdefault(name, str(sheet.headers[position]))
    for i, record in enumerate(result.frame.to_dict("records")):
        payload = build_payload("upgrades", record)
        if payload["StudentNumber"] is None or payload["YearId"] is None:
            side.invalid += 1
            continue
        side.years_held = side.years_held | {int(payload["YearId"])}
        if payload["YearId"] != year_id:
            continue
        key = (str(payload["StudentNumber"]), year_id)
        row = sheet.row_numbers[i]
        if result.status(i) != Validation.VALID:
            if key in side.rows and key not in side.problems:
                continue  # a valid row of the same declaration is what would be sent
            errors = [f.message for f in result.row_findings(i) if f.severity == "error"]
            side.problems[key] = tuple(errors)
        else:
            side.problems.pop(key, None)
        side.rows[key] = payload
        side.origins[key] = f"{sheet.label} › {row}"
        side.places[key] = Place(sheet_no, sheet.name, i, row)


def local_from_ledger(
    rows: Iterable[dict[str, Any]], accepted_students: Iterable[str], year_id: int
) -> Local:
    """What the ledger recorded as accepted for ``year_id``: its declarations (``rows``, as
    ``Ledger.accepted_declarations`` gives them) and the residents it accepted. The command
    layer reads them (``commands/reconcile.py``)."""
    known = frozenset(accepted_students)
    return Local(
        {(str(p["StudentNumber"]), year_id): p for p in rows},
        known_students=known,
        from_ledger=True,
    )


def action(line: Line, files: str = "") -> str:
    """What the office should do about ``line``, as a step it can take in the page (never a
    command to type); nothing when the workbooks compared hold no declaration of the year.
    A row not in the workbooks compared names the workbook to open to fix it: ``files`` (the
    files its run kept), else the one it was sent from."""
    if not line.compared:
        return ""
    if line.problems:
        return t("action_fix_file", problems=MESSAGE_SEPARATOR.join(line.problems))
    reason = line.server.pick("review_reason") if line.server else None
    elsewhere = "_elsewhere" if line.place is None else ""
    where = files or t("action_sent_from")
    if line.review_status == REJECTED:
        return t(f"action_rejected{elsewhere}", reason=reason or "-", files=where)
    if line.review_status == NEEDS_CORRECTION:
        return t(f"action_correct{elsewhere}", reason=reason or "-", files=where)
    if line.category == Reconciliation.MISSING_ON_SERVER:
        return _missing(line)
    if line.category == Reconciliation.DIFFERENT:
        return t(f"action_different{elsewhere}", files=where)
    if line.category == Reconciliation.ONLY_ON_SERVER:
        return t("action_only_on_server")
    return ""


def _missing(line: Line) -> str:
    """A declaration the server lacks: its resident's cell to fix when the resident is the
    reason (invalid in the file, or refused by the server), else how to send it."""
    resident, refusal = line.resident, line.resident_refusal
    if line.resident_invalid and line.resident_unknown:
        if resident is not None:
            return t("action_resident_fix", cell=resident.cell())
        return t("action_resident_invalid", student=line.key[0])
    if line.resident_unknown:
        if resident is not None and refusal:
            return t("action_resident_refused", reason=refusal, cell=resident.cell(refusal))
        if resident is not None:
            return t("action_resident_not_sent", cell=resident.cell())
        return t("action_resident_unknown", student=line.key[0])
    return t("action_missing_ledger" if line.from_ledger else "action_missing_on_server")


def review_title(line: Line) -> str:
    """The review status of ``line``'s declaration in the current language ("" if none)."""
    status = line.review_status
    return (_REVIEW.title(status, current_lang()) or "") if status else ""


def field_name(line: Line, name: str) -> str:
    """A field as the office knows it: the header of its column in the sheet compared, else
    its catalogue label in the current language."""
    if name in line.headers:
        return line.headers[name]
    known = {f.name: f for f in catalogue_fields("upgrades")}
    return known[name].label(current_lang()) if name in known else name


def value_text(value: Any) -> str:
    """A value as a reader writes it (48.0 → ۴۸, 47.25 → ۴۷٫۲۵ in Persian)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return "-" if value in (None, "") else display(value)


def differences_text(line: Line) -> list[str]:
    """«نمره بالینی: ۴۸ ≠ ۴۷٫۲۵», one per differing field (local ≠ server)."""
    return [
        f"{field_name(line, d.field)}: {value_text(d.local)} ≠ {value_text(d.server)}"
        for d in line.differences
    ]


# The reconciliation sheet's columns: (message key of the header, API name or None).
LINE_COLUMNS: list[tuple[str, str | None]] = [
    ("col_student_number", "StudentNumber"),
    ("col_resident_name", None),
    ("col_year", "YearId"),
    ("col_needs_action", None),
    ("col_action", None),
    ("col_category", None),
    ("col_review_title", "ReviewStatusId"),
    ("col_review_reason", None),
    ("col_final_title", "FinalResultId"),
    ("col_differences", None),
    ("col_origin", None),
]


def _lines_sheet(title: str, lines: list[Line]) -> ReportSheet:
    review, final = codes.table("review_statuses"), codes.table("final_results")
    rows, marks = [], {}
    for i, line in enumerate(lines):
        status, result = line.review_status, line.final_result
        server = line.server
        step = action(line)
        rows.append(
            [
                line.key[0],
                line.name,
                line.key[1],
                NEEDS_ACTION if line.needs_action else None,
                step,
                line.category.value,
                review.title(status, current_lang())
                if status
                else (server.pick("review_title") if server else None),
                server.pick("review_reason") if server else None,
                final.title(result, current_lang()) if result else None,
                "\n".join(differences_text(line)),
                line.origin,
            ]
        )
        if line.needs_action:
            marks[(i, 4)] = (
                "error"
                if line.category == Reconciliation.DIFFERENT or line.problems
                else "warning",
                step,
            )
    return ReportSheet(
        title,
        [t(key) for key, _ in LINE_COLUMNS],
        rows,
        [],
        [[] for _ in rows],
        marks,
        notes=[api for _, api in LINE_COLUMNS],
        status_columns=frozenset({3, 5}),
        text_columns=frozenset({1, 4, 7, 9, 10}),
    )


def reconcile_report(
    lines: list[Line],
    *,
    target: str,
    year_id: int,
    source: str | Source,
    elapsed: float,
    invalid: int,
) -> Report:
    """The reconciliation workbook; its summary names the local side (``source``) and, when
    the workbooks hold no declaration of the year, its headline says so."""
    said = source.describe() if isinstance(source, Source) else source
    warning = source.warning() if isinstance(source, Source) else None
    counts = Counter(line.category.value for line in lines)
    review = Counter(line.review_status for line in lines if line.server)
    final = Counter(line.final_result for line in lines if line.final_result)
    to_act = [line for line in lines if line.needs_action]
    summary: list[tuple[str, Any]] = [
        (t("sum_needs_action"), len(to_act)),
        (t("sum_mode"), t("sum_mode_reconcile")),
        (t("sum_target"), describe_target(target, labelled=False)),
        (t("sum_year"), year_id),
        (t("sum_local_source"), said),
        (t("sum_version"), f"simad-sync {__version__}"),
        (t("sum_elapsed"), round(elapsed, 2)),
    ]
    if invalid:
        summary.append((t("sum_invalid_skipped"), invalid))
    for code, n in sorted(review.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        title = (
            codes.table("review_statuses").title(code, current_lang())
            if code
            else t("review_pending")
        )
        summary.append((f"{t('col_review_title')}: {title}", n))
    for code, n in sorted(final.items()):
        title = codes.table("final_results").title(code, current_lang())
        summary.append((f"{t('col_final_title')}: {title}", n))
    table = [[category.value, n] for category, n in Reconciliation.counted(counts).items()]
    return Report(
        summary,
        [t("col_category"), t("sum_count")],
        table,
        [_lines_sheet(t("sheet_reconcile"), lines), _lines_sheet(t("sheet_to_fix"), to_act)],
        chart_title=t("chart_title"),
        headline=warning or headline(len(to_act)),
        status_counts=True,
    )


def headline(to_act: int) -> str:
    """«۷ ردیف نیاز به اقدام دارد», or that nothing does."""
    return t("reconcile_headline", n=to_act) if to_act else t("reconcile_headline_none")


@dataclass
class ReconcileResult(Result):
    lines: list[Line]
    report: Path
    content: Report | None = field(default=None, repr=False)  # what the workbook shows
    source: Source | None = None  # what the local side was

    @property
    def headline(self) -> str:
        """The sentence a face says first: that the workbooks hold no declaration of the
        year, or how many rows need action."""
        warning = self.source.warning() if self.source else None
        return warning or headline(self.needs_action)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(line.category.value for line in self.lines))

    @property
    def needs_action(self) -> int:
        return sum(line.needs_action for line in self.lines)

    @property
    def exit_code(self) -> int:
        """1 while any row needs the office's action or nothing could be compared, else 0."""
        return 1 if self.needs_action or (self.source and self.source.holds_none) else 0

    def to_dict(self) -> dict[str, Any]:
        extra = {"source": self.source.to_dict()} if self.source else {}
        return {
            **extra,
            "report": str(self.report),
            "needs_action": self.needs_action,
            "counts": self.counts,
            "lines": [
                {
                    "student_number": line.key[0],
                    "name": line.name,
                    "year_id": line.key[1],
                    "category": line.category.value,
                    "needs_action": line.needs_action,
                    "review_status": line.review_status,
                    "final_result": line.final_result,
                    "differences": [
                        {"field": d.field, "local": d.local, "server": d.server}
                        for d in line.differences
                    ],
                    "problems": list(line.problems),
                    "action": action(line),
                    "origin": line.origin,
                }
                for line in self.lines
            ],
        }
