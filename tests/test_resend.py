"""A deliberate resend: rows the target accepted unchanged are sent again when named
(``SubmitOptions.resend``, ``simad submit --resend STUDENT/YEAR``), the ledger notes each as a
resend, an ordinary run still skips them, and a ledger of an earlier version gains the column
with its rows kept."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands.submit import SubmitOptions, resend_keys, run_submit
from pipeline.core.config import simad_home
from pipeline.simad.ledger import ACCEPTED, Ledger

from .test_ui import SAMPLE

runner = CliRunner()


def accepted_declarations() -> list[str]:
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        found = ledger.recorded("sandbox", "declaration")
        return sorted(k for k, r in found.items() if r.state == ACCEPTED)
    finally:
        ledger.close()


def resent() -> set[str]:
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        return ledger.resent("sandbox", "declaration")
    finally:
        ledger.close()


def test_resend_keys_name_declarations_and_residents():
    assert resend_keys(["10000001/1402", " 10000002 ", ""]) == frozenset(
        {("declaration", "10000001/1402"), ("resident", "10000002")}
    )


def test_the_command_line_resends_the_rows_named_and_only_them(tmp_path):
    first = run_submit(SubmitOptions([SAMPLE], target="sandbox", report=tmp_path / "1.xlsx"))
    assert first.counts.get("sent")
    keys = accepted_declarations()[:2]
    assert len(keys) == 2
    args = ["submit", str(SAMPLE), "--target", "sandbox", "--json", "--report"]
    plain = runner.invoke(app, [*args, str(tmp_path / "2.xlsx")])
    assert not json.loads(plain.stdout)["counts"].get("sent")  # unchanged: nothing sent
    again = runner.invoke(
        app,
        [*args, str(tmp_path / "3.xlsx"), "--resend", keys[0], "--resend", keys[1]],
    )
    assert again.exit_code in (0, 1), again.output
    out = json.loads(again.stdout)
    assert out["counts"].get("sent") == 2
    assert resent() == set(keys)
    messages = [m for row in out["rows"] if row["status"] == "sent" for m in row["messages"]]
    assert len([m for m in messages if "resend" in m or "دوباره" in m]) == 2
    # The run remembers what was asked to be sent again.
    ledger = Ledger(simad_home() / "ledger.db")
    try:
        run = ledger.run(out["run_id"])
    finally:
        ledger.close()
    assert run is not None and run["options"]["resend"] == [f"declaration:{k}" for k in keys]
    # An ordinary run afterwards: unchanged again, and no longer called a resend.
    last = run_submit(SubmitOptions([SAMPLE], target="sandbox", report=tmp_path / "4.xlsx"))
    assert not last.counts.get("sent") and last.counts.get("unchanged")


def test_an_earlier_ledger_gains_the_resend_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "ledger.db"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE outcomes (
            target TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
            payload_hash TEXT NOT NULL, state TEXT NOT NULL, http_status INTEGER,
            message TEXT, trace_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
            run_id TEXT NOT NULL, updated_at REAL NOT NULL, year_id INTEGER, payload TEXT,
            PRIMARY KEY (target, kind, key));
        INSERT INTO outcomes VALUES ('sandbox', 'declaration', '1/1402', 'h', 'accepted',
            200, NULL, NULL, 1, 'r1', 0, 1402, '{}');"""
    )
    db.commit()
    db.close()
    ledger = Ledger(path)
    try:
        assert ledger.recorded("sandbox", "declaration")["1/1402"].state == "accepted"
        assert ledger.resent("sandbox", "declaration") == set()
        ledger.record("sandbox", "declaration", "1/1402", "h", "accepted", "r2", resend=True)
        assert ledger.resent("sandbox", "declaration") == {"1/1402"}
    finally:
        ledger.close()
