"""Dry-run validation: read → normalise → pandera schemas → findings per row and cell.

A ``Finding`` is a value, not an exception: stable rule code, severity, Excel row number,
the user's column header, the value as typed and a message in the chosen language.
"""

from __future__ import annotations

import difflib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.core.errors import InputFileError
from pipeline.core.i18n import current_lang, language, listing, number_text, t
from pipeline.core.result import Result
from pipeline.core.status import Validation
from pipeline.sheets.fields import KINDS, Field, Mapping, fields, header_key
from pipeline.sheets.normalize import Converted, code_words, coded, coded_identifier, convert_column
from pipeline.sheets.reader import Sheet, Workbook, column_letter, read_file
from schemas import codes, kinds
from schemas.common import Duplicate, RowRule
from schemas.fields import SCORE_TYPES
from schemas.rules import RULES

DTYPES = {  # a column's pandas type, by the field's type (text, ids and dates aside)
    "int": "Int64",
    "year": "Int64",
    **dict.fromkeys(SCORE_TYPES, "Float64"),
    "bool": "boolean",
}


@dataclass(slots=True)
class Finding:
    """One problem of one cell. Compact (a sheet with every row invalid holds millions): the
    message is rendered from the rule's template when it is read, not stored."""

    row: int
    column: str
    field: str
    code: str
    severity: str
    value: str = ""
    position: int | None = None  # column position in the user's sheet, None if absent
    extra: dict[str, Any] | None = None  # what the rule's message needs beyond column, value
    lang: str = "fa"

    @property
    def message(self) -> str:
        """The rule's message in the language the finding was made in."""
        extra = {k: self._shown(v) for k, v in (self.extra or {}).items()}
        template = RULES[self.code].text(self.lang)
        return template.format(**{"column": self.column, "value": self.value, **extra})

    def _shown(self, value: Any) -> str:
        """A value the message needs, as the reader reads it: our own numbers in Persian
        digits in Persian; a list of row references (``(file › sheet or None, row)``) as
        ``12، b.xlsx › دستیاران › 7``, the file and sheet names as they are."""
        if isinstance(value, list):
            with language(self.lang):
                return listing(
                    self._shown(row) if where is None else f"{where} › {self._shown(row)}"
                    for where, row in value
                )
        return number_text(str(value)) if self.lang == "fa" else str(value)

    def as_list(self) -> list[Any]:
        return [self.row, self.field, self.code]

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "value": self.value,
        }


@dataclass
class SheetResult:
    sheet: Sheet
    frame: pd.DataFrame  # normalised values, one column per API field, index 0..n-1
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    by_row: dict[int, list[Finding]] = field(default_factory=dict)

    sheet_findings: list[Finding] = field(default_factory=list)
    """Findings of the sheet itself (its header row): one each, never one per row."""

    def __post_init__(self) -> None:
        self._sheet_errors = [f for f in self.sheet_findings if f.severity == "error"]
        self._counts: dict[str, int] | None = None
        if self.by_row or not self.findings:
            return
        grouped: dict[int, list[Finding]] = defaultdict(list)
        for f in self.findings:
            if f not in self.sheet_findings:
                grouped[f.row].append(f)
        self.by_row = dict(grouped)

    def status(self, position: int) -> Validation:
        """A row is invalid when it has an error, or its sheet lacks a required column."""
        if self._sheet_errors:
            return Validation.INVALID
        found = self.by_row.get(self.sheet.row_numbers[position], ())
        return Validation.INVALID if any(f.severity == "error" for f in found) else Validation.VALID

    def row_findings(self, position: int) -> list[Finding]:
        """What makes one row what it is: the sheet's errors, then the row's own findings."""
        own = self.by_row.get(self.sheet.row_numbers[position], [])
        return [*self._sheet_errors, *own] if self._sheet_errors else own

    def statuses(self) -> list[Validation]:
        return [self.status(i) for i in range(len(self.sheet.rows))]

    def merge(self, found: dict[int, list[Finding]]) -> None:
        """Add findings found beyond the sheet (Excel row number → findings); each replaces
        the row's finding of the same rule and field, if any."""
        for row, new in found.items():
            replaced = {(f.code, f.field) for f in new}
            kept = [f for f in self.by_row.get(row, ()) if (f.code, f.field) not in replaced]
            merged = [*kept, *new]
            merged.sort(key=lambda f: (f.position or 0, f.code))
            self.by_row[row] = merged
        self.by_row = dict(sorted(self.by_row.items()))
        self.findings = [*self.sheet_findings, *(f for row in self.by_row.values() for f in row)]
        self._counts = None

    def counts(self) -> dict[str, int]:
        """Rows valid, invalid and with warnings; counted once (findings do not change)."""
        if self._counts is None:
            out = {Validation.VALID.value: 0, Validation.INVALID.value: 0, "warnings": 0}
            for i, row in enumerate(self.sheet.row_numbers):
                out[self.status(i)] += 1
                if any(f.severity == "warning" for f in self.by_row.get(row, ())):
                    out["warnings"] += 1
            self._counts = out
        return dict(self._counts)


