"""Validation figures for `make bench`, on generated data. Not a test.

Validation: a 100,000-row residents workbook and a 100,000-row declarations workbook are
generated; the floors (python-calamine reading the workbook, xlsxwriter writing a plain
report of the same size) are measured in the same run, then `simad validate` end to end in a
child process with its peak memory, and a 3,000-row workbook end to end.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from pipeline.commands.validate import run_validate
from pipeline.core.context import Context
from pipeline.sheets.fakedata import write_workbook as generate
from pipeline.sheets.fields import fields
from pipeline.sheets.reader import MAX_ROWS

from .common import bench_child, child


def floor_read(path: Path) -> float:

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


def child_validate(sources: list[str], report: str) -> None:
    """Runs in the child process: one validation, figures as JSON on stdout."""
    run, _ = run_validate(sources, report_path=report, ctx=Context(lang="en"))
    print(json.dumps({"timings": run.timings, "counts": [r.counts() for r in run.results]}))
