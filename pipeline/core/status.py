"""The status words of the product, one type per family.

A status is the word the SPEC uses (``sent``, ``matched``, ``name_differs`` …): it is what the
JSON output, the ledger and the English report say. Each member carries its family's order
(the order counts are listed in), its catalogue key (``status_<word>``, its Persian and
English label) and its tone (how a report and a page colour it). A new status is one line here
and one catalogue entry; nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Self


class Tone(StrEnum):
    """How a status is coloured: the page uses the name as a class, a workbook its colour."""

    GOOD = "good"
    BAD = "bad"
    WARN = "warn"
    QUIET = "quiet"

    @property
    def colour(self) -> str:
        """The font colour of a workbook cell of this tone (Excel's good/bad/neutral styles)."""
        return _COLOURS[self]


_COLOURS = {
    Tone.GOOD: "#006100",
    Tone.BAD: "#9C0006",
    Tone.WARN: "#9C5700",
    Tone.QUIET: "#595959",
}


class Status(StrEnum):
    """A family of statuses; subclasses list their members as ``NAME = "word", Tone.X``."""

    tone: Tone

    def __new__(cls, word: str, tone: Tone = Tone.QUIET) -> Self:
        member = str.__new__(cls, word)
        member._value_ = word
        member.tone = tone
        return member

    @property
    def key(self) -> str:
        """The catalogue key of this status's label."""
        return f"status_{self.value}"

    @property
    def rank(self) -> int:
        """Its place in its family's order."""
        return list(type(self)).index(self)

    @classmethod
    def counted(cls, counts: Mapping[str, int]) -> dict[Self, int]:
        """``counts`` with every member of the family, in the family's order (0 when absent)."""
        return {member: counts.get(member.value, 0) for member in cls}


class Validation(Status):
    """A row of the office's file, after validation."""

    VALID = "valid", Tone.GOOD
    INVALID = "invalid", Tone.BAD


class Submission(Status):
    """A row of a submission run."""

    SENT = "sent", Tone.GOOD
    UNCHANGED = "unchanged", Tone.QUIET
    FAILED = "failed", Tone.BAD
    NOT_SENT = "not_sent", Tone.WARN
    INVALID = "invalid", Tone.BAD


class Reconciliation(Status):
    """A declaration compared with what the server holds."""

    MATCHED = "matched", Tone.GOOD
    DIFFERENT = "different", Tone.BAD
    MISSING_ON_SERVER = "missing_on_server", Tone.WARN
    ONLY_ON_SERVER = "only_on_server", Tone.WARN


class MaxaCheck(Status):
    """A row of a drug list checked against a MAXA terminology."""

    VALID = "valid", Tone.GOOD
    NAME_DIFFERS = "name_differs", Tone.WARN
    RETIRED = "retired", Tone.BAD
    UNKNOWN = "unknown", Tone.BAD
    INVALID_INPUT = "invalid_input", Tone.BAD


FAMILIES: tuple[type[Status], ...] = (Submission, Validation, Reconciliation, MaxaCheck)

# The word of a reconciliation's needs-action column: no status, but coloured as a bad one.
NEEDS_ACTION = "yes"


def rank(word: str) -> tuple[int, int]:
    """Where a status word is listed among all families (unknown words last)."""
    for family_no, family in enumerate(FAMILIES):
        for member in family:
            if member.value == word:
                return family_no, member.rank
    return len(FAMILIES), 0


def tone(word: str) -> Tone | None:
    """The tone of a status word of any family (the first family that has it), ``BAD`` for
    the needs-action flag (``NEEDS_ACTION``), or None."""
    for family in FAMILIES:
        for member in family:
            if member.value == word:
                return member.tone
    return Tone.BAD if word == NEEDS_ACTION else None
