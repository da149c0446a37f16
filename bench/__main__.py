"""`make bench`: python -m bench [validate|memory|hostile|submit|pacing|ui|maxa|all] [--rows N]"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from .hostile import bench_hostile
from .maxa import bench_maxa
from .pacing import bench_pacing, child_paced
from .submission import bench_submit, child_submit
from .ui import bench_ui
from .validation import bench_validate, bench_worst_case, child_validate


def main(argv: list[str]) -> None:
    if argv[:1] == ["_child"]:  # a measured step, in its own process
        kind, args = argv[1], argv[2:]
        if kind == "validate":
            child_validate(args[:-1], args[-1])
        elif kind == "submit":
            child_submit(*args)
        elif kind == "paced":
            child_paced(*args)
        return
    what = argv[0] if argv and not argv[0].startswith("-") else "all"
    if what not in ("validate", "memory", "hostile", "submit", "pacing", "ui", "maxa", "all"):
        raise SystemExit(
            f"unknown benchmark {what!r}: validate, memory, hostile, submit, pacing, ui, maxa, all"
        )
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 100_000
    workdir = Path(os.environ.get("SIMAD_BENCH_DIR", tempfile.gettempdir())) / "simad-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"# simad-sync benchmark — {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}\n",
        flush=True,
    )
    if what in ("validate", "all"):
        print("\n".join(bench_validate(rows, workdir)), flush=True)
    if what in ("memory", "all"):
        print("\n".join(bench_worst_case(workdir)), flush=True)
    if what in ("hostile", "all"):
        runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 3
        print("\n".join(bench_hostile(workdir, runs)), flush=True)
    if what in ("submit", "all"):
        print("\n".join(bench_submit(workdir)), flush=True)
    if what in ("pacing", "all"):
        print("\n".join(bench_pacing(workdir)), flush=True)
    if what in ("ui", "all"):
        print("\n".join(bench_ui(workdir)), flush=True)
    if what in ("maxa", "all"):
        print("\n".join(bench_maxa(workdir)), flush=True)


main(sys.argv[1:])
