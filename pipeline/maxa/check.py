"""Checking a drug list (codes and names) against a version of a MAXA terminology (SPEC B.11).

A vendor's list is a sheet of its own making: the code and name columns are found by their
headers (or named by the user), every row is classified against the mirrored versions, and
the report is the user's sheet again with a status, the official name, the version and a
message after its columns, the cells that need attention marked as in the other reports.

    valid          the code is in the version and the name matches (case, spaces and
                   Persian/Arabic letter forms aside)
    name_differs   the code is there, the name is another (the official one shown; an older
                   version's name said so)
    retired        the code is only in older versions (the last one named)
    unknown        the code is in no version compared
    invalid_input  the code is empty, or not shaped like the terminology's codes
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pipeline.core.errors import InputFileError, MirrorError
from pipeline.core.i18n import listing, t
from pipeline.core.result import Result
from pipeline.core.status import MaxaCheck
from pipeline.maxa.client import MaxaClient
from pipeline.maxa.mirror import Mirror, choose_version, pull, server_versions
from pipeline.sheets.fields import header_key
from pipeline.sheets.normalize import is_blank, plain, title_key, to_identifier
from pipeline.sheets.reader import (
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    column_letter,
    column_number,
    data_rows,
    read_grids,
)
from pipeline.sheets.report import Report, ReportSheet, file_sha256, write_report
from schemas import codes

RESULT_COLUMNS = ["row", "status", "official_name", "checked_version", "messages"]
MAX_CODE_LENGTH = 64
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number: a 16-digit IRC loses one


@cache
def _headers(column: str, match: str) -> tuple[str, ...]:
    """Headers that name the column of codes or of names (schemas/maxa_headers.csv), folded
    by ``header_key``; read when a list is first read, not at import."""
    return tuple(header_key(h) for h in codes.maxa_headers(column, match))


_LETTERS = re.compile(r"[A-Za-z]{1,3}")


def same_name(given: str, official: str) -> bool:
    """Whether a row's name is the official one, as ``name_key`` folds them (the same text
    is, without folding)."""
    return given == official or name_key(given) == name_key(official)


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """A name folded for comparison: case, spaces and half-spaces, invisible marks, Arabic
    letter forms (ي ك ة أ, presentation forms), vowel marks and digits' scripts aside."""
    return title_key(text).casefold()  # title_key folds the alef's forms (fold_alef)


# -- reading a list ----------------------------------------------------------------------


@dataclass
class CodeList:
    """One sheet of a user's list: its own headers and rows, and where codes and names are."""

    path: Path
    sheet: str
    headers: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]
    code_at: int
    name_at: int | None

    @property
    def label(self) -> str:
        return f"{self.path.name} › {self.sheet}"


@dataclass
class Lists:
    sheets: list[CodeList] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file › sheet" with no column of codes


def read_lists(
    paths: Iterable[Path],
    terminology: str,
    code_column: str | None = None,
    name_column: str | None = None,
) -> Lists:
    """Every sheet of ``paths`` that has a column of codes. ``InputFileError`` naming the
    file when one has none, or when a column named by the user is not there."""
    found = Lists()
    for path in paths:
        grids = read_grids(Path(path))
        sheets = []
        for name, grid in grids:
            sheet = _locate(Path(path), name, grid, terminology, code_column, name_column)
            if sheet is None:
                found.skipped.append(f"{Path(path).name} › {name}")
            else:
                sheets.append(sheet)
        if not sheets:
            seen = _first_row(grids)
            if code_column:
                raise InputFileError(
                    t("check_no_such_column", path=path, column=code_column, headers=seen)
                )
            raise InputFileError(t("check_no_code_column", path=path, headers=seen))
        found.sheets += sheets
    return found


def _first_row(grids: list[tuple[str, list[list[Any]]]]) -> str:
    for _name, grid in grids:
        for row in grid[:HEADER_SEARCH_ROWS]:
            cells = [str(c).strip() for c in row if not is_blank(c)]
            if cells:
                return listing(cells[:12])
    return "-"


