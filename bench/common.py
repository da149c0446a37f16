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


def child_status(command: list[str]) -> tuple[int, str, float, float]:
    """Run ``command``, which may fail or be killed: its exit code (negative: the signal),
    the first line it wrote to stderr, wall seconds and peak resident memory in MB. The peak
    is watched while the child runs, so a child that aborts still reports one."""
    wrapped = command[:2] == [sys.executable, "-m"] and Path("/proc/self/status").exists()
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak, tempfile.TemporaryFile() as err:
        if wrapped:
            command = [sys.executable, "-c", WRAPPER, command[2], peak.name, *command[3:]]
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        watched = 0
        while proc.poll() is None:
            watched = max(watched, _vm_hwm(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - started
        written = Path(peak.name).read_text().strip() if wrapped else ""
        err.seek(0)
        said = err.read().decode("utf-8", "replace").strip().splitlines()
    kb = max(int(written) if written else 0, watched)
    return proc.returncode, said[0] if said else "", wall, kb / 1024


def _vm_hwm(pid: int) -> int:
    """The high-water mark of ``pid``'s resident memory in kB, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
