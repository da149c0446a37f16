"""MAXA for `make bench`: a SNOMED-sized version (300,000 generated terms) pulled from the
sandbox served as its own process on 127.0.0.1 into an empty mirror, and a 10,000-row drug
list checked against that mirror offline. Each step runs in its own process, measured for
wall time and peak memory; the bare start of the command (interpreter and imports) is
measured too, so that what the pull itself holds can be read off."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.core.config import (
    MAXA_SANDBOX_CLIENT_ID,
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_PASSWORD,
    MAXA_SANDBOX_PID,
    MAXA_SANDBOX_USERNAME,
)
from pipeline.sandbox.maxa_app import GeneratedTerms, answer_pieces
from pipeline.sandbox.process import free_port, start_server, stop_server

from .common import child

TERMS = 300_000
ROWS = 10_000


def drug_list(path: Path, terms: GeneratedTerms, rows: int, seed: int = 11) -> Path:
    """A list of ``rows`` codes of ``terms``: most with their name, some with another name
    in other case and spacing, some unknown, a few empty."""
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("list")
    sheet.append(["code", "name", "stock"])
    for i in range(rows):
        n = rng.randrange(len(terms))
        code = str(GeneratedTerms.FIRST + n)
        roll = rng.random()
        if roll < 0.85:
            name = terms[code]
        elif roll < 0.92:
            name = "  " + terms[code].upper().replace(" ", "  ")
        elif roll < 0.97:
            name = "Another name " + str(i)
        else:
            code, name = str(90_000_000 + i), "Unknown " + str(i)
        if roll > 0.995:
            code = ""
        sheet.append([code, name, rng.randrange(1000)])
    book.save(path)
    return path


def simad(*args: str, env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    out, wall, rss = child([sys.executable, "-m", "pipeline", *args], env=env)
    return (json.loads(out) if "--json" in args else {}), wall, rss


def bench_maxa(workdir: Path) -> list[str]:
    lines = [
        f"## MAXA: a {TERMS:,}-term version pulled into the mirror, a {ROWS:,}-row check from it",
        "",
    ]
    work = Path(tempfile.mkdtemp(dir=workdir))
    port = free_port()
    server = start_server(port, work / "sandbox.db", "--generated-terms", str(TERMS))
    env = {
        **os.environ,
        "SIMAD_HOME": str(work / "home"),
        "SIMAD_LANG": "en",
        "MAXA_TARGET": f"http://127.0.0.1:{port}",
        "MAXA_CLIENT_ID": MAXA_SANDBOX_CLIENT_ID,
        "MAXA_CLIENT_SECRET": MAXA_SANDBOX_CLIENT_SECRET,
        "MAXA_USERNAME": MAXA_SANDBOX_USERNAME,
        "MAXA_PASSWORD": MAXA_SANDBOX_PASSWORD,
        "MAXA_PID": MAXA_SANDBOX_PID,
    }
    try:
        answer_mb = sum(len(p) for p in answer_pieces("SNOMEDCT", GeneratedTerms(TERMS))) / 2**20
        _, bare_wall, bare_rss = simad("maxa", "--help", env=env)
        pulled, pull_wall, pull_rss = simad("maxa", "pull", "SNOMEDCT", "--json", env=env)
        if pulled.get("terms") != TERMS:
            raise SystemExit(f"the pull stored {pulled.get('terms')} terms, not {TERMS:,}")
        mirror_mb = (work / "home" / "maxa-mirror.db").stat().st_size / 2**20
        lines += [
            "| step | wall | peak memory |",
            "|---|---|---|",
            f"| the command's bare start (`simad maxa --help`) | {bare_wall:.2f} s "
            f"| {bare_rss:.0f} MB |",
            f"| pull {TERMS:,} terms ({answer_mb:.0f} MB of JSON) into an empty mirror "
            f"| {pull_wall:.1f} s | {pull_rss:.0f} MB |",
        ]
        terms = GeneratedTerms(TERMS)
        source = drug_list(work / "list.xlsx", terms, ROWS)
        report = work / "check.xlsx"
        checked, check_wall, check_rss = simad(
            "maxa",
            "check",
            str(source),
            "--terminology",
            "SNOMEDCT",
            "--offline",
            "--report",
            str(report),
            "--json",
            env=env,
        )
        counts = checked["counts"]
        lines += [
            f"| check {ROWS:,} rows (.xlsx) offline against it, report written "
            f"| {check_wall:.2f} s | {check_rss:.0f} MB |",
            "",
            f"- The pull held {pull_rss - bare_rss:.0f} MB above the bare start for a "
            f"{answer_mb:.0f} MB answer; the mirror file is {mirror_mb:.0f} MB.",
            "- The check found: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ".",
        ]
    finally:
        stop_server(server)
        shutil.rmtree(work, ignore_errors=True)
    return lines