@dataclass
class FindingGroup(Result):
    """The findings of one rule in one column of one sheet: how many, and a few examples."""

    sheet: str  # file › sheet
    code: str
    severity: str
    column: str
    count: int
    message: str  # the first finding's message
    cells: list[str]  # a few example cells, such as C12
    field: str = ""  # the API field of the column ("" for a header not recognised)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "code": self.code,
            "severity": self.severity,
            "column": self.column,
            "count": self.count,
            "message": self.message,
            "cells": self.cells,
        }


def finding_groups(results: Iterable[SheetResult], examples: int = 3) -> list[FindingGroup]:
    """Findings grouped by sheet, rule and column, errors first, largest groups first."""
    groups: dict[tuple[str, str, str], FindingGroup] = {}
    for result in results:
        label = result.sheet.label
        for f in result.findings:
            key = (label, f.code, f.field)
            group = groups.get(key)
            if group is None:
                group = groups[key] = FindingGroup(
                    label, f.code, f.severity, f.column, 0, f.message, [], f.field
                )
            group.count += 1
            if len(group.cells) < examples:
                letter = column_letter(f.position) if f.position is not None else ""
                group.cells.append(f"{letter}{f.row}")
    return sorted(groups.values(), key=lambda g: (g.severity != "error", g.sheet, -g.count))


@dataclass
class ValidationRun(Result):
    books: list[Workbook]
    results: list[SheetResult]
    lang: str  # the language its findings are worded in
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every row is valid, 1 when some are not or there is none (``simad validate``)."""
        return 0 if self.ok else 1

    @property
    def ok(self) -> bool:
        return self.invalid == 0 and self.rows > 0

    @property
    def rows(self) -> int:
        """Data rows in every sheet (0: a workbook of headers only, nothing was checked)."""
        return sum(len(r.sheet.rows) for r in self.results)

    @property
    def invalid(self) -> int:
        """Rows invalid in every sheet."""
        return sum(r.counts()[Validation.INVALID] for r in self.results)

    def verdict(self) -> str:
        """One sentence for a person: every row valid, or how many are not."""
        invalid = self.invalid
        if not invalid and not self.rows:
            return t("validate_no_rows")
        return t("validate_some_invalid", n=invalid) if invalid else t("validate_all_valid")

    def to_dict(self) -> dict[str, Any]:
        """The JSON ``simad validate --json`` prints, as a value."""
        out: dict[str, Any] = json.loads("".join(self.iter_json()))
        return out

    def iter_json(self, **extra: Any) -> Iterator[str]:
        """The run as JSON, in pieces (one per finding), so that millions of findings are
        printed without building them all in memory first."""

        def dump(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, default=str)

        yield '{"ok": ' + dump(self.ok) + ', "rows": ' + dump(self.rows)
        for key, value in extra.items():
            yield f", {dump(key)}: {dump(value)}"
        yield ', "files": ' + dump(
            [{"path": str(b.path), "skipped_sheets": b.skipped} for b in self.books]
        )
        yield ', "sheets": ['
        for n, r in enumerate(self.results):
            head = {
                "file": str(r.sheet.path),
                "sheet": r.sheet.name,
                "kind": r.sheet.kind,
                "rows": len(r.sheet.rows),
                **r.counts(),
            }
            yield ("" if n == 0 else ", ") + dump(head)[:-1] + ', "findings": ['
            for i, f in enumerate(r.findings):
                yield ("\n" if i == 0 else ",\n") + dump(f.to_dict())
            yield "]}"
        yield "]}\n"


def display(value: Any) -> str:
    """A cell as the user sees it (12.0 → '12', dates as ISO)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


