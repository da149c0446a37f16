"""A local, versioned mirror of MAXA terminologies (SQLite under ``SIMAD_HOME``).

``pull`` stores every term of one version; look-ups and validation then work offline and say
which version answered; ``diff`` lists the codes added, removed and whose value changed
between two versions, pulling what is missing.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.core.errors import MirrorError
from pipeline.core.files import write_output
from pipeline.core.i18n import t
from pipeline.core.private import csv_safe, open_sqlite
from pipeline.core.result import Result
from pipeline.maxa.client import MaxaClient, Term, Version
from pipeline.sheets.report import Report, ReportSheet, write_report

QUERY_CODES = 500  # codes asked for in one query
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


def tkey(terminology: str) -> str:
    """Terminology ids are matched case-insensitively (eRX, ERX, erX are one)."""
    return terminology.strip().lower()


@dataclass
class Diff(Result):
    terminology: str
    old: str
    new: str
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    workbook: Path | None = None  # where the changes were written, if asked for

    def to_dict(self) -> dict[str, Any]:
        return {
            "terminology": self.terminology,
            "from": self.old,
            "to": self.new,
            "added": [{"code": c, "value": v} for c, v in self.added],
            "removed": [{"code": c, "value": v} for c, v in self.removed],
            "changed": [{"code": c, "old": a, "new": b} for c, a, b in self.changed],
        }


class VersionWriter:
    """Terms of one version going into the mirror inside ``Mirror.writing``'s transaction."""

    def __init__(
        self,
        db: sqlite3.Connection,
        key: str,
        version: str,
        progress: Callable[[int, int], None] | None,
    ):
        self._db, self.key, self.version, self._progress = db, key, version, progress
        self.count = 0

    def restart(self) -> None:
        """Forget what this version held (before the first batch, and when a download is
        tried again from its start)."""
        self._db.execute(
            "DELETE FROM terms WHERE tkey = ? AND version = ?", (self.key, self.version)
        )
        self.count = 0

    def add(self, terms: Iterable[Term]) -> None:
        rows = [(self.key, self.version, t.code, t.value) for t in terms]
        self._db.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?)", rows)
        self.count += len(rows)
        if self._progress is not None:
            self._progress(self.count, 0)  # the total is known at the end only

    def stored(self) -> int:
        """The distinct codes stored (a code sent twice is stored once)."""
        self.count = self._db.execute(
            "SELECT count(*) FROM terms WHERE tkey = ? AND version = ?", (self.key, self.version)
        ).fetchone()[0]
        return self.count


