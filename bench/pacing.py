"""Pacing for `make bench`: the sandbox served as its own process on 127.0.0.1 with 20 ms of
latency and a rate limit per account, and clients in processes of their own sending residents
to it. How much of the limit they use, how many of their requests the server had to refuse,
and, for several clients sharing one limit, how fairly they share it (Jain's index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.commands.submit import Control, Progress, SubmitOptions, run_submit
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from pipeline.core.context import Context
from pipeline.net.limiter import jain
from pipeline.sandbox.process import free_port, start_server, stop_server
from pipeline.sheets.fakedata import write_workbook as generate

LATENCY_MS = 20


def child_paced(source: str, port: str, start_at: str) -> None:
    """Runs in a child process: one submission from the moment ``start_at`` (a wall-clock
    time, so that clients started together start together), its figures as JSON on stdout."""
    time.sleep(max(0.0, float(start_at) - time.time()))
    os.environ.update(
        SIMAD_USERNAME=SANDBOX_USERNAME,
        SIMAD_PASSWORD=SANDBOX_PASSWORD,
        SIMAD_HOME=tempfile.mkdtemp(prefix="simad-bench-home-"),
    )
    timeline: list[tuple[float, int]] = []  # (when, rows sent so far)

    def progress(p: Progress) -> None:
        timeline.append((time.time(), p.counts.get("sent", 0)))

    options = SubmitOptions(
        [Path(source)],
        target=f"http://127.0.0.1:{port}",
        report=Path(os.environ["SIMAD_HOME"]) / "report.xlsx",
    )
    result = run_submit(options, control=Control(on_change=progress), ctx=Context(lang="en"))
    ended = time.time()
    print(
        json.dumps(
            {
                "sent": result.counts.get("sent", 0),
                "seconds": result.seconds,
                "started": ended - result.seconds,
                "ended": ended,
                "requests": result.requests,
                "refused": result.pace.pushed_back,
                "cuts": result.pace.cuts,
                "timeline": timeline,
            }
        )
    )


def clients(sources: list[Path], port: int, delays: list[float]) -> list[dict[str, Any]]:
    """Run one client per source, each starting ``delays`` seconds after an agreed moment
    (a little after every process is up); their figures."""
    start_at = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                *("-m", "bench", "_child", "paced", str(source), str(port)),
                str(start_at + delay),
            ],
            stdout=subprocess.PIPE,
        )
        for source, delay in zip(sources, delays, strict=True)
    ]
    out = []
    for proc in procs:
        data, _ = proc.communicate()
        if proc.returncode not in (0, 1):
            raise SystemExit("a client failed")
        out.append(json.loads(data))
    return out


def scenario(
    workdir: Path,
    limit: float,
    rows: int,
    n_clients: int = 1,
    overload_at: int = 0,
    delays: list[float] | None = None,
) -> dict[str, Any]:
    sources = [
        generate(
            workdir / f"paced-{rows}-{k}.xlsx", "residents", rows, seed=100 + k, mistakes=False
        )
        for k in range(n_clients)
    ]
    port = free_port()
    db = Path(tempfile.mkdtemp(dir=workdir)) / "sandbox.db"
    options = ["--latency-ms", str(LATENCY_MS)]
    if limit:
        options += ["--rate-limit", str(limit)]
    if overload_at:
        options += ["--overload-at", str(overload_at)]
    server = start_server(port, db, *options)
    try:
        found = clients(sources, port, delays or [0.0] * n_clients)
    finally:
        stop_server(server)
    sent = sum(c["sent"] for c in found)
    if sent != rows * n_clients:
        raise SystemExit(f"not every row was sent: {sent} of {rows * n_clients}")
    requests = sum(c["requests"] for c in found)
    span = max(c["ended"] for c in found) - min(c["started"] for c in found)
    return {
        "limit": limit,
        "clients": n_clients,
        "rows": sent,
        "rate": sent / span,
        # What the server could accept over the span: its rate, plus the one second of burst
        # its bucket holds at the start.
        "used": sent / (limit * (span + 1)) if limit else None,
        "refused": sum(c["refused"] for c in found) / max(requests, 1),
        "fairness": jain([c["sent"] / c["seconds"] for c in found]),
        "cuts": [c["cuts"] for c in found],
        "found": found,
    }


def sent_by(timeline: list[list[float]], moment: float) -> float:
    """Rows a client had sent at ``moment`` (its progress, read in between)."""
    before = [n for when, n in timeline if when <= moment]
    return before[-1] if before else 0


def bench_pacing(workdir: Path) -> list[str]:
    lines = [
        f"## Pacing: residents to `simad sandbox serve` on 127.0.0.1, {LATENCY_MS} ms latency, "
        "a rate limit per account (token bucket, 1 s of burst, 429 + Retry-After). The limit "
        "used is the rows sent over what the server could accept from the first request to "
        "the last (its rate, plus the second of burst it starts with); fairness is over each "
        "client's rows per second",
        "",
    ]
    for limit, rows in ((40, 600), (120, 1800)):
        r = scenario(workdir, limit, rows)
        lines.append(
            f"- one client, limit {limit}/s, {rows} rows: {r['rate']:.1f} rows/s = "
            f"{r['used']:.0%} of the limit (target ≥ 90%), {r['refused']:.1%} of requests "
            f"refused (target ≤ 2%), {r['cuts'][0]} cuts"
        )
    r = scenario(workdir, 60, 600, n_clients=4)
    lines.append(
        f"- four clients started together sharing one limit of 60/s, 600 rows each: together "
        f"{r['rate']:.1f} rows/s = {r['used']:.0%} of the limit (target ≥ 90%), "
        f"{r['refused']:.1%} refused (target ≤ 5%), Jain's fairness {r['fairness']:.3f} "
        "(target ≥ 0.95)"
    )
    r = scenario(workdir, 60, 1200, n_clients=4, delays=[0.0, 5.0, 5.0, 5.0])
    first = min(c["started"] for c in r["found"])
    window = (first + 12, first + 27)
    later = [
        sent_by(c["timeline"], window[1]) - sent_by(c["timeline"], window[0]) for c in r["found"]
    ]
    lines.append(
        f"- one client alone for 5 s, then three more join, 1,200 rows each: rows sent from "
        f"12 s to 27 s {', '.join(str(int(n)) for n in later)}, Jain's fairness "
        f"{jain([float(n) for n in later]):.3f}; {r['refused']:.1%} refused"
    )
    bound, four_at_once = 8 / (LATENCY_MS / 1000), 4 / (LATENCY_MS / 1000)
    r = scenario(workdir, 0, 1200, overload_at=4)
    lines.append(
        f"- one client, a server answering a bare 503 beyond 4 requests at once, 1200 rows: "
        f"{r['rate']:.0f} rows/s = {r['rate'] / four_at_once:.0%} of what 4 at once allow "
        f"({four_at_once:.0f}/s), {r['refused']:.1%} refused"
    )
    r = scenario(workdir, 0, 2000)
    lines.append(
        f"- no limit, 2000 rows: {r['rate']:.0f} rows/s = {r['rate'] / bound:.0%} of the "
        f"concurrency bound ({bound:.0f}/s; target ≥ 86%), {r['refused']:.1%} refused"
    )
    return [*lines, ""]