# What validation knows of each kind's hand-written rules: the checks spanning several
# fields (with the values their messages need) and the duplicate keys, declared once in
# ``schemas/residents.py`` and ``schemas/upgrades.py`` for the schema and for the check
# across sheets and files alike.
ROW_RULES: dict[str, RowRule] = {r.code: r for rules in kinds.ROW_RULES.values() for r in rules}
DUPLICATES: dict[str, tuple[str, Duplicate]] = {
    d.code: (kind, d) for kind in KINDS for d in kinds.DUPLICATES[kind]
}


class _Builder:
    """Collects findings for one sheet, row by row (no index over every finding: a sheet with
    every cell wrong has millions of them), in the current language. ``frame`` and ``groups``
    (duplicate rule → row index → the Excel rows of its group) give the values the rules'
    messages need."""

    def __init__(
        self,
        sheet: Sheet,
        frame: pd.DataFrame | None = None,
        groups: dict[str, dict[int, list[int]]] | None = None,
    ):
        self.sheet, self.frame, self.groups = sheet, frame, groups or {}
        self.lang = current_lang()
        self.rows: dict[int, list[Finding]] = {}
        self._given: dict[str, dict[str, Any]] = {}  # field → the values its line gives

    def by_row(self) -> dict[int, list[Finding]]:
        """Excel row number → its findings, ordered by column and rule, rows in sheet order."""
        out = {}
        for index in sorted(self.rows):
            found = self.rows[index]
            found.sort(key=lambda f: (f.position or 0, f.code))
            out[self.sheet.row_numbers[index]] = found
        return out

    def column_of(self, f: Field) -> tuple[str, int | None]:
        position = self.sheet.columns.get(f.name)
        if position is None:
            return f.label(self.lang), None
        return self.sheet.headers[position], position

    def values(self, code: str, f: Field, index: int) -> dict[str, Any] | None:
        """The values rule ``code``'s message needs (``Rule.values``), from whoever declares
        them: the duplicate groups, the row rule, or the field's line of the table."""
        needs = RULES[code].values
        if not needs:
            return None
        if code in DUPLICATES:
            return {"rows": [(None, r) for r in self.groups.get(code, {}).get(index, [])]}
        row_rule = ROW_RULES.get(code)
        if row_rule is not None and row_rule.values is not None and self.frame is not None:
            return row_rule.values(self.frame, index)
        given = self._given.get(f.name)
        if given is None:
            given = self._given[f.name] = field_values(f)
        return {name: given[name] for name in needs}

    def add(self, index: int, f: Field, code: str, extra: dict[str, Any] | None = None) -> None:
        found = self.rows.setdefault(index, [])
        if any(x.code == code and x.field == f.name for x in found):
            return
        column, position = self.column_of(f)
        raw = self.sheet.rows[index][position] if position is not None else None
        row = self.sheet.row_numbers[index]
        found.append(
            Finding(
                row,
                column,
                f.name,
                code,
                RULES[code].severity,
                display(raw),
                position,
                extra if extra is not None else self.values(code, f, index),
                self.lang,
            )
        )


def field_values(f: Field) -> dict[str, Any]:
    """What a field's line of ``schemas/fields.csv`` gives a message: its range as of today
    and its code table's codes."""
    low, high = f.bounds()
    given: dict[str, Any] = {"low": low, "high": high}
    if f.table is not None:
        given["allowed"] = allowed_codes(f.table)
    return given


def converter(f: Field) -> str | Callable[[Any], Converted]:
    """The converter of a field: its type's, or for a coded field one that also knows the
    words for its codes (titles and ``schemas/words.csv``) and dropdown entries (``1 - زن``,
    ``1710 - بیماری‌های داخلی``)."""
    if f.table and f.type == "id":
        return coded_identifier
    if not f.table or f.type != "int":
        return f.type
    return coded(code_words(f.table))


