"""A local, versioned mirror of MAXA terminologies (SQLite under ``SIMAD_HOME``).

``pull`` stores every term of one version; look-ups and validation then work offline and say
which version answered; ``diff`` lists the codes added, removed and whose value changed
between two versions, pulling what is missing.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MirrorError
from .i18n import t
from .maxa_client import MaxaClient, Term, Version
from .private import csv_safe, open_sqlite
from .report import Report, ReportSheet, write_report

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    tkey TEXT NOT NULL, terminology TEXT NOT NULL, version TEXT NOT NULL,
    version_id INTEGER, is_last INTEGER NOT NULL DEFAULT 0, pulled_at REAL NOT NULL,
    terms INTEGER NOT NULL, PRIMARY KEY (tkey, version)
);
CREATE TABLE IF NOT EXISTS terms (
    tkey TEXT NOT NULL, version TEXT NOT NULL, code TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (tkey, version, code)
);
"""
CHUNK = 2000


def tkey(terminology: str) -> str:
    """Terminology ids are matched case-insensitively (eRX, ERX, erX are one)."""
    return terminology.strip().lower()


@dataclass
class Diff:
    terminology: str
    old: str
    new: str
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "terminology": self.terminology,
            "from": self.old,
            "to": self.new,
            "added": [{"code": c, "value": v} for c, v in self.added],
            "removed": [{"code": c, "value": v} for c, v in self.removed],
            "changed": [{"code": c, "old": a, "new": b} for c, a, b in self.changed],
        }


