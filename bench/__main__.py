"""`make bench`: python -m bench [validate|memory|hostile|submit|pacing|ui|maxa|all] [--rows N]"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .hostile import bench_hostile
from .maxa import bench_maxa
from .pacing import bench_pacing, child_paced
from .submission import bench_submit, child_submit
from .ui import bench_ui
from .validation import bench_validate, bench_worst_case, child_validate

CHILDREN = {
    "validate": lambda args: child_validate(args[:-1], args[-1]),
    "submit": lambda args: child_submit(*args),
    "paced": lambda args: child_paced(*args),
}


def benches(argv: list[str], rows: int, workdir: Path) -> dict[str, Callable[[], list[str]]]:
    """Each benchmark by name, in the order ``all`` runs them."""
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 3
    return {
        "validate": lambda: bench_validate(rows, workdir),
        "memory": lambda: bench_worst_case(workdir),
        "hostile": lambda: bench_hostile(workdir, runs),
        "submit": lambda: bench_submit(workdir),
        "pacing": lambda: bench_pacing(workdir),
        "ui": lambda: bench_ui(workdir),
        "maxa": lambda: bench_maxa(workdir),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["_child"]:  # a measured step, in its own process
        CHILDREN[argv[1]](argv[2:])
        return
    what = argv[0] if argv and not argv[0].startswith("-") else "all"
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 100_000
    workdir = Path(os.environ.get("SIMAD_BENCH_DIR", tempfile.gettempdir())) / "simad-bench"
    named = benches(argv, rows, workdir)
    if what not in (*named, "all"):
        raise SystemExit(f"unknown benchmark {what!r}: {', '.join(named)}, all")
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"# simad-sync benchmark — {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}\n",
        flush=True,
    )
    for name, bench in named.items():
        if what in (name, "all"):
            print("\n".join(bench()), flush=True)


main(sys.argv[1:])