def normalise_sheet(sheet: Sheet) -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """The typed, normalised frame of a sheet and ``{(row index, field): problem}``."""
    data: dict[str, Any] = {}
    problems: dict[tuple[int, str], str] = {}
    n = len(sheet.rows)
    for f in fields(sheet.kind):
        position = sheet.columns.get(f.name)
        if position is None:
            values: list[Any] = [None] * n
        else:
            values, bad = convert_column([r[position] for r in sheet.rows], converter(f))
            problems.update({(i, f.name): code for i, code in bad.items()})
        if f.type == "date":
            data[f.name] = pd.to_datetime(pd.Series(values, dtype=object))
        elif f.type in DTYPES:
            data[f.name] = pd.array(values, dtype=DTYPES[f.type])
        else:
            data[f.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(n)), problems


_ALLOWED: dict[tuple[str, str], str] = {}


def allowed_codes(name: str) -> str:
    """A table's codes for a message in the current language: with their titles when there
    are few (``1 (زن)، 2 (مرد)``), the codes alone when the titles would make the message a
    page long."""
    lang = current_lang()
    text = _ALLOWED.get((name, lang))
    if text is None:
        table = codes.table(name)
        ordered = sorted(table.codes, key=int)
        if len(ordered) > 6:
            text = listing(ordered)
        else:
            text = listing(f"{c} ({table.title(c, lang)})" for c in ordered)
        _ALLOWED[(name, lang)] = text
    return text


def _duplicate_groups(
    sheet: Sheet, frame: pd.DataFrame, codes_found: set[str]
) -> dict[str, dict[int, list[int]]]:
    """Duplicate rule → row index → the Excel rows of its group, for the rules that failed."""
    groups: dict[str, dict[int, list[int]]] = {}
    for code in codes_found & DUPLICATES.keys():
        keys = list(DUPLICATES[code][1].keys)
        members: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for index, key in zip(
            frame.index, frame[keys].astype(str).itertuples(index=False), strict=True
        ):
            members[tuple(key)].append(index)
        groups[code] = {
            i: [sheet.row_numbers[j] for j in group]
            for group in members.values()
            if len(group) > 1
            for i in group
        }
    return groups


def validate_sheet(
    sheet: Sheet,
    *,
    course_table: codes.CodeTable | None = None,
    strict_courses: bool = False,
    known_students: Collection[str] = frozenset(),
) -> SheetResult:
    """One sheet's findings, worded in the current language."""
    started = time.perf_counter()
    frame, problems = normalise_sheet(sheet)
    normalised = time.perf_counter()
    by_name = {f.name: f for f in fields(sheet.kind)}
    failures = _failures(kinds.schema(sheet.kind, course_table, strict_courses), frame, problems)
    groups = _duplicate_groups(sheet, frame, {c for c, _, _ in failures})
    build = _Builder(sheet, frame, groups)
    for (index, name), code in problems.items():
        build.add(index, by_name[name], code)
    sheet_findings = header_findings(sheet, by_name)
    for code, name, index in failures:
        if code == "required" and name not in sheet.columns:  # column_missing says it
            continue
        build.add(index, by_name[name], code)
    if sheet.kind == "upgrades":
        for index, student in enumerate(frame["StudentNumber"]):
            if student is not None and student not in known_students:
                build.add(index, by_name["StudentNumber"], "resident_unknown")
    by_row = build.by_row()
    findings = [*sheet_findings, *(f for found in by_row.values() for f in found)]
    timings = {"normalise": normalised - started, "schema": time.perf_counter() - normalised}
    return SheetResult(
        sheet, frame, findings, timings=timings, by_row=by_row, sheet_findings=sheet_findings
    )


def header_findings(sheet: Sheet, by_name: dict[str, Field]) -> list[Finding]:
    """One finding per required column the sheet lacks and per header not recognised, with
    the likely meaning of an unrecognised header and how to say it (``--map``)."""
    used = set(sheet.columns.values())
    unknown = [
        (position, header)
        for position, header in enumerate(sheet.headers)
        if position not in used and header.strip() and not header.startswith("column_")
    ]
    missing, explained = _missing_columns(sheet, by_name, unknown)
    labels = [f for f in by_name.values() if f.name not in sheet.columns]
    lang = current_lang()
    found = list(missing)
    for position, header in unknown:
        if position in explained:
            continue
        best = _most_alike(labels, lambda f: _likeness(header, f))  # noqa: B023 (used at once)
        hint = ""
        if best is not None:
            hint = t("header_hint_unknown", label=best.label(lang), header=header, field=best.name)
        found.append(
            Finding(
                sheet.header_row,
                header,
                "",
                "header_unknown",
                RULES["header_unknown"].severity,
                header,
                position,
                {"hint": hint},
                lang,
            )
        )
    return found