class Mirror:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._db = open_sqlite(self.path)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def store(
        self,
        terminology: str,
        version: Version,
        terms: list[Term],
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Store a version given whole (``writing`` for one that streams in)."""
        with self.writing(terminology, version, progress) as writer:
            writer.add(terms)
        return len(terms)

    @contextmanager
    def writing(
        self,
        terminology: str,
        version: Version,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[VersionWriter]:
        """One transaction storing a version's terms batch by batch: the version is in the
        mirror, whole, only when the block ends without an error; otherwise nothing of it
        is (a version mirrored before stays as it was)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            writer = VersionWriter(db, tkey(terminology), version.version, progress)
            writer.restart()
            yield writer
            if version.is_last:
                db.execute("UPDATE versions SET is_last = 0 WHERE tkey = ?", (writer.key,))
            db.execute(
                "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    writer.key,
                    version.terminology or terminology,
                    version.version,
                    version.version_id,
                    int(version.is_last),
                    time.time(),
                    writer.stored(),
                ),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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
        params: tuple[str, ...] = ()
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

    def last_having(self, terminology: str, code: str, before: str) -> tuple[str, str] | None:
        """(version, value): the newest mirrored version older than ``before`` that has
        ``code`` (a code ``before`` lacks: retired, and when); None when none of them has it."""
        order = self.versions_in_order(terminology)
        earlier = order[: order.index(before)] if before in order else []
        for version in reversed(earlier):
            value, _ = self.lookup(terminology, code, version)
            if value is not None:
                return version, value
        return None

    def values(self, terminology: str, version: str, codes: Iterable[str]) -> dict[str, str]:
        """The values of ``codes`` in one version (the codes it lacks left out)."""
        wanted, found = list(codes), dict[str, str]()
        key = tkey(terminology)
        for start in range(0, len(wanted), QUERY_CODES):
            part = wanted[start : start + QUERY_CODES]
            marks = ",".join("?" * len(part))
            found.update(
                self._db.execute(
                    "SELECT code, value FROM terms WHERE tkey = ? AND version = ? "
                    f"AND code IN ({marks})",
                    (key, str(version), *part),
                ).fetchall()
            )
        return found

    def digits_only(self, terminology: str, version: str) -> bool:
        """Whether every code of a version is made of digits (as eRx's and IRC's are)."""
        other = self._db.execute(
            "SELECT 1 FROM terms WHERE tkey = ? AND version = ? AND code GLOB '*[^0-9]*' LIMIT 1",
            (tkey(terminology), str(version)),
        ).fetchone()
        return other is None

    def versions_in_order(self, terminology: str) -> list[str]:
        """The mirrored versions of a terminology, oldest first."""
        rows = self.pulled(terminology)
        return [
            r["version"] for r in sorted(rows, key=lambda r: age(r["version"], r["version_id"]))
        ]

    def terminologies(self) -> list[str]:
        """The terminologies with a mirrored version, as the service spells them."""
        rows = self._db.execute(
            "SELECT terminology FROM versions GROUP BY tkey ORDER BY tkey"
        ).fetchall()
        return [r[0] for r in rows]

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


def age(version: str, version_id: int | None) -> tuple[int, int]:
    """A version's place among its terminology's, oldest first: by its VersionId, else by
    its number (the service's order kept when neither says)."""
    number = int(version) if version.isdigit() and len(version) < 19 else -1
    return (version_id if version_id is not None else -1, number)


async def server_versions(client: MaxaClient, terminology: str) -> list[Version]:
    """The versions the service lists, oldest first; ``MirrorError`` when none."""
    versions = await client.versions(terminology)
    if not versions:
        raise MirrorError(t("maxa_no_versions", terminology=terminology))
    return sorted(versions, key=lambda v: age(v.version, v.version_id))


async def resolve_version(client: MaxaClient, terminology: str, version: str | None) -> Version:
    """The server's Version record for ``version`` (``latest``/None: the one marked IsLast)."""
    return choose_version(await server_versions(client, terminology), terminology, version)


def choose_version(versions: list[Version], terminology: str, version: str | None) -> Version:
    """``version`` among ``versions`` (oldest first); ``latest``/None: the one marked IsLast,
    else the newest."""
    if version in (None, "", "latest"):
        return next((v for v in versions if v.is_last), versions[-1])
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
    version: str | Version | None = "latest",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Version, int]:
    """Mirror one version, streamed in: it replaces the same version mirrored before only
    once all of it has arrived."""
    if isinstance(version, Version):
        target = version
    else:
        target = await resolve_version(client, terminology, version)
    with mirror.writing(terminology, target, progress) as writer:
        await client.stream_terms(terminology, target.version, writer.restart, writer.add)
        if not writer.count:
            raise MirrorError(t("maxa_no_terms", terminology=terminology, version=target.version))
    if progress is not None:
        progress(writer.count, writer.count)
    return target, writer.count


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
    headers, for other programs) or .xlsx (headers in the reader's language). Written whole
    or not at all; returns where it is (beside ``path`` when that is open in Excel).
    ``LocalStorageError`` when it cannot be written."""
    rows = sorted(mirror.terms(terminology, version).items())
    if path.suffix.lower() == ".csv":

        def write(handle: BinaryIO) -> None:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(["code", "value", "terminology", "version"])
            writer.writerows([csv_safe(c), csv_safe(v), terminology, version] for c, v in rows)
            text.flush()
            text.detach()  # the handle stays open: its owner flushes it to disk and closes it

        return write_output(path, write)
    sheet = _terms_sheet(f"{terminology} {version}", rows)
    summary = [
        (t("maxa_col_terminology"), terminology),
        (t("maxa_col_version"), version),
        (t("maxa_col_terms"), len(rows)),
    ]
    headline = t("maxa_pulled", terminology=terminology, version=version, n=len(rows))
    return write_report(Report(summary, [], [], [sheet], headline=headline), path)


def _terms_sheet(
    title: str, rows: Sequence[tuple[str, ...]], versions: tuple[str, str] | None = None
) -> ReportSheet:
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