class Mirror:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._db = open_sqlite(self.path)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def store(
        self,
        terminology: str,
        version: Version,
        terms: list[Term],
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        key = tkey(terminology)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM terms WHERE tkey = ? AND version = ?", (key, version.version))
            for start in range(0, len(terms), CHUNK):
                chunk = terms[start : start + CHUNK]
                db.executemany(
                    "INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?)",
                    [(key, version.version, t.code, t.value) for t in chunk],
                )
                if progress is not None:
                    progress(start + len(chunk), len(terms))
            if version.is_last:
                db.execute("UPDATE versions SET is_last = 0 WHERE tkey = ?", (key,))
            db.execute(
                "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    version.terminology or terminology,
                    version.version,
                    version.version_id,
                    int(version.is_last),
                    time.time(),
                    len(terms),
                ),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return len(terms)

    def has(self, terminology: str, version: str) -> bool:
        return (
            self._db.execute(
                "SELECT 1 FROM versions WHERE tkey = ? AND version = ?",
                (tkey(terminology), str(version)),
            ).fetchone()
            is not None
        )

    def pulled(self, terminology: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT terminology, version, version_id, is_last, pulled_at, terms FROM versions"
        params: tuple = ()
        if terminology:
            sql += " WHERE tkey = ?"
            params = (tkey(terminology),)
        cur = self._db.execute(sql + " ORDER BY tkey, pulled_at", params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def default_version(self, terminology: str) -> str | None:
        """The version offline answers come from: the latest, else the last pulled."""
        row = self._db.execute(
            "SELECT version FROM versions WHERE tkey = ? ORDER BY is_last DESC, "
            "version_id DESC, pulled_at DESC LIMIT 1",
            (tkey(terminology),),
        ).fetchone()
        return row[0] if row else None

    def lookup(
        self, terminology: str, code: str, version: str | None = None
    ) -> tuple[str | None, str | None]:
        """(value, version that answered); value None when the code is not in that version."""
        version = version or self.default_version(terminology)
        if version is None or not self.has(terminology, version):
            raise MirrorError(t("mirror_missing", terminology=terminology, version=version or ""))
        row = self._db.execute(
            "SELECT value FROM terms WHERE tkey = ? AND version = ? AND code = ?",
            (tkey(terminology), version, code.strip()),
        ).fetchone()
        return (row[0] if row else None), version

    def terms(self, terminology: str, version: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT code, value FROM terms WHERE tkey = ? AND version = ?",
            (tkey(terminology), str(version)),
        ).fetchall()
        return dict(rows)

    def diff(self, terminology: str, old: str, new: str) -> Diff:
        before, after = self.terms(terminology, old), self.terms(terminology, new)
        result = Diff(terminology, old, new)
        result.added = sorted((c, after[c]) for c in after.keys() - before.keys())
        result.removed = sorted((c, before[c]) for c in before.keys() - after.keys())
        result.changed = sorted(
            (c, before[c], after[c]) for c in before.keys() & after.keys() if before[c] != after[c]
        )
        return result


async def resolve_version(client: MaxaClient, terminology: str, version: str | None) -> Version:
    """The server's Version record for ``version`` (``latest``/None: the one marked IsLast)."""
    versions = await client.versions(terminology)
    if not versions:
        raise MirrorError(t("maxa_no_versions", terminology=terminology))
    if version in (None, "", "latest"):
        last = [v for v in versions if v.is_last] or sorted(
            versions, key=lambda v: (v.version_id or 0, v.version)
        )[-1:]
        return last[0]
    for v in versions:
        if v.version == str(version).strip():
            return v
    known = ", ".join(v.version for v in versions)
    raise MirrorError(
        t("maxa_no_such_version", terminology=terminology, version=version, known=known)
    )


async def pull(
    client: MaxaClient,
    mirror: Mirror,
    terminology: str,
    version: str | None = "latest",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Version, int]:
    target = await resolve_version(client, terminology, version)
    terms = await client.terms_by_version(terminology, target.version)
    if not terms:
        raise MirrorError(t("maxa_no_terms", terminology=terminology, version=target.version))
    return target, mirror.store(terminology, target, terms, progress)


async def diff(
    client: MaxaClient | None, mirror: Mirror, terminology: str, old: str, new: str
) -> Diff:
    for version in (old, new):
        if not mirror.has(terminology, version):
            if client is None:
                raise MirrorError(t("mirror_missing", terminology=terminology, version=version))
            await pull(client, mirror, terminology, version)
    return mirror.diff(terminology, old, new)


def export(mirror: Mirror, terminology: str, version: str, path: Path) -> Path:
    """Write one mirrored version to .csv (UTF-8 with BOM, for Excel; the API's names as
    headers, for other programs) or .xlsx (headers in the reader's language)."""
    rows = sorted(mirror.terms(terminology, version).items())
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "value", "terminology", "version"])
            writer.writerows([csv_safe(c), csv_safe(v), terminology, version] for c, v in rows)
        return path
    sheet = _terms_sheet(f"{terminology} {version}", rows)
    summary = [
        (t("maxa_col_terminology"), terminology),
        (t("maxa_col_version"), version),
        (t("maxa_col_terms"), len(rows)),
    ]
    headline = t("maxa_pulled", terminology=terminology, version=version, n=len(rows))
    return write_report(Report(summary, [], [], [sheet], headline=headline), path)


def _terms_sheet(title: str, rows: list, versions: tuple[str, str] | None = None) -> ReportSheet:
    """Codes and values; with ``versions``, a value in each of the two."""
    if versions is None:
        headers = [t("maxa_col_code"), t("maxa_col_value")]
        notes: list[str | None] = ["coded_stringField", "valueField"]
    else:
        headers = [t("maxa_col_code"), *(t("maxa_col_value_in", version=v) for v in versions)]
        notes = ["coded_stringField", "valueField", "valueField"]
    return ReportSheet(
        title,
        headers,
        [list(r) for r in rows],
        [],
        [[] for _ in rows],
        notes=notes,
        text_columns=frozenset(range(1, len(headers))),
    )


def diff_workbook(result: Diff, path: Path) -> Path:
    """The changes between two versions: a summary with counts, then a sheet of each kind."""
    summary = [
        (t("maxa_col_terminology"), result.terminology),
        (t("maxa_col_from"), result.old),
        (t("maxa_col_to"), result.new),
    ]
    counts = [
        [t("maxa_added"), len(result.added)],
        [t("maxa_removed"), len(result.removed)],
        [t("maxa_changed"), len(result.changed)],
    ]
    return write_report(
        Report(
            summary,
            [t("maxa_col_change"), t("maxa_col_codes")],
            counts,
            [
                _terms_sheet(t("maxa_added"), result.added),
                _terms_sheet(t("maxa_removed"), result.removed),
                _terms_sheet(t("maxa_changed"), result.changed, (result.old, result.new)),
            ],
            chart_title=f"{result.terminology} {result.old} → {result.new}",
            headline=t(
                "maxa_diff",
                added=len(result.added),
                removed=len(result.removed),
                changed=len(result.changed),
            ),
        ),
        path,
    )
