"""Start `simad sandbox serve` as its own process on 127.0.0.1 (benchmarks and tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(
    port: int, db: Path, *options: str, timeout: float = 20.0
) -> subprocess.Popen[bytes]:
    """Serve the sandbox on ``port`` and return once it accepts connections."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SIMAD_LANG": "en"},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the sandbox exited: {said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.communicate()
    raise RuntimeError(f"the sandbox did not start within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> str:
    """Stop the server; return what it printed."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return bytes(out or b"").decode()
