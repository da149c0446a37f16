"""Running a measured step in a child process: its output, wall time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any


def child(command: list[str]) -> tuple[bytes, float, float]:
    """Run ``command``; return its output, wall seconds and peak resident memory in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}")
    return out, wall, usage.ru_maxrss / 1024


def bench_child(*args: str) -> tuple[dict[str, Any], float, float]:
    out, wall, rss = child([sys.executable, "-m", "bench", "_child", *args])
    return json.loads(out), wall, rss