def _locate(
    path: Path,
    sheet: str,
    grid: list[list[Any]],
    terminology: str,
    code_column: str | None,
    name_column: str | None,
) -> CodeList | None:
    """The header row among the first rows and the columns of codes and names in it."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) if isinstance(c, str) and c.strip() else "" for c in row]
        if code_column:
            code_at = _named(code_column, keys, row)
        else:
            code_at = _column(keys, terminology, path, sheet, index + 1)
        if code_at is None:
            continue
        if name_column:
            name_at = _named(name_column, keys, row)
            if name_at is None:
                raise InputFileError(
                    t(
                        "check_no_such_column",
                        path=path,
                        column=name_column,
                        headers=listing(str(c) for c in row if not is_blank(c)),
                    )
                )
        else:
            name_at = _column(keys, None, path, sheet, index + 1, skip=code_at)
        headers = [
            str(c).strip() if not is_blank(c) else f"{column_letter(i)}" for i, c in enumerate(row)
        ]
        rows, numbers = data_rows(grid, index, len(headers))
        if len(rows) > MAX_ROWS:
            raise InputFileError(
                t("sheet_too_long", path=path, sheet=sheet, rows=len(rows), limit=MAX_ROWS)
            )
        return CodeList(path, sheet, headers, rows, numbers, code_at, name_at)
    return None


def _named(column: str, keys: list[str], row: list[Any]) -> int | None:
    """The column the user named: by its header, or by its letter (A, B, …) when no header
    is spelt so."""
    wanted = header_key(column)
    if wanted in keys:
        return keys.index(wanted)
    if _LETTERS.fullmatch(column.strip()) and any(not is_blank(c) for c in row):
        position = column_number(column.strip().upper().encode())
        return position if position < len(row) else None
    return None


def _column(
    keys: list[str],
    terminology: str | None,
    path: Path,
    sheet: str,
    row: int,
    skip: int | None = None,
) -> int | None:
    """The column of codes (``terminology`` given) or of names, by header: a header that
    names the terminology (eRx, کد IRC) first, then an exact word, then one containing it.
    Two equally good columns are refused: which one is meant cannot be guessed."""
    if terminology is not None:
        term = header_key(terminology)
        exact, parts = _headers("code", "exact"), _headers("code", "part")
        own = {term, *(p + term for p in parts), *(term + p for p in parts)}
    else:
        exact, parts, own = _headers("name", "exact"), _headers("name", "part"), set()
    tests: tuple[Callable[[str], bool], ...] = (
        lambda k: k in own,
        lambda k: k in exact,
        lambda k: any(p in k for p in parts),
    )
    for test in tests:
        hits = [i for i, k in enumerate(keys) if k and i != skip and test(k)]
        if len(hits) > 1 and terminology is not None:
            raise InputFileError(
                t(
                    "check_two_code_columns",
                    path=path.name,
                    sheet=sheet,
                    row=row,
                    first=column_letter(hits[0]),
                    second=column_letter(hits[1]),
                )
            )
        if hits:
            return hits[0]
    return None


# -- reading a code --------------------------------------------------------------------------


def read_code(value: Any, digits_only: bool) -> tuple[str | None, str | None]:
    """(the code, None) or (None, why it is not one), for one cell of the codes' column.
    ``digits_only``: the terminology's codes are all digits."""
    if is_blank(value):
        return None, t("check_code_empty")
    if isinstance(value, float) and not value.is_integer():
        return None, t("check_code_fraction", value=value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits.lstrip("-")) > EXCEL_DIGITS:
            return None, t("check_code_rounded", value=digits)
        return digits, None
    code, problem = to_identifier(str(value))
    if problem == "digits_lost":
        return None, t("check_code_rounded", value=plain(str(value)))
    if not code:
        return None, t("check_code_empty")
    if len(code) > MAX_CODE_LENGTH or not code.isprintable():
        return None, t("check_code_malformed", value=code[:MAX_CODE_LENGTH])
    if digits_only and not code.isdigit():
        return None, t("check_code_not_digits", value=code)
    return code, None


# -- classifying ---------------------------------------------------------------------------


@dataclass
class Verdict:
    status: MaxaCheck
    code: str | None
    official: str | None  # the name in the version checked (retired: in the last one with it)
    message: str
    other_version: str | None = None  # whose name the row has / last with it / first with it

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "code": self.code,
            "official_name": self.official,
            "other_version": self.other_version,
            "message": self.message,
        }


@dataclass
class Versions:
    """What the rows are compared with: the checked version's values of their codes, and
    the other mirrored versions' in order (oldest first), each split around the checked."""

    terminology: str
    checked: str
    current: dict[str, str]
    older: list[tuple[str, dict[str, str]]]  # oldest first
    newer: list[tuple[str, dict[str, str]]]  # oldest first


