"""Web app figures for `make bench`: how soon `simad ui` serves its page, how long the server
takes to validate a 3,000-row sheet again and redraw it after a cell edit, and how often a
submission's progress reaches the page. Not a test."""

from __future__ import annotations

import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from pipeline.sheets.fakedata import write_workbook as generate


def _signed_in(address: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=address.split("/?")[0], follow_redirects=True, timeout=60)
    page = client.get(address)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found is not None
    return client, found.group(1)


def first_page(workdir: Path) -> float:
    """Seconds from starting `simad ui` to its first page in hand."""
    env = {**os.environ, "SIMAD_HOME": str(workdir / "ui-home"), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ui", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as process:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        while True:
            try:
                client, _ = _signed_in(address)
                break
            except httpx.ConnectError:
                time.sleep(0.01)
        seconds = time.perf_counter() - started
        client.close()
        process.terminate()
        process.wait(20)
    return seconds


def edits(workdir: Path, rows: int = 3000, times: int = 15) -> tuple[list[float], int]:
    """Server seconds of each cell edit (validate the whole sheet again, draw the page)."""
    from pipeline.web.server import running

    os.environ["SIMAD_HOME"] = str(workdir / "ui-home")
    book = generate(workdir / f"residents-{rows}.xlsx", "residents", rows)
    with running("fa") as (address, state):
        client, token = _signed_in(address)
        h = {"x-csrf-token": token, "hx-request": "true"}
        client.post("/upload", files={"files": (book.name, book.read_bytes())}, headers=h)
        assert state.workspace is not None
        sheet = state.workspace.run.results[0].sheet
        col = sheet.columns["NationalCode"]
        ws_id = state.workspace.id
        took = []
        for n in range(times):
            started = time.perf_counter()
            answer = client.post(
                "/cell",
                data={"ws": ws_id, "sheet": 0, "row": n, "col": col, "value": "0012345678"},
                headers=h,
            )
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200
        size = len(answer.content)
        client.close()
    return took, size


def progress_events(workdir: Path, latency_ms: float = 20) -> tuple[list[float], int]:
    """Seconds between two progress events of a submission to a sandbox answering after
    ``latency_ms``, read from the event stream as a page reads it."""
    from pipeline.web.server import running

    with tempfile.TemporaryDirectory(dir=workdir) as home:  # a fresh ledger: all is sent
        os.environ.update(SIMAD_HOME=home, SIMAD_SANDBOX_LATENCY_MS=str(latency_ms))
        book = generate(workdir / "residents-1000.xlsx", "residents", 1000, mistakes=False)
        with running("fa") as (address, state):
            client, token = _signed_in(address)
            h = {"x-csrf-token": token}
            client.post("/upload", files={"files": (book.name, book.read_bytes())}, headers=h)
            client.post("/target", data={"target": "sandbox"}, headers=h)
            client.post("/submit", data={"ws": state.workspace.id}, headers=h)
            job = state.latest("submit")
            assert job is not None
            seen = []
            with client.stream("GET", f"/jobs/{job.id}/events") as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        seen.append((time.perf_counter(), json.loads(line[6:])["done"]))
            client.close()
    del os.environ["SIMAD_SANDBOX_LATENCY_MS"]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
    return gaps, len(seen)


def bench_ui(workdir: Path) -> list[str]:
    start = first_page(workdir)
    took, size = edits(workdir)
    gaps, events = progress_events(workdir)
    ms = [t * 1000 for t in took]
    return [
        "## Web app (simad ui)",
        f"first page served after start      {start:.2f} s (process start → page in hand)",
        f"cell edit, 3,000-row sheet        median {statistics.median(ms):.0f} ms, "
        f"worst {max(ms):.0f} ms over {len(ms)} edits (validate all, draw {size // 1024} KB)",
        f"progress events during a submit    {events} events, every "
        f"{statistics.median(gaps):.2f} s (worst {max(gaps):.2f} s)",
        "",
    ]