def _missing_columns(
    sheet: Sheet, by_name: dict[str, Field], unknown: list[tuple[int, str]]
) -> tuple[list[Finding], set[int]]:
    """A finding per required column the sheet lacks, and the positions of the unknown
    headers that a hint explains as one of them."""
    lang = current_lang()
    found: list[Finding] = []
    explained: set[int] = set()
    for f in by_name.values():
        if not f.required or f.name in sheet.columns:
            continue
        guess = _most_alike(unknown, lambda u: _likeness(u[1], f))  # noqa: B023 (used at once)
        hint = ""
        if guess is not None:
            explained.add(guess[0])
            hint = t("header_hint_missing", header=guess[1], field=f.name)
        found.append(
            Finding(
                sheet.header_row,
                f.label(lang),
                f.name,
                "column_missing",
                RULES["column_missing"].severity,
                extra={"hint": hint},
                lang=lang,
            )
        )
    return found, explained


LIKENESS = 0.5  # how alike a header and a label must be for the label to be suggested
T = TypeVar("T")


def _most_alike(candidates: list[T], likeness: Callable[[T], float]) -> T | None:
    """The candidate most alike, if any is alike enough (``LIKENESS``)."""
    scored = [(likeness(c), n) for n, c in enumerate(candidates)]
    best = max(scored, default=None)
    return candidates[best[1]] if best is not None and best[0] >= LIKENESS else None


def _likeness(header: str, f: Field) -> float:
    """How likely ``header`` means field ``f``: the closest of its labels, a part of one
    counting as much as a near spelling."""
    mine = header_key(header)
    best = 0.0
    for label in (f.name, f.label_fa, f.label_en, *f.aliases):
        theirs = header_key(label)
        if not mine or not theirs:
            continue
        score = difflib.SequenceMatcher(None, mine, theirs).ratio()
        if len(mine) >= 3 and (mine in theirs or theirs in mine):
            score = max(
                score, 0.5 + 0.5 * min(len(mine), len(theirs)) / max(len(mine), len(theirs))
            )
        best = max(best, score)
    return best


def _failures(
    schema: pa.DataFrameSchema, frame: pd.DataFrame, skip: Collection[tuple[int, str]] = ()
) -> list[tuple[str, str, int]]:
    """(rule code, field, row index) for every failed check, once per row and rule.

    Required fields are checked here, column by column, rather than by pandera: its failure
    cases for a sheet of empty cells run to millions of rows. Cells in ``skip`` (already a
    conversion finding) are not reported as missing.
    """
    out: set[tuple[str, str, int]] = set()
    required = [n for n, c in schema.columns.items() if not c.nullable and n in frame]
    for name in required:
        for index in np.flatnonzero(frame[name].isna().to_numpy()):
            if (int(index), name) not in skip:
                out.add(("required", name, int(index)))
    relaxed = schema.update_columns({name: {"nullable": True} for name in required})
    try:
        relaxed.validate(frame, lazy=True)
        cases = None
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    if cases is not None:
        for check, _column, index in zip(
            cases["check"], cases["column"], cases["index"], strict=True
        ):
            if index is None or (isinstance(index, float) and index != index):
                continue
            if ":" in str(check):
                code, name = str(check).split(":", 1)
                out.add((code, name, int(index)))
    return sorted(out, key=lambda t: (t[2], t[0]))


def read_course_table(path: Path | str) -> codes.CodeTable:
    """The official course-code table the user named (``--course-codes``)."""
    try:
        return codes.read_table(path, "course_codes")
    except (OSError, ValueError) as exc:
        raise InputFileError(t("course_table_unusable", path=path, reason=exc)) from exc


