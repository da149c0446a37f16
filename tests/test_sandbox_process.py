"""`simad sandbox serve` as a real process on 127.0.0.1: serve, talk, restart, keep state."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from pipeline.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.errors import RetryableError
from pipeline.simad_client import SimadClient

from .conftest import declaration, resident

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, db, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SIMAD_LANG": "en"},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("sandbox did not start within 20 s")


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode()


def test_serve_talk_restart(tmp_path):
    port, db = free_port(), tmp_path / "served.db"
    url = f"http://127.0.0.1:{port}"
    proc = start(port, db)
    try:
        r = httpx.post(
            f"{url}/api/Token/authenticate",
            json={"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD},
        )
        assert r.status_code == 200 and " Token" in r.json()

        async def send() -> None:
            async with SimadClient(url, Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)) as c:
                assert (await c.add_or_update_resident(resident())).ok
                assert (await c.add_or_update_declaration(declaration())).ok

        asyncio.run(send())
    finally:
        banner = stop(proc)
    assert f"listening on {url}" in banner

    proc = start(port, db)
    try:

        async def read() -> list:
            async with SimadClient(url, Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)) as c:
                return await c.get_declare_residents(1402)

        assert [d["studentNumber"] for d in asyncio.run(read())] == ["98123001"]
    finally:
        stop(proc)


def test_served_faults_are_visible(tmp_path):
    port = free_port()
    proc = start(port, tmp_path / "f.db", "--fail-rate", "1", "--seed", "1")
    try:

        async def call() -> None:
            async with SimadClient(
                f"http://127.0.0.1:{port}", Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD)
            ) as c:
                await c.authenticate()

        with pytest.raises(RetryableError) as info:
            asyncio.run(call())
        assert info.value.status == 503
    finally:
        banner = stop(proc)
    assert "503 rate 1.0" in banner
