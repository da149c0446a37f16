"""The local ledger: every row's outcome per target, committed as soon as it is known.

SQLite in WAL mode under ``SIMAD_HOME``; a ``SIMAD_HOME`` on a network share is refused
(``ConfigError``, exit 2, before anything is sent: ``private.refuse_network_share`` says why
no journal mode is safe there). A row is keyed by (target, kind, key) where kind is
``resident``, ``image`` or ``declaration`` and key the StudentNumber (or StudentNumber/YearId);
it holds a hash of the exact payload last sent and whether the target accepted it. A row
marked ``sending`` was in flight when a run died: its fate is unknown until it is sent again
(or, for a declaration, found on the server).

Each run also leaves what the report needs besides the input files: its options, the inputs'
hashes, and one line per input row (``run_rows``: status, the engine's messages, the server's
answer), so that ``simad runs --report RUN_ID`` can write a report the run could not. A run
whose process is gone while still ``running`` is marked ``interrupted`` by the next run.

A write that fails (disk full, no permission) raises ``LocalStorageError``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import LocalStorageError
from pipeline.core.i18n import t
from pipeline.core.private import open_sqlite, run_script, write_transaction
from pipeline.sheets.fields import ROW_FIELDS

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
CREATE TABLE IF NOT EXISTS run_rows (
    run_id TEXT NOT NULL,
    sheet INTEGER NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    messages TEXT,
    http_status INTEGER,
    server_message TEXT,
    trace_id TEXT,
    attempts INTEGER,
    sent_at TEXT,
    PRIMARY KEY (run_id, sheet, position)
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


# ``ending``: how the run ended, as a marker (done · clerk · interrupted · login · stopped),
# recorded when it ends; older ledgers lack it (``simad runs`` then reads the messages).
RUN_COLUMNS = {
    "pid": "INTEGER",
    "options": "TEXT",
    "report": "TEXT",
    "stopped": "TEXT",
    "ending": "TEXT",
}
# Columns of ``outcomes`` earlier versions lacked. ``resend``: 1 when the row was sent again
# on purpose (a clerk's resend), though the target had accepted it unchanged.
OUTCOME_COLUMNS = {"resend": "INTEGER NOT NULL DEFAULT 0"}


@dataclass(frozen=True)
class Recorded:
    payload_hash: str
    state: str
    trace_id: str | None = None  # the server's trace id of the call that decided it
    updated_at: float | None = None  # when it was decided (accepted)
    run_id: str | None = None


class Ledger:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self._db = open_sqlite(self.path)
            self._lock = threading.Lock()
            self._create()
        except (sqlite3.Error, OSError) as exc:
            raise LocalStorageError(t("ledger_unusable", path=self.path, reason=exc)) from exc

    def _create(self) -> None:
        """The tables, and the columns earlier versions lacked, in one write transaction: two
        processes opening a new ledger at once do not trip over each other."""
        with write_transaction(self._db) as db:
            run_script(db, SCHEMA)
            for table, columns in (("runs", RUN_COLUMNS), ("outcomes", OUTCOME_COLUMNS)):
                have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @property
    def durable(self) -> bool:
        """Whether what is written outlives the process (not an in-memory stand-in)."""
        return str(self.path) != ":memory:"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, tuple(params))
        except sqlite3.Error as exc:
            raise LocalStorageError(t("ledger_unusable", path=self.path, reason=exc)) from exc

    # -- runs ------------------------------------------------------------------------------

    def start_run(
        self,
        run_id: str,
        command: str,
        target: str,
        inputs: list[str],
        options: dict[str, Any] | None = None,
    ) -> None:
        self._exec(
            "INSERT INTO runs (id, command, target, inputs, started_at, state, pid, options) "
            "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
            (
                run_id,
                command,
                target,
                json.dumps(inputs, ensure_ascii=False),
                time.time(),
                os.getpid(),
                json.dumps(options or {}, ensure_ascii=False),
            ),
        )

    def finish_run(
        self,
        run_id: str,
        state: str,
        counts: dict[str, int],
        *,
        report: str | None = None,
        stopped: str | None = None,
        ending: str | None = None,
    ) -> None:
        self._exec(
            "UPDATE runs SET finished_at = ?, state = ?, counts = ?, report = ?, stopped = ?, "
            "ending = ? WHERE id = ?",
            (time.time(), state, json.dumps(counts), _absolute(report), stopped, ending, run_id),
        )

    def set_report(self, run_id: str, report: str) -> None:
        self._exec("UPDATE runs SET report = ? WHERE id = ?", (_absolute(report), run_id))

    def close_stale_runs(self, target: str) -> int:
        """Runs of ``target`` still ``running`` whose process is gone become ``interrupted``.
        Call it only while holding the target's run lock: then no other run is alive."""
        cur = self._exec(
            "UPDATE runs SET state = 'interrupted' WHERE target = ? AND state = 'running'",
            (target,),
        )
        return cur.rowcount

    def running(self, target: str) -> dict[str, Any] | None:
        found = self._select(
            "SELECT * FROM runs WHERE target = ? AND state = 'running' "
            "ORDER BY started_at DESC LIMIT 1",
            (target,),
        )
        return found[0] if found else None

    def run(self, run_id: str) -> dict[str, Any] | None:
        found = self._select("SELECT * FROM runs WHERE id = ?", (run_id,))
        return found[0] if found else None

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._select("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", (limit,))

    def _select(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self._exec(sql, params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for row in rows:
            row["inputs"] = json.loads(row["inputs"])
            row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
            row["options"] = json.loads(row["options"]) if row.get("options") else {}
        return rows

    def save_rows(self, run_id: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Every input row's outcome: (sheet, position, *ROW_FIELDS), in one transaction."""
        try:
            with self._lock, write_transaction(self._db) as db:
                db.execute("DELETE FROM run_rows WHERE run_id = ?", (run_id,))
                db.executemany(
                    "INSERT INTO run_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((run_id, *row) for row in rows),
                )
        except sqlite3.Error as exc:
            raise LocalStorageError(t("ledger_unusable", path=self.path, reason=exc)) from exc

    def end_run(
        self,
        run_id: str,
        rows: Iterable[tuple[Any, ...]],
        *,
        state: str,
        counts: dict[str, int],
        stopped: str | None = None,
        ending: str | None = None,
    ) -> None:
        """Every input row's outcome (as ``save_rows``) and the run's end (state, counts), in
        one transaction: committed before the report is written, so that a report that cannot
        be written (a full disk) can be written later from the ledger."""
        try:
            with self._lock, write_transaction(self._db) as db:
                db.execute("DELETE FROM run_rows WHERE run_id = ?", (run_id,))
                db.executemany(
                    "INSERT INTO run_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((run_id, *row) for row in rows),
                )
                db.execute(
                    "UPDATE runs SET finished_at = ?, state = ?, counts = ?, stopped = ?, "
                    "ending = ? WHERE id = ?",
                    (time.time(), state, json.dumps(counts), stopped, ending, run_id),
                )
        except sqlite3.Error as exc:
            raise LocalStorageError(t("ledger_unusable", path=self.path, reason=exc)) from exc

    def saved_rows(self, run_id: str) -> dict[tuple[int, int], dict[str, Any]]:
        cur = self._exec(
            f"SELECT sheet, position, {', '.join(ROW_FIELDS)} FROM run_rows WHERE run_id = ?",
            (run_id,),
        )
        return {(r[0], r[1]): dict(zip(ROW_FIELDS, r[2:], strict=True)) for r in cur.fetchall()}

    # -- outcomes --------------------------------------------------------------------------

    def recorded(self, target: str, kind: str) -> dict[str, Recorded]:
        rows = self._exec(
            "SELECT key, payload_hash, state, trace_id, updated_at, run_id FROM outcomes "
            "WHERE target = ? AND kind = ?",
            (target, kind),
        ).fetchall()
        return {row[0]: Recorded(*row[1:]) for row in rows}

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

    def record(  # noqa: PLR0913 -- one argument per column of the outcome's row
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
        resend: bool = False,
    ) -> None:
        """Commit one row's outcome. ``payload`` is kept only for accepted declarations,
        so that ``simad reconcile`` can work from the ledger alone; ``resend`` notes that the
        row was sent again on purpose."""
        stored = json.dumps(payload, ensure_ascii=False) if payload is not None else None
        self._exec(
            """INSERT INTO outcomes (target, kind, key, payload_hash, state, http_status,
                message, trace_id, attempts, run_id, updated_at, year_id, payload, resend)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (target, kind, key) DO UPDATE SET payload_hash = excluded.payload_hash,
                state = excluded.state, http_status = excluded.http_status,
                message = excluded.message, trace_id = excluded.trace_id,
                attempts = excluded.attempts, run_id = excluded.run_id,
                updated_at = excluded.updated_at, year_id = excluded.year_id,
                payload = excluded.payload, resend = excluded.resend""",
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
                int(resend),
            ),
        )

    def resent(self, target: str, kind: str) -> set[str]:
        """The keys of ``kind`` whose latest outcome came from a deliberate resend."""
        rows = self._exec(
            "SELECT key FROM outcomes WHERE target = ? AND kind = ? AND resend = 1",
            (target, kind),
        ).fetchall()
        return {r[0] for r in rows}

    def refusals(self, target: str, kind: str) -> dict[str, str]:
        """What the target said when it last refused each row of ``kind`` (refused rows
        only), by key."""
        rows = self._exec(
            "SELECT key, message FROM outcomes WHERE target = ? AND kind = ? AND state = ?",
            (target, kind, REFUSED),
        ).fetchall()
        return {r[0]: r[1] or "" for r in rows}

    def accepted_students(self, target: str) -> set[str]:
        return {k for k, r in self.recorded(target, "resident").items() if r.state == ACCEPTED}

    def accepted_declarations(self, target: str, year_id: int) -> list[dict[str, Any]]:
        rows = self._exec(
            "SELECT payload FROM outcomes WHERE target = ? AND kind = 'declaration' "
            "AND state = 'accepted' AND year_id = ? AND payload IS NOT NULL ORDER BY key",
            (target, year_id),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]


def _absolute(report: str | None) -> str | None:
    """A report's path as kept: absolute, so that ``simad runs`` finds it from any folder."""
    return str(Path(report).absolute()) if report else report