def validate_paths(
    paths: Iterable[Path | str],
    *,
    kind: str | None = None,
    course_codes: Path | str | None = None,
    known_students: Iterable[str] = (),
    mapping: Mapping | None = None,
) -> ValidationRun:
    """Read and validate every file; raise ``InputFileError`` for a file that cannot be used.
    ``mapping``: what the user said unknown headers mean (``--map``). Findings are worded in
    the current language."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    books = [read_file(p, kind, mapping) for p in paths]
    timings["read"] = time.perf_counter() - started
    table = read_course_table(course_codes) if course_codes else None
    run = validate_books(books, course_table=table, known_students=known_students)
    run.timings = {**timings, **run.timings}
    return run


def validate_books(
    books: list[Workbook],
    *,
    course_table: codes.CodeTable | None = None,
    known_students: Iterable[str] = (),
) -> ValidationRun:
    """Validate workbooks already read (again, after a cell was corrected in memory): every
    sheet, because duplicates span rows and a residents sheet makes its declarations'
    residents known. Findings are worded in the current language."""
    return _validate_books(books, course_table, set(known_students))


def _validate_books(
    books: list[Workbook], course_table: codes.CodeTable | None, known: set[str]
) -> ValidationRun:
    sheets = [s for b in books for s in b.sheets]
    done: dict[int, SheetResult] = {}

    def check(sheet: Sheet) -> SheetResult:
        return validate_sheet(
            sheet,
            course_table=course_table,
            strict_courses=course_table is not None,
            known_students=known,
        )

    # Residents first: their normalised student numbers make the declarations' residents known.
    for n, sheet in enumerate(sheets):
        if sheet.kind == "residents":
            done[n] = check(sheet)
            known.update(v for v in done[n].frame["StudentNumber"] if v)
    results = [done[n] if n in done else check(sheet) for n, sheet in enumerate(sheets)]
    started = time.perf_counter()
    duplicates_across(results, _places(books))
    timings = {stage: sum(r.timings[stage] for r in results) for stage in ("normalise", "schema")}
    timings["schema"] += time.perf_counter() - started
    return ValidationRun(books, results, current_lang(), timings)


def _places(books: list[Workbook]) -> list[str]:
    """Each sheet's name in a finding that points at it from elsewhere: ``file › sheet``,
    with the file's place among the inputs when two inputs have the same name (two copies
    of one file, or one file named twice)."""
    names = [b.path.name for b in books]
    out = []
    for n, book in enumerate(books):
        name = book.path.name if names.count(book.path.name) == 1 else f"{book.path.name} ({n + 1})"
        out += [f"{name} › {sheet.name}" for sheet in book.sheets]
    return out


def duplicates_across(results: list[SheetResult], places: list[str]) -> None:
    """The duplicate rules across sheets and files, exactly as within one sheet: a key
    (StudentNumber; the unique triple; StudentNumber and YearId) on rows of two or more
    sheets of a kind is an error on every row involved, naming the others (``places[n]``
    names sheet ``n``), since the tool cannot know which one is meant. Each finding lists
    every row of its group, those of its own sheet by number, as within one sheet."""
    for kind, duplicate in DUPLICATES.values():
        members = [n for n, r in enumerate(results) if r.sheet.kind == kind]
        if len(members) < 2:
            continue
        f = next(x for x in fields(kind) if x.name == duplicate.field)
        found: dict[int, _Builder] = {}
        for group in _groups_across(results, members, list(duplicate.keys)):
            for n, index in group:
                rows = [
                    (None if m == n else places[m], results[m].sheet.row_numbers[j])
                    for m, j in group
                ]
                build = found.setdefault(n, _Builder(results[n].sheet))
                build.add(index, f, duplicate.code, {"rows": rows})
        for n, build in found.items():
            results[n].merge(build.by_row())


def _groups_across(
    results: list[SheetResult], members: list[int], keys: list[str]
) -> Iterator[list[tuple[int, int]]]:
    """The groups of (sheet number, row index) sharing a key across two or more sheets (a
    group within one sheet is the sheet's own check's)."""
    parts = []
    for n in members:
        frame = results[n].frame[keys]
        keyed = frame[frame.notna().all(axis=1).to_numpy()].astype(str)
        parts.append(keyed.assign(sheet_no=n, row_index=keyed.index))
    every = pd.concat(parts, ignore_index=True)
    repeated = every[every.duplicated(keys, keep=False).to_numpy()]  # a few rows, usually
    groups: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for *key, n, index in repeated.itertuples(index=False, name=None):
        groups[tuple(key)].append((int(n), int(index)))
    for group in groups.values():
        if len({n for n, _ in group}) >= 2:
            yield group
