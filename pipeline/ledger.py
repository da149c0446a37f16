"""The local ledger: every row's outcome per target, committed as soon as it is known.

SQLite in WAL mode under ``SIMAD_HOME``. A row is keyed by (target, kind, key) where kind is
``resident``, ``image`` or ``declaration`` and key the StudentNumber (or StudentNumber/YearId);
it holds a hash of the exact payload last sent and whether the target accepted it. A row
marked ``sending`` was in flight when a run died: its fate is unknown until it is sent again
(or, for a declaration, found on the server).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCEPTED, REFUSED, FAILED, SENDING = "accepted", "refused", "failed", "sending"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    target TEXT NOT NULL,
    inputs TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    state TEXT NOT NULL,
    counts TEXT
);
CREATE TABLE IF NOT EXISTS outcomes (
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    http_status INTEGER,
    message TEXT,
    trace_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_id TEXT NOT NULL,
    updated_at REAL NOT NULL,
    year_id INTEGER,
    payload TEXT,
    PRIMARY KEY (target, kind, key)
);
"""


@dataclass(frozen=True)
class Recorded:
    payload_hash: str
    state: str


class Ledger:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self.path.chmod(0o600)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(params))

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, run_id: str, command: str, target: str, inputs: list[str]) -> None:
        self._exec(
            "INSERT INTO runs (id, command, target, inputs, started_at, state) "
            "VALUES (?, ?, ?, ?, ?, 'running')",
            (run_id, command, target, json.dumps(inputs, ensure_ascii=False), time.time()),
        )

    def finish_run(self, run_id: str, state: str, counts: dict[str, int]) -> None:
        self._exec(
            "UPDATE runs SET finished_at = ?, state = ?, counts = ? WHERE id = ?",
            (time.time(), state, json.dumps(counts), run_id),
        )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._db.execute("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", (limit,))
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for row in rows:
            row["inputs"] = json.loads(row["inputs"])
            row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
        return rows

    # -- outcomes --------------------------------------------------------------------------

    def recorded(self, target: str, kind: str) -> dict[str, Recorded]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, payload_hash, state FROM outcomes WHERE target = ? AND kind = ?",
                (target, kind),
            ).fetchall()
        return {key: Recorded(h, s) for key, h, s in rows}

    def mark_sending(
        self, target: str, kind: str, key: str, payload_hash: str, run_id: str
    ) -> None:
        """Note that a row is about to be sent; a killed run leaves it ``sending``."""
        self._exec(
            """INSERT INTO outcomes (target, kind, key, payload_hash, state, run_id, updated_at)
            VALUES (?, ?, ?, ?, 'sending', ?, ?)
            ON CONFLICT (target, kind, key) DO UPDATE SET payload_hash = excluded.payload_hash,
                state = 'sending', run_id = excluded.run_id, updated_at = excluded.updated_at""",
            (target, kind, key, payload_hash, run_id, time.time()),
        )

    def record(
        self,
        target: str,
        kind: str,
        key: str,
        payload_hash: str,
        state: str,
        run_id: str,
        *,
        http_status: int | None = None,
        message: str | None = None,
        trace_id: str | None = None,
        attempts: int = 0,
        year_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Commit one row's outcome. ``payload`` is kept only for accepted declarations,
        so that ``simad reconcile`` can work from the ledger alone."""
        stored = json.dumps(payload, ensure_ascii=False) if payload is not None else None
        self._exec(
            """INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (target, kind, key) DO UPDATE SET payload_hash = excluded.payload_hash,
                state = excluded.state, http_status = excluded.http_status,
                message = excluded.message, trace_id = excluded.trace_id,
                attempts = excluded.attempts, run_id = excluded.run_id,
                updated_at = excluded.updated_at, year_id = excluded.year_id,
                payload = excluded.payload""",
            (
                target,
                kind,
                key,
                payload_hash,
                state,
                http_status,
                message,
                trace_id,
                attempts,
                run_id,
                time.time(),
                year_id,
                stored,
            ),
        )

    def accepted_students(self, target: str) -> set[str]:
        return {k for k, r in self.recorded(target, "resident").items() if r.state == ACCEPTED}

    def accepted_declarations(self, target: str, year_id: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT payload FROM outcomes WHERE target = ? AND kind = 'declaration' "
                "AND state = 'accepted' AND year_id = ? AND payload IS NOT NULL ORDER BY key",
                (target, year_id),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