def classify(
    code: str | None, problem: str | None, name: Any, has_names: bool, v: Versions
) -> Verdict:
    if code is None:
        return Verdict(MaxaCheck.INVALID_INPUT, None, None, problem or t("check_code_empty"))
    official = v.current.get(code)
    if official is not None:
        if not has_names:
            return Verdict(MaxaCheck.VALID, code, official, "")
        given = "" if is_blank(name) else str(name)
        if given and same_name(given, official):
            return Verdict(MaxaCheck.VALID, code, official, "")
        if not given:
            return Verdict(MaxaCheck.NAME_DIFFERS, code, official, t("check_name_empty"))
        older = next(
            (
                version
                for version, values in reversed(v.older)
                if code in values and same_name(given, values[code])
            ),
            None,
        )
        message = t("check_name_differs", version=v.checked)
        if older is not None:
            message += " " + t("check_name_of_version", version=older)
        return Verdict(MaxaCheck.NAME_DIFFERS, code, official, message, older)
    last = next(
        ((version, values[code]) for version, values in reversed(v.older) if code in values), None
    )
    if last is not None:
        message = t("check_retired", version=v.checked, last=last[0])
        return Verdict(MaxaCheck.RETIRED, code, last[1], message, last[0])
    first = next(((version, values[code]) for version, values in v.newer if code in values), None)
    if first is not None:
        message = t("check_unknown_yet", version=v.checked, first=first[0])
        return Verdict(MaxaCheck.UNKNOWN, code, None, message, first[0])
    return Verdict(MaxaCheck.UNKNOWN, code, None, t("check_unknown", terminology=v.terminology))


# -- the whole check -------------------------------------------------------------------------


@dataclass
class Checked(Result):
    """Every row of every sheet with its verdict, and the versions it was checked against."""

    terminology: str
    version: str
    compared: list[str]  # every version the rows were compared with, oldest first
    lists: Lists
    verdicts: list[list[Verdict]]  # per sheet, per row
    report: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(v.status.value for sheet in self.verdicts for v in sheet)
        return {status.value: n for status, n in MaxaCheck.counted(counted).items()}

    @property
    def all_valid(self) -> bool:
        return all(v.status == MaxaCheck.VALID for sheet in self.verdicts for v in sheet)

    @property
    def exit_code(self) -> int:
        """0 when every row is valid, 1 otherwise."""
        return 0 if self.all_valid else 1

    def rows(self) -> Iterable[tuple[CodeList, int, Verdict]]:
        for sheet, verdicts in zip(self.lists.sheets, self.verdicts, strict=True):
            for i, verdict in enumerate(verdicts):
                yield sheet, i, verdict

    def attention(self) -> list[tuple[CodeList, int, Verdict]]:
        """The rows that are not valid, in the order of the lists."""
        return [(s, i, v) for s, i, v in self.rows() if v.status != MaxaCheck.VALID]

    def to_dict(self) -> dict[str, Any]:
        return {
            "terminology": self.terminology,
            "version": self.version,
            "compared_versions": self.compared,
            "counts": self.counts,
            "all_valid": self.all_valid,
            "sheets": [
                {
                    "file": str(s.path),
                    "sheet": s.sheet,
                    "code_column": column_letter(s.code_at),
                    "name_column": column_letter(s.name_at) if s.name_at is not None else None,
                }
                for s in self.lists.sheets
            ],
            "skipped": self.lists.skipped,
            "rows": [
                {
                    "file": sheet.path.name,
                    "sheet": sheet.sheet,
                    "row": sheet.row_numbers[i],
                    "given_code": _cell(sheet.rows[i], sheet.code_at),
                    "name": _cell(sheet.rows[i], sheet.name_at),
                    **verdict.to_dict(),
                }
                for sheet, i, verdict in self.rows()
            ],
            "report": str(self.report) if self.report else None,
        }


def _cell(row: list[Any], at: int | None) -> Any:
    if at is None or at >= len(row) or is_blank(row[at]):
        return None
    value = row[at]
    return value if isinstance(value, str | int | float | bool) else str(value)


def codes_of(lists: Lists, digits_only: bool) -> list[list[tuple[str | None, str | None]]]:
    """Each row's (code, problem), per sheet."""
    return [[read_code(row[s.code_at], digits_only) for row in s.rows] for s in lists.sheets]


def check(
    lists: Lists,
    parsed: list[list[tuple[str | None, str | None]]],
    versions: Versions,
    compared: list[str],
) -> Checked:
    verdicts = [
        [
            classify(code, problem, _cell(row, s.name_at), s.name_at is not None, versions)
            for row, (code, problem) in zip(s.rows, sheet_codes, strict=True)
        ]
        for s, sheet_codes in zip(lists.sheets, parsed, strict=True)
    ]
    return Checked(versions.terminology, versions.checked, compared, lists, verdicts)


