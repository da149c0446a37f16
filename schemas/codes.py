"""Code tables of the SIMAD guide's appendices, loaded from the CSV files in ``schemas/``.

Nothing else in the package spells a code table out: the CSV files are the single source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

TABLES = {
    "declare_codes": "Appendix 1: upgrade declaration codes",
    "declaration_types": "Appendix 2: declaration types",
    "reject_reasons": "Appendix 3: reasons for not declaring",
    "review_statuses": "Appendix 4: review status of a declaration",
    "final_results": "Appendix 5: final exam results",
    "course_codes": "Appendix 6: standard course codes (legible part of the guide)",
    "genders": "Gender",
    "durations": "Residency year",
}


@dataclass(frozen=True)
class CodeTable:
    name: str
    titles_fa: dict[str, str]
    titles_en: dict[str, str]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.titles_fa)

    def code_titled(self, title_en: str) -> int:
        """The code whose English title is ``title_en`` (a table's meaning, not its number)."""
        for code in self.codes:
            if self.titles_en[code].strip().lower() == title_en.strip().lower():
                return int(code)
        raise KeyError(f"{self.name}: no code titled {title_en!r}")

    @property
    def int_codes(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.titles_fa)

    def title(self, code: object, lang: str = "fa") -> str | None:
        key = _code_key(code)
        return (self.titles_fa if lang == "fa" else self.titles_en).get(key)

    def __contains__(self, code: object) -> bool:
        return _code_key(code) in self.titles_fa


def _code_key(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


def read_table(path: Path | str, name: str | None = None) -> CodeTable:
    """Read a code table CSV with columns ``code`` and optional ``title_fa``/``title_en``.
    ``OSError`` when it cannot be read, ``ValueError`` when it is not a code table."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not rows or "code" not in rows[0]:
        raise ValueError(f"{path}: a code table needs a 'code' column")
    fa = {r["code"].strip(): (r.get("title_fa") or r.get("title") or "").strip() for r in rows}
    en = {r["code"].strip(): (r.get("title_en") or r.get("title") or "").strip() for r in rows}
    return CodeTable(name or path.stem, fa, en)


WORD_LISTS = {
    "genders": "Words offices type for a gender",
    "declaration_types": "Words for a declaration type",
    "durations": "Words for a residency year",
    "yes_no": "Words for yes (1) and no (0)",
    "nationality": "Words for Iranian (1) and not Iranian (0)",
}


@cache
def words(name: str) -> dict[str, str]:
    """``{word: code}`` of one word list in ``schemas/words.csv``: what offices type for a
    code besides the code and its title (``خانم`` for 1 in genders, ``R2`` for 2 in
    durations). Words are as typed there; callers fold them the way they fold a cell."""
    if name not in WORD_LISTS:
        raise KeyError(name)
    text = (resources.files("schemas") / "words.csv").read_text(encoding="utf-8-sig")
    return {r["word"]: r["code"] for r in csv.DictReader(text.splitlines()) if r["table"] == name}


@cache
def maxa_headers(column: str, match: str) -> tuple[str, ...]:
    """Headers that name a drug list's column of codes or of names (``column``: code | name),
    as a whole header or as a part of one (``match``: exact | part), from
    ``schemas/maxa_headers.csv``."""
    text = (resources.files("schemas") / "maxa_headers.csv").read_text(encoding="utf-8-sig")
    rows = csv.DictReader(text.splitlines())
    return tuple(r["header"] for r in rows if (r["column"], r["match"]) == (column, match))


@cache
def table(name: str) -> CodeTable:
    """One of the code tables shipped in ``schemas/`` (see ``TABLES``)."""
    if name not in TABLES:
        raise KeyError(name)
    with resources.as_file(resources.files("schemas") / f"{name}.csv") as path:
        return read_table(path, name)
