"""`make bench`: figures for validation (and submission) on generated data. Not a test.

    python -m bench [validate|memory|submit|all] [--rows N]

Validation: a 100,000-row residents workbook and a 100,000-row declarations workbook are
generated; the floors (python-calamine reading the workbook, xlsxwriter writing a plain
report of the same size) are measured in the same run, then `simad validate` end to end in a
child process with its peak memory, and a 3,000-row workbook end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import xlsxwriter

from pipeline.fakedata import write_workbook as generate
from pipeline.fields import fields


def floor_read(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - started


def floor_write(path: Path, rows: int, cols: int = 20) -> float:
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet()
    row = ["متن نمونه", 1402, 52.5, "0012345678", "valid"] * (cols // 5)
    for r in range(rows):
        ws.write_row(r, 0, row)
    book.close()
    return time.perf_counter() - started


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


def bench_validate(rows: int, workdir: Path) -> list[str]:
    sources = [
        generate(workdir / f"{kind}-{rows}.xlsx", kind, rows) for kind in ("residents", "upgrades")
    ]
    read = sum(floor_read(p) for p in sources)
    write = sum(
        floor_write(workdir / "floor.xlsx", rows, cols=len(fields(k)) + 3)
        for k in ("residents", "upgrades")
    )
    floor = read + write
    report = workdir / "validation-report.xlsx"
    data, wall, rss = bench_child("validate", *map(str, sources), str(report))
    t = data["timings"]
    small = generate(workdir / "residents-3000.xlsx", "residents", 3000)
    _, small_wall, small_rss = child(
        [
            sys.executable,
            "-m",
            "pipeline",
            "validate",
            str(small),
            "--report",
            str(workdir / "small-report.xlsx"),
        ]
    )
    return [
        f"## Validation: a {rows:,}-row residents workbook + a {rows:,}-row declarations "
        "workbook, one `simad validate` run",
        "",
        f"- floor, measured now: read {read:.2f} s (python-calamine, both workbooks) + write "
        f"{write:.2f} s (xlsxwriter, two plain reports of the same size) = {floor:.2f} s",
        f"- simad validate end to end: {wall:.2f} s = {wall / floor:.2f}× the floor "
        f"(target ≤ 1.3×), peak memory {rss:.0f} MB (target < 1,500 MB)",
        "- stages: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in t.items())
        + f"; interpreter start-up, imports and the rest {wall - sum(t.values()):.2f} s",
        f"- rows: {data['counts']}",
        f"- a 3,000-row workbook with `simad validate` as a command: {small_wall:.2f} s end to "
        f"end including start-up (target < 3 s), peak memory {small_rss:.0f} MB",
        "",
    ]


def generate_all_invalid(path: Path, rows: int) -> Path:
    """A residents sheet where every cell of every row is wrong: the most findings possible."""
    if path.exists() and path.stat().st_mtime > Path(__file__).stat().st_mtime:
        return path
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("residents")
    specs = fields("residents")
    ws.write_row(0, 0, [f.label_fa for f in specs])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"bad{r}x"] * len(specs))
    book.close()
    return path


def bench_worst_case(workdir: Path) -> list[str]:
    """Memory at the row limit with every row invalid (the case that once passed 11 GB)."""
    from .reader import MAX_ROWS

    source = generate_all_invalid(workdir / f"all-invalid-{MAX_ROWS}.xlsx", MAX_ROWS)
    command = [sys.executable, "-m", "pipeline", "validate", str(source), "--report"]
    _, wall, rss = child([*command, str(workdir / "all-invalid-report.xlsx")])
    out, json_wall, json_rss = child([*command, str(workdir / "all-invalid-2.xlsx"), "--json"])
    findings = sum(len(s["findings"]) for s in json.loads(out)["sheets"])
    return [
        f"## Worst case: {MAX_ROWS:,} rows (the row limit), every cell of every row invalid",
        "",
        f"- `simad validate`: {wall:.1f} s, {findings:,} findings, peak memory {rss:.0f} MB "
        "(target < 1,500 MB)",
        f"- `simad validate --json` (every finding printed): {json_wall:.1f} s, peak memory "
        f"{json_rss:.0f} MB",
        "",
    ]


def _child_main(args: list[str]) -> None:
    if args[0] == "validate":
        from pipeline.commands.validate import run_validate
        from pipeline.context import Context

        run, _ = run_validate(args[1:-1], report_path=args[-1], ctx=Context(lang="en"))
        counts = [r.counts() for r in run.results]
        print(json.dumps({"timings": run.timings, "counts": counts}))
    elif args[0] == "submit":
        from .submission import child_submit

        child_submit(*args[1:])


def main(argv: list[str]) -> None:
    if argv and argv[0] == "_child":
        _child_main(argv[1:])
        return
    what = argv[0] if argv and not argv[0].startswith("-") else "all"
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 100_000
    workdir = Path(os.environ.get("SIMAD_BENCH_DIR", tempfile.gettempdir())) / "simad-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"# simad-sync benchmark — {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}\n",
        flush=True,
    )
    lines: list[str] = []
    if what in ("validate", "all"):
        lines += bench_validate(rows, workdir)
        print("\n".join(lines), flush=True)
    if what in ("memory", "all"):
        print("\n".join(bench_worst_case(workdir)), flush=True)
    if what in ("submit", "all"):
        from .submission import bench_submit

        extra = bench_submit(workdir)
        print("\n".join(extra), flush=True)