async def check_lists(
    client: MaxaClient | None, mirror: Mirror, terminology: str, version: str, lists: Lists
) -> Checked:
    """Classify ``lists`` against ``version`` of ``terminology``. With a ``client``, the
    version is pulled when the mirror lacks it, and so are the older versions when a row
    needs them (a code not in the version, a name that differs); without one, only what is
    mirrored is used."""
    if client is not None:
        listed = await server_versions(client, terminology)
        chosen = choose_version(listed, terminology, version)
        if not mirror.has(terminology, chosen.version):
            await pull(client, mirror, terminology, chosen)
        checked = chosen.version
        older_listed = listed[: listed.index(chosen)]
    else:
        mirrored = mirror.versions_in_order(terminology)
        checked = (
            mirror.default_version(terminology) if version in ("", "latest") else version.strip()
        ) or ""
        if checked not in mirrored:
            raise MirrorError(t("mirror_missing", terminology=terminology, version=checked))
        older_listed = []
    parsed = codes_of(lists, mirror.digits_only(terminology, checked))
    wanted = {code for sheet in parsed for code, _ in sheet if code}
    current = mirror.values(terminology, checked, wanted)
    doubtful = _doubtful(lists, parsed, current)
    if doubtful and older_listed:
        assert client is not None
        for missing in older_listed:
            if not mirror.has(terminology, missing.version):
                try:
                    await pull(client, mirror, terminology, missing)
                except MirrorError:  # a version listed without terms: nothing to compare
                    continue
    order = mirror.versions_in_order(terminology)
    at = order.index(checked)
    older = [(v, mirror.values(terminology, v, doubtful)) for v in order[:at]] if doubtful else []
    newer = (
        [(v, mirror.values(terminology, v, doubtful)) for v in order[at + 1 :]] if doubtful else []
    )
    versions = Versions(terminology, checked, current, older, newer)
    return check(lists, parsed, versions, order)


def _doubtful(
    lists: Lists, parsed: list[list[tuple[str | None, str | None]]], current: dict[str, str]
) -> set[str]:
    """The codes whose row needs the other versions: not in the version checked, or given
    with a name that is not its name there."""
    doubtful = set()
    for sheet, sheet_codes in zip(lists.sheets, parsed, strict=True):
        for row, (code, _) in zip(sheet.rows, sheet_codes, strict=True):
            if code is None:
                continue
            official = current.get(code)
            if official is None:
                doubtful.add(code)
            elif sheet.name_at is not None:
                given = _cell(row, sheet.name_at)
                if given is None or not same_name(str(given), official):
                    doubtful.add(code)
    return doubtful


# -- the report ----------------------------------------------------------------------------


def write_check_report(checked: Checked, path: Path) -> Path:
    """The user's sheets with the results after their columns, and a summary."""
    summary: list[tuple[str, Any]] = []
    for book in dict.fromkeys(s.path for s in checked.lists.sheets):
        summary.append((t("sum_input"), str(book)))
        summary.append((t("sum_sha256"), file_sha256(book)))
    summary += [
        (t("maxa_col_terminology"), checked.terminology),
        (t("check_sum_version"), checked.version),
        (t("check_sum_compared"), listing(checked.compared)),
    ]
    if checked.lists.skipped:
        summary.append((t("sum_skipped"), listing(checked.lists.skipped)))
    counts = checked.counts
    sheets = []
    several = len(checked.lists.sheets) > 1
    for sheet, verdicts in zip(checked.lists.sheets, checked.verdicts, strict=True):

        def results(
            i: int, sheet: CodeList = sheet, verdicts: list[Verdict] = verdicts
        ) -> list[Any]:
            v = verdicts[i]
            return [sheet.row_numbers[i], v.status.value, v.official, checked.version, v.message]

        def marks(
            i: int, sheet: CodeList = sheet, verdicts: list[Verdict] = verdicts
        ) -> dict[int, tuple[str, str]]:
            v = verdicts[i]
            if v.status == MaxaCheck.VALID:
                return {}
            if v.status == MaxaCheck.NAME_DIFFERS and sheet.name_at is not None:
                return {sheet.name_at: ("warning", v.message)}
            return {sheet.code_at: ("error", v.message)}

        title = f"{sheet.path.stem}-{sheet.sheet}" if several else sheet.sheet
        sheets.append(
            ReportSheet(
                title, sheet.headers, sheet.rows, RESULT_COLUMNS, results, marks, users_own=True
            )
        )
    headline = t(
        "check_headline",
        valid=counts[MaxaCheck.VALID.value],
        total=sum(counts.values()),
        terminology=checked.terminology,
        version=checked.version,
    )
    report = Report(
        summary,
        [t("col_status"), t("col_rows")],
        [[status, n] for status, n in counts.items()],
        sheets,
        chart_title=f"{checked.terminology} {checked.version}",
        headline=headline,
        status_counts=True,
    )
    return write_report(report, path)
