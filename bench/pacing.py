"""Pacing for `make bench`: the sandbox served as its own process on 127.0.0.1 with 20 ms of
latency (``SIMAD_BENCH_LATENCY_MS``) and a rate limit per account, and clients in processes
of their own sending residents to it. For every limiter shape and way of refusing
(``sandbox.limiters``): how much of the limiter's capacity the clients use, how many of their
requests it had to refuse, and, for four clients sharing one limit, how fairly they share it
(Jain's index).

``SIMAD_BENCH_SHAPES`` (comma-separated shapes) and ``SIMAD_BENCH_VARIANTS`` (``429-exact``,
``503-none`` …) narrow the matrix; ``SIMAD_BENCH_SCALE`` scales the rows (1: 600 rows at
40/s, 1,800 at 120/s, 600 each for four clients at 60/s, as in the virtual-time model: fifteen
seconds for one client, forty for four);
``SIMAD_BENCH_RUNS`` (3 by default) is how many times each case runs: the table gives the
lowest, the median and the highest of them; ``SIMAD_BENCH_FAILING`` (``0.02,0.05,0.1`` by
default) the shares of a server without a limit failing at random (a bare 503), each run as
often; ``SIMAD_BENCH_BURST`` (seconds) gives the token and leaky buckets that much burst
instead of the sandbox's own (a second, none); ``SIMAD_BENCH_WINDOW`` (seconds) makes the
windows that long (``--window``; with ``SIMAD_BENCH_SCALE`` as large, a run holds as many
windows as it had seconds); ``SIMAD_BENCH_SEGMENTS`` counts the sliding window in that many
parts (``--segments``, ASP.NET Core's); ``SIMAD_BENCH_LATENCY_MS`` (20 by default) the
sandbox's latency: a ministry server farther away, or one on the same network;
``SIMAD_BENCH_STARTS_MS`` runs only the four clients, started that many milliseconds apart
from the first to the last (evenly; four offices started "at once" by hand are not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from pipeline.commands.submit import Control, Progress, SubmitOptions, run_submit
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME
from pipeline.core.context import Context
from pipeline.net.limiter import jain
from pipeline.sandbox.limiters import SHAPES, VARIANTS, LimitSpec, limit_for
from pipeline.sandbox.process import free_port, start_server, stop_server
from pipeline.sheets.fakedata import write_workbook as generate

LATENCY_MS = int(os.environ.get("SIMAD_BENCH_LATENCY_MS") or 20)
FAILING = "SIMAD_BENCH_FAILING"  # shares failing at random, comma-separated ("": none)


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


SERVICE = LATENCY_MS / 1000 + 0.001  # seconds a request holds a concurrency slot


def scenario(
    workdir: Path,
    limit: LimitSpec | None,
    rows: int,
    n_clients: int = 1,
    delays: list[float] | None = None,
    faults: tuple[str, ...] = (),
) -> dict[str, Any]:
    sources = [
        generate(
            workdir / f"paced-{rows}-{k}.xlsx", "residents", rows, seed=100 + k, mistakes=False
        )
        for k in range(n_clients)
    ]
    port = free_port()
    db = Path(tempfile.mkdtemp(dir=workdir)) / "sandbox.db"
    options = ["--latency-ms", str(LATENCY_MS), *faults]
    if limit is not None:
        options += ["--rate-limit", str(limit.rate), "--limiter", limit.shape]
        options += ["--retry-after", limit.retry_after, "--push-back", str(limit.push_back)]
        if limit.burst is not None:
            options += ["--burst", str(limit.burst)]
        if limit.window != 1:
            options += ["--window", str(limit.window)]
        if limit.segments:
            options += ["--segments", str(limit.segments)]
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
        "clients": n_clients,
        "rows": sent,
        "rate": sent / span,
        # What the limiter could accept over the span: its rate, plus what it lets through
        # at once at the start (a bucket's burst, a window's first second).
        "used": sent / limit.capacity(span, SERVICE) if limit else None,
        "refused": sum(c["refused"] for c in found) / max(requests, 1),
        "fairness": jain([c["sent"] / c["seconds"] for c in found]),
        "cuts": [c["cuts"] for c in found],
        "found": found,
    }


def _chosen(name: str, every: list[str]) -> list[str]:
    wanted = os.environ.get(name, "")
    return [w for w in wanted.split(",") if w in every] if wanted else every


def _spread(values: list[float], fmt: str) -> str:
    """The lowest, the median and the highest of ``values`` (one value when they agree)."""
    low, mid, high = min(values), median(values), max(values)
    if format(low, fmt) == format(high, fmt):
        return format(low, fmt)
    return f"{low:{fmt}} / {mid:{fmt}} / {high:{fmt}}"


def bench_pacing(workdir: Path) -> list[str]:
    runs = int(os.environ.get("SIMAD_BENCH_RUNS", "3"))
    burst = float(os.environ["SIMAD_BENCH_BURST"]) if os.environ.get("SIMAD_BENCH_BURST") else None
    window = float(os.environ.get("SIMAD_BENCH_WINDOW") or 1)
    segments = int(os.environ.get("SIMAD_BENCH_SEGMENTS") or 0)
    scale = float(os.environ.get("SIMAD_BENCH_SCALE", "1"))
    starts = float(os.environ.get("SIMAD_BENCH_STARTS_MS") or 0) / 1000
    cases = (  # name, rate, rows per client, clients
        ("one client, 40/s", 40.0, int(600 * scale), 1),
        ("one client, 120/s", 120.0, int(1800 * scale), 1),
        ("four clients, 60/s", 60.0, int(600 * scale), 4),
    )
    if starts:  # the clients sharing a limit only
        cases = tuple(case for case in cases if case[3] > 1)
    lines = [
        f"## Pacing: residents to `simad sandbox serve` on 127.0.0.1, {LATENCY_MS} ms latency, "
        "a limiter per account of each shape and way of refusing. Used: the rows sent over "
        "what the limiter could accept from the first request to the last (its rate, plus "
        "what it lets through at once at the start); refused: push-back over all requests; "
        "Jain: over each client's rows per second. Targets: one client ≥ 90% used, ≤ 2% "
        "refused; four clients ≥ 90%, ≤ 5%, Jain ≥ 0.95. (A concurrency limit of N at "
        f"{LATENCY_MS} ms stands in for N/{LATENCY_MS} ms requests a second.) "
        f"Each case run {runs} times: lowest / median / highest."
        + (
            f" The four clients started {starts * 1000:g} ms apart, first to last."
            if starts
            else ""
        ),
        "",
        "| shape | refusal | case | used | refused | Jain |",
        "|---|---|---|---|---|---|",
    ]
    for shape in _chosen("SIMAD_BENCH_SHAPES", list(SHAPES)):
        for variant in _chosen("SIMAD_BENCH_VARIANTS", list(VARIANTS)):
            status, retry_after = variant.split("-")
            for name, rate, rows, n in cases:
                spec = limit_for(shape, rate, variant, SERVICE).with_burst(burst)
                spec = spec.with_window(window).with_segments(segments)
                delays = [k * starts / max(n - 1, 1) for k in range(n)]
                found = [scenario(workdir, spec, rows, n, delays) for _ in range(runs)]
                used = _spread([r["used"] for r in found], ".0%")
                refused = _spread([r["refused"] for r in found], ".1%")
                jain_ = _spread([r["fairness"] for r in found], ".3f") if n > 1 else ""
                shown = f"{shape}, {spec.segments} segments" if spec.segments else shape
                cells = [shown, f"{status} {retry_after}", name, used, refused, jain_]
                line = "| " + " | ".join(cells) + " |"
                lines.append(line)
                print(line, file=sys.stderr, flush=True)
    bound = 8 / (LATENCY_MS / 1000)
    r = scenario(workdir, None, 2000)
    lines.append("")
    lines.append(
        f"- no limit, 2000 rows: {r['rate']:.0f} rows/s = {r['rate'] / bound:.0%} of the "
        f"concurrency bound ({bound:.0f}/s), {r['refused']:.1%} refused"
    )
    for failing in (float(f) for f in os.environ.get(FAILING, "0.02,0.05,0.1").split(",") if f):
        faults = [("--fail-rate", str(failing), "--seed", str(k)) for k in range(runs)]
        kept = [scenario(workdir, None, 2000, faults=f)["rate"] for f in faults]
        lines.append(
            f"- no limit, failing {failing:.0%} at random (a bare 503), 2000 rows: "
            f"{_spread([k / r['rate'] for k in kept], '.0%')} of the speed without failures"
        )
    return [*lines, ""]
