"""Submission throughput for `make bench`: the sandbox served as its own process on
127.0.0.1 with 20 ms of latency per request, 5,000 residents, at the default concurrency
and one at a time."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core.config import DEFAULT_CONCURRENCY, SANDBOX_PASSWORD, SANDBOX_USERNAME
from pipeline.core.context import Context
from pipeline.sandbox.process import free_port, start_server, stop_server
from pipeline.sheets.fakedata import write_workbook as generate

from .common import bench_child

LATENCY_MS = 20
ROWS = 5000


def child_submit(source: str, port: str, concurrency: str) -> None:
    """Runs in the child process: one submission, figures as JSON on stdout."""
    os.environ.update(
        SIMAD_USERNAME=SANDBOX_USERNAME,
        SIMAD_PASSWORD=SANDBOX_PASSWORD,
        SIMAD_HOME=tempfile.mkdtemp(prefix="simad-bench-home-"),
    )
    options = SubmitOptions(
        [Path(source)],
        target=f"http://127.0.0.1:{port}",
        concurrency=int(concurrency),
        report=Path(os.environ["SIMAD_HOME"]) / "report.xlsx",
    )
    result = run_submit(options, ctx=Context(lang="en"))
    print(
        json.dumps(
            {
                "counts": result.counts,
                "seconds": result.seconds,
                "cpu": result.cpu_seconds,
                "requests": result.requests,
            }
        )
    )


def bench_submit(workdir: Path, rows: int = ROWS) -> list[str]:
    default = DEFAULT_CONCURRENCY
    source = generate(workdir / f"residents-clean-{rows}.xlsx", "residents", rows, mistakes=False)
    port = free_port()
    server = start_server(port, workdir / "bench-sandbox.db", "--latency-ms", str(LATENCY_MS))
    figures = {}
    try:
        for concurrency in (default, 1):
            data, _wall, _rss = bench_child("submit", str(source), str(port), str(concurrency))
            if data["counts"].get("sent") != rows:
                raise SystemExit(f"not every row was sent: {data['counts']}")
            figures[concurrency] = data
    finally:
        stop_server(server)
    fast, slow = figures[default], figures[1]
    rate = rows / fast["seconds"]
    slow_rate = rows / slow["seconds"]
    bound = default / (LATENCY_MS / 1000)
    return [
        f"## Submission: {rows:,} residents to `simad sandbox serve` on 127.0.0.1, "
        f"{LATENCY_MS} ms latency per request",
        "",
        f"- default concurrency {default}: {rate:.0f} rows/s = {rate / bound:.0%} of the "
        f"concurrency bound ({bound:.0f}/s; target ≥ 75%)",
        f"- concurrency 1 (the naive loop): {slow_rate:.0f} rows/s; the default is "
        f"{rate / slow_rate:.1f}× faster (target ≥ 6×)",
        f"- client CPU per request: {1000 * fast['cpu'] / fast['requests']:.2f} ms at "
        f"concurrency {default}, {1000 * slow['cpu'] / slow['requests']:.2f} ms at 1 "
        f"({fast['requests']:,} data calls each run; the few token calls are not counted)",
        "",
    ]
