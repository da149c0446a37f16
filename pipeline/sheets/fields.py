"""The API fields of each sheet kind, their Persian labels, and header recognition.

Every field's rules are read from ``schemas/fields.csv`` by ``schemas/fields.py`` (which
fields a kind has, their type, required-ness, code table, range, pattern, rule and labels);
this module recognises headers by them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.core.i18n import MESSAGES, t
from pipeline.sheets.normalize import clean_text, fold_alef
from schemas.fields import KINDS as KINDS
from schemas.fields import Field as Field
from schemas.fields import field as field
from schemas.fields import fields as fields

KIND_TITLES = {kind: MESSAGES[f"kind_{kind}"] for kind in KINDS}
LISTS_SHEET = "lists"  # a template's hidden sheet of dropdown entries


# What a submission run keeps of each row, after the row's own columns: the ledger's row
# record and a submission report's columns (a report fed back as input is read without them).
ROW_FIELDS = (
    "status",
    "messages",
    "http_status",
    "server_message",
    "trace_id",
    "attempts",
    "sent_at",
)


_NOISE = re.compile(r"[\s\u200c\u200f\u200e_\-:؟?.()*]+")


def header_key(text: object) -> str:
    """A header folded for matching: no spaces, ZWNJ, punctuation or letter-form differences."""
    folded = fold_alef(clean_text(str(text)))
    folded = re.sub(r"\(.*?\)", "", folded)
    return _NOISE.sub("", folded).lower()


@cache
def header_index(kind: str) -> dict[str, str]:
    """Folded header → field name, for the API names, Persian and English labels and aliases."""
    index: dict[str, str] = {}
    for f in fields(kind):
        for label in (f.name, f.label_fa, f.label_en, *f.aliases):
            index.setdefault(header_key(label), f.name)
    return index


Mapping = dict[str, str]  # folded header → API field name, what the user said (--map)


def match_headers(
    headers: list[object], kind: str, mapping: Mapping | None = None
) -> dict[str, int]:
    """Field name → column position, for the headers that name a field of ``kind`` (the
    user's ``mapping`` first)."""
    index = {**header_index(kind), **(mapping or {})}
    names = {f.name for f in fields(kind)}
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = index.get(header_key(header)) if header not in (None, "") else None
        if name in names and name not in found:
            found[name] = position
    return found


def parse_mapping(entries: list[str]) -> Mapping:
    """``["رشته=CourseStudyCode", …]`` → a mapping; the field may be named by its API name or
    a label. ``ValueError`` naming the entry that cannot be understood."""
    mapping: Mapping = {}
    for entry in entries:
        header, sep, target = entry.partition("=")
        name = None
        for kind in KINDS:
            name = name or header_index(kind).get(header_key(target))
        if not sep or not header.strip() or name is None:
            raise ValueError(entry)
        mapping[header_key(header)] = name
    return mapping


def user_mapping(entries: list[str] | None = None, file: Path | None = None) -> Mapping:
    """What the user said headers mean: ``--map`` entries after those of a mapping file (one
    ``header=Field`` a line; blank and # lines skipped). ``ConfigError`` (exit 2) naming what
    cannot be used."""
    given = list(entries or [])
    if file is not None:
        try:
            lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(t("map_file_unreadable", path=file, reason=exc)) from exc
        given = [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")] + given
    try:
        return parse_mapping(given)
    except ValueError as exc:
        raise ConfigError(t("map_bad_entry", entry=exc.args[0])) from exc


DISTINCT = {
    "residents": {
        "NationalCode",
        "FirstName",
        "LastName",
        "FatherName",
        "BirthDate",
        "GenderId",
        "IsIrani",
        "Mobile",
        "Email",
        "CourseStudyCode",
        "ResidencyStartYear",
    },
    "upgrades": {
        "YearId",
        "DeclareCode",
        "DeclarationTypeId",
        "RejectReasonTypeId",
        "HasLogBook",
        "BaliniScore",
        "OperationScore",
        "EthicsScore",
    },
}


def detect_kind(
    headers: list[object], mapping: Mapping | None = None
) -> tuple[str | None, dict[str, int]]:
    """The kind whose distinctive fields the headers name most (at least three), or None."""
    best: tuple[int, str | None, dict[str, int]] = (0, None, {})
    for kind in KINDS:
        matched = match_headers(headers, kind, mapping)
        score = len(DISTINCT[kind] & matched.keys())
        if score > best[0]:
            best = (score, kind, matched)
    if best[0] < 3:
        return None, {}
    return best[1], best[2]
