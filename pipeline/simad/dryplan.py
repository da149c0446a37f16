"""What a run would do before it does it: the rows it will send, those it leaves unchanged and
those it will not send, and why. The engine counts its progress from this plan and a page's
confirmation says the same numbers, so that what is promised is what the run counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from pipeline.core.status import Validation
from pipeline.sheets.validation import ValidationRun
from pipeline.simad.ledger import ACCEPTED, Recorded
from pipeline.simad.payloads import build_payload, payload_hash, row_key

INVALID, BLOCKED = "invalid", "blocked"  # why a row is not sent


@dataclass(frozen=True)
class PlannedRow:
    sheet: int  # the run's sheet (``ValidationRun.results``) index
    index: int  # the row's index in it
    kind: str  # resident | declaration
    key: str  # the ledger's key (student number, or STUDENT/YEAR)
    where: str  # the sheet's label
    row: int  # the row's number in the sheet
    resent: bool = False  # asked to be sent again even unchanged
    reason: str | None = None  # INVALID or BLOCKED, for a row not sent
    resident_row: int = 0  # BLOCKED: the resident's row number


@dataclass(frozen=True)
class SheetPlan:
    """One sheet of the plan: how many of its rows are sent, left unchanged, not sent."""

    label: str
    kind: str  # the sheet's kind (residents | declarations)
    send: int
    unchanged: int
    invalid: int
    blocked: int


@dataclass(frozen=True)
class DryPlan:
    send: tuple[PlannedRow, ...]
    unchanged: int
    not_sent: tuple[PlannedRow, ...]
    unchanged_by_sheet: tuple[int, ...] = ()  # per sheet of the run, in its order
    sheets: tuple[tuple[str, str], ...] = ()  # each sheet's label and kind

    def by_sheet(self) -> list[SheetPlan]:
        """The plan's numbers per sheet, in the run's order."""
        out = []
        for n, (label, kind) in enumerate(self.sheets):
            held = [r.reason for r in self.not_sent if r.sheet == n]
            out.append(
                SheetPlan(
                    label,
                    kind,
                    sum(r.sheet == n for r in self.send),
                    self.unchanged_by_sheet[n],
                    held.count(INVALID),
                    held.count(BLOCKED),
                )
            )
        return out

    @property
    def blocked(self) -> tuple[PlannedRow, ...]:
        """Declarations held back because of their resident's row."""
        return tuple(r for r in self.not_sent if r.reason == BLOCKED)

    @property
    def invalid(self) -> int:
        return sum(r.reason == INVALID for r in self.not_sent)

    @property
    def total(self) -> int:
        """The rows the run will send: the progress bar's total."""
        return len(self.send)

    def positions(self) -> set[tuple[int, int]]:
        return {(r.sheet, r.index) for r in self.send}


def _residents(run: ValidationRun) -> dict[str, tuple[bool, int]]:
    """Each student's resident row in the workbooks: (valid, row number); a valid row wins."""
    fate: dict[str, tuple[bool, int]] = {}
    for result in run.results:
        if result.sheet.kind != "residents":
            continue
        for i, student in enumerate(result.frame["StudentNumber"]):
            if student is None or fate.get(str(student), (False, 0))[0]:
                continue
            valid = result.status(i) == Validation.VALID
            fate[str(student)] = (valid, result.sheet.row_numbers[i])
    return fate


def dry_plan(
    run: ValidationRun,
    recorded: dict[str, dict[str, Recorded]],
    known: Collection[str],
    *,
    force: bool = False,
    resend: Iterable[tuple[str, str]] = (),
) -> DryPlan:
    """The plan of a run of ``run`` against what the ledger ``recorded`` (per kind) and the
    students the target accepted (``known``): invalid rows and declarations whose resident
    is invalid here and unknown to the target are not sent; rows the target accepted
    unchanged are not sent again, unless ``force`` or asked in ``resend``."""
    asked = set(resend)
    residents = _residents(run)
    send: list[PlannedRow] = []
    not_sent: list[PlannedRow] = []
    unchanged = [0] * len(run.results)
    for n, result in enumerate(run.results):
        sheet_kind = result.sheet.kind
        kind = "resident" if sheet_kind == "residents" else "declaration"
        for i, record in enumerate(result.frame.to_dict("records")):
            where, row = result.sheet.label, result.sheet.row_numbers[i]
            if result.status(i) != Validation.VALID:
                not_sent.append(PlannedRow(n, i, kind, "", where, row, reason=INVALID))
                continue
            payload = build_payload(sheet_kind, record)
            key = row_key(sheet_kind, payload)
            student = str(payload["StudentNumber"])
            valid, resident_row = residents.get(student, (True, 0))
            if kind == "declaration" and not valid and student not in known:
                blocked = PlannedRow(n, i, kind, key, where, row, reason=BLOCKED)
                not_sent.append(dataclasses.replace(blocked, resident_row=resident_row))
                continue
            again = (kind, key) in asked
            seen = recorded.get(kind, {}).get(key)
            if (
                not force
                and not again
                and seen is not None
                and seen.state == ACCEPTED
                and seen.payload_hash == payload_hash(payload)
            ):
                unchanged[n] += 1
                continue
            send.append(PlannedRow(n, i, kind, key, where, row, resent=again))
    sheets = tuple((r.sheet.label, r.sheet.kind) for r in run.results)
    return DryPlan(tuple(send), sum(unchanged), tuple(not_sent), tuple(unchanged), sheets)
