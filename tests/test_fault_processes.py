"""Faults that need real processes: two runs at once on one SIMAD_HOME, a server that hangs,
and what the command line prints when things go wrong (never a traceback, never a secret)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_sandbox_process import free_port, start, stop
from .test_submit_process import ledger_states, server_writes, submit_cmd, workbooks

pytestmark = pytest.mark.slow


def simad(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        env={**os.environ, "SIMAD_LANG": "en", **(env or {})},
        capture_output=True,
        timeout=timeout,
        check=False,
        text=True,
    )


def test_two_runs_at_once_one_refuses_and_nothing_is_sent_twice(tmp_path):
    port, db = free_port(), tmp_path / "server.db"
    home = Path(os.environ["SIMAD_HOME"])
    inputs = workbooks(tmp_path, 80)
    server = start(port, db, "--latency-ms", "400")  # the first run outlasts the second's start
    try:
        cmd, env = submit_cmd(inputs, port, tmp_path / "a.xlsx")
        first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60  # wait until the first one is sending
        while time.monotonic() < deadline and first.poll() is None:
            if any(v == "accepted" for v in ledger_states(home).values()):
                break
            time.sleep(0.02)
        cmd2, env2 = submit_cmd(inputs, port, tmp_path / "b.xlsx")
        second = subprocess.run(cmd2, env=env2, capture_output=True, timeout=120, check=False)
        waiting = subprocess.Popen(
            [*cmd2[:-1], str(tmp_path / "c.xlsx"), "--wait"],
            env=env2,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _out, err = first.communicate(timeout=240)
        assert first.returncode == 0, err.decode()
        waited_out, waited_err = waiting.communicate(timeout=240)
    finally:
        stop(server)
    assert second.returncode == 2
    message = second.stderr.decode()
    assert "Another run" in message and "Traceback" not in message
    assert not (tmp_path / "b.xlsx").exists()
    # --wait waited for the first run, then found every row already accepted.
    assert waiting.returncode == 0, waited_err.decode()
    assert "unchanged: 160" in waited_out.decode()
    writes = server_writes(db)
    assert len(writes["residents"]) == 80 and set(writes["residents"].values()) == {1}
    assert len(writes["declarations"]) == 80 and set(writes["declarations"].values()) == {1}


def test_a_hanging_server_is_given_up_on_in_time_with_a_report(tmp_path):
    port, db = free_port(), tmp_path / "server.db"
    inputs = workbooks(tmp_path, 5)
    server = start(port, db, "--hang", "120")
    report = tmp_path / "r.xlsx"
    try:
        cmd, env = submit_cmd(inputs, port, report)
        started = time.monotonic()
        done = subprocess.run(
            cmd, env={**env, "SIMAD_TIMEOUT": "1"}, capture_output=True, timeout=120, check=False
        )
        took = time.monotonic() - started
    finally:
        stop(server)
    # SIMAD_TIMEOUT=1: a call is given up on after about 3 × 1 s, plus start-up.
    assert done.returncode == 3, done.stderr.decode()
    assert took < 20
    assert report.is_file()
    assert "Traceback" not in done.stderr.decode() + done.stdout.decode()


def test_credentials_in_the_target_address_are_refused_and_not_repeated(tmp_path):
    inputs = workbooks(tmp_path, 2)
    done = simad(
        "submit",
        str(inputs[0]),
        "--target",
        "http://office:Pa55-w0rd-X@127.0.0.1:9",
        "--report",
        str(tmp_path / "r.xlsx"),
    )
    assert done.returncode == 2
    assert "Pa55-w0rd-X" not in done.stdout + done.stderr
    assert "http://127.0.0.1:9" in done.stderr


def test_usage_and_storage_errors_print_a_message_not_a_traceback(tmp_path):
    inputs = workbooks(tmp_path, 2)
    unknown = simad("--lang", "fr", "validate", str(inputs[0]))
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    home = simad("runs", env={"SIMAD_HOME": str(blocker / "home")})
    assert home.returncode == 3, home.stderr
    assert "SIMAD_HOME" in home.stderr and "Traceback" not in home.stderr
    directory = simad("validate", str(tmp_path))
    assert directory.returncode == 2 and "folder" in directory.stderr


@pytest.mark.parametrize("command", [["results", "--year", "1402"], ["submit"]])
def test_a_target_refusing_connections_fails_within_seconds(tmp_path, command):
    inputs = workbooks(tmp_path, 2)
    args = [*command, *([str(inputs[0])] if command == ["submit"] else [])]
    started = time.monotonic()
    done = simad(
        *args,
        "--target",
        f"http://127.0.0.1:{free_port()}",
        env={"SIMAD_USERNAME": "u", "SIMAD_PASSWORD": "p"},
    )
    took = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert "Could not connect" in done.stderr and "Traceback" not in done.stderr
    assert took < 10
