"""Running a measured step in a child process: its output, wall time and peak memory.

The peak is the child's own: Linux carries a process's ``ru_maxrss`` over ``fork`` and
``exec``, so a child of this (large) benchmark process would never report less than the
benchmark's own size. A ``python -m`` step is therefore started through a small wrapper that
writes the high-water mark of its own memory (``VmHWM``, reset by ``exec``) when it ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WRAPPER = """
import atexit, runpy, sys
module, path = sys.argv.pop(1), sys.argv.pop(1)
def peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            open(path, 'w').write(line.split()[1])
atexit.register(peak)
sys.argv[0] = module
runpy.run_module(module, run_name='__main__', alter_sys=True)
"""


def child(command: list[str], env: dict[str, str] | None = None) -> tuple[bytes, float, float]:
    """Run ``command``; return its output, wall seconds and peak resident memory in MB."""
    wrapped = command[:2] == [sys.executable, "-m"] and Path("/proc/self/status").exists()
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak:
        if wrapped:
            command = [sys.executable, "-c", WRAPPER, command[2], peak.name, *command[3:]]
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
        out = proc.stdout.read() if proc.stdout else b""
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"failed: {' '.join(command)}")
        written = Path(peak.name).read_text().strip() if wrapped else ""
    return out, wall, (int(written) if written else usage.ru_maxrss) / 1024


def bench_child(*args: str) -> tuple[dict[str, Any], float, float]:
    out, wall, rss = child([sys.executable, "-m", "bench", "_child", *args])
    return json.loads(out), wall, rss
