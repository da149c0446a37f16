"""The sandbox's state in SQLite: tokens, residents, photos, declarations and their results.

State survives a restart of ``simad sandbox serve``; the review command writes to the same file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.core.private import open_sqlite, run_script, write_transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    access TEXT PRIMARY KEY,
    refresh TEXT NOT NULL,
    username TEXT NOT NULL,
    expires REAL NOT NULL,
    refresh_expires REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS residents (
    student_number TEXT PRIMARY KEY,
    national_code TEXT NOT NULL,
    course_study_code TEXT NOT NULL,
    residency_start_year INTEGER NOT NULL,
    payload TEXT NOT NULL,
    writes INTEGER NOT NULL DEFAULT 1,
    updated_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS residents_triple
    ON residents (national_code, course_study_code, residency_start_year);
CREATE TABLE IF NOT EXISTS images (
    student_number TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    writes INTEGER NOT NULL DEFAULT 1,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS declarations (
    student_number TEXT NOT NULL,
    year_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    review_status_id INTEGER,
    review_description TEXT,
    final_result_id INTEGER,
    writes INTEGER NOT NULL DEFAULT 1,
    updated_at REAL NOT NULL,
    PRIMARY KEY (student_number, year_id)
);
"""


class SandboxStore:
    """A thin, thread-safe wrapper over one SQLite connection."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._db = open_sqlite(self.path)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self.transaction() as db:  # one write transaction: safe when two processes start
            run_script(db, SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, write_transaction(self._db) as db:
            yield db

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- tokens ----------------------------------------------------------------------------

    def add_token(
        self, access: str, refresh: str, username: str, expires: float, refresh_expires: float
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, 0)",
                (access, refresh, username, expires, refresh_expires),
            )

    def token(self, access: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM tokens WHERE access = ?", (access,))
        return rows[0] if rows else None

    def revoke_token(self, access: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE tokens SET revoked = 1 WHERE access = ?", (access,))

    # -- residents -------------------------------------------------------------------------

    def resident(self, student_number: str) -> dict[str, Any] | None:
        rows = self.query(
            "SELECT payload FROM residents WHERE student_number = ?", (student_number,)
        )
        return json.loads(rows[0]["payload"]) if rows else None

    def triple_owner(self, national_code: str, course: str, start_year: int) -> str | None:
        rows = self.query(
            "SELECT student_number FROM residents WHERE national_code = ? "
            "AND course_study_code = ? AND residency_start_year = ?",
            (national_code, course, start_year),
        )
        return rows[0]["student_number"] if rows else None

    def upsert_resident(self, payload: dict[str, Any], now: float) -> None:
        with self.transaction() as db:
            db.execute(
                """INSERT INTO residents VALUES (?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (student_number) DO UPDATE SET
                    national_code = excluded.national_code,
                    course_study_code = excluded.course_study_code,
                    residency_start_year = excluded.residency_start_year,
                    payload = excluded.payload, writes = writes + 1,
                    updated_at = excluded.updated_at""",
                (
                    payload["StudentNumber"],
                    payload["NationalCode"],
                    payload["CourseStudyCode"],
                    payload["ResidencyStartYear"],
                    json.dumps(payload, ensure_ascii=False),
                    now,
                ),
            )

    def upsert_image(self, student_number: str, size: int, sha256: str, now: float) -> None:
        with self.transaction() as db:
            db.execute(
                """INSERT INTO images VALUES (?, ?, ?, 1, ?)
                ON CONFLICT (student_number) DO UPDATE SET size = excluded.size,
                    sha256 = excluded.sha256, writes = writes + 1,
                    updated_at = excluded.updated_at""",
                (student_number, size, sha256, now),
            )

    # -- declarations ----------------------------------------------------------------------

    def upsert_declaration(self, payload: dict[str, Any], now: float) -> None:
        """Insert or update; a changed declaration goes back to review (status cleared)."""
        with self.transaction() as db:
            db.execute(
                """INSERT INTO declarations (student_number, year_id, payload, writes, updated_at)
                VALUES (?, ?, ?, 1, ?)
                ON CONFLICT (student_number, year_id) DO UPDATE SET
                    payload = excluded.payload, writes = writes + 1,
                    review_status_id = NULL, review_description = NULL,
                    final_result_id = NULL, updated_at = excluded.updated_at""",
                (
                    payload["StudentNumber"],
                    payload["YearId"],
                    json.dumps(payload, ensure_ascii=False),
                    now,
                ),
            )

    def declarations(
        self,
        year_id: int,
        course_study_code: str | None = None,
        national_code: str | None = None,
        student_number: str | None = None,
    ) -> list[sqlite3.Row]:
        sql = (
            "SELECT d.*, r.payload AS resident FROM declarations d "
            "JOIN residents r USING (student_number) WHERE d.year_id = ?"
        )
        params: list[Any] = [year_id]
        for column, value in (
            ("r.course_study_code", course_study_code),
            ("r.national_code", national_code),
            ("d.student_number", student_number),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return self.query(sql + " ORDER BY d.student_number", params)

    def set_review(
        self,
        year_id: int,
        student_number: str,
        status_id: int | None,
        description: str | None = None,
        final_result_id: int | None = None,
    ) -> int:
        """Set the review status and/or final result of one declaration; returns rows changed."""
        sets, params = [], []
        if status_id is not None:
            sets += ["review_status_id = ?", "review_description = ?"]
            params += [status_id, description]
            if status_id != 1 and final_result_id is None:
                sets.append("final_result_id = NULL")  # only accepted declarations sit the exam
        if final_result_id is not None:
            sets.append("final_result_id = ?")
            params.append(final_result_id)
        if not sets:
            return 0
        with self.transaction() as db:
            cur = db.execute(
                f"UPDATE declarations SET {', '.join(sets)} "
                "WHERE year_id = ? AND student_number = ?",
                [*params, year_id, student_number],
            )
            return cur.rowcount

    def write_counts(self) -> dict[str, dict[str, int]]:
        """How many times each record was written: used to prove 'accepted exactly once'."""
        out: dict[str, dict[str, int]] = {}
        for table, key in (
            ("residents", "student_number"),
            ("images", "student_number"),
            ("declarations", "student_number || '/' || year_id"),
        ):
            out[table] = {r[0]: r[1] for r in self.query(f"SELECT {key}, writes FROM {table}")}
        return out
