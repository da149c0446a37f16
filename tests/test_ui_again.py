"""Coming back to a running ``simad ui``: run again on this PC (a second double-click on the
desktop shortcut) it opens the running app signed in, in a new tab, and exits at once; the
running app's work goes on. A record left by a killed app does not stop a new start. The
processes are real (``python -m pipeline ui``), read as the Ctrl-C test in ``test_ui`` does;
the guard's ``/again`` is driven over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from pipeline.web.security import AGAIN_PATH, DOOR_HEADER
from pipeline.web.server import build, free_port, one_time_address, record_path, serving

ADDRESS = r"http://127\.0\.0\.1:(\d+)/\?token=[\w-]+"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "SIMAD_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}


def simad_ui(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--lang", "en", "ui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_serving(base: str) -> None:
    """Until the app answers (a stranger's request: refused, but answered)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            assert httpx.get(base + "/", trust_env=False).status_code == 403
            return
        except httpx.ConnectError:
            time.sleep(0.05)
    raise AssertionError(f"{base} never answered")


@pytest.fixture
def first(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The first ``simad ui`` on a port of its own: (the process, its printed address)."""
    port = free_port("127.0.0.1")
    process = simad_ui(env, "--no-browser", "--port", str(port))
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        assert re.fullmatch(ADDRESS, address) and f":{port}/" in address, address
        wait_serving(f"http://127.0.0.1:{port}")
        yield process, address
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=20)


def run_again(env: dict[str, str], *args: str) -> tuple[list[str], float]:
    started = time.monotonic()
    again = simad_ui(env, *args)
    try:
        out, err = again.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        again.kill()
        again.communicate(timeout=20)
        raise AssertionError("simad ui run again did not exit") from None
    assert again.returncode == 0, err
    assert "Traceback" not in err
    return out.splitlines(), time.monotonic() - started


def test_simad_ui_again_opens_the_running_app_signed_in_and_leaves_it_running(env, first):
    process, address = first
    base = address.split("/?")[0]
    lines, took = run_again(env, "--no-browser")
    assert took < 15
    assert re.fullmatch(ADDRESS, lines[0]), lines
    assert lines[0].split("/?")[0] == base  # the FIRST app's address, not a new one
    assert lines[0] != address  # a fresh sign-in
    assert "already running" in lines[1]
    with httpx.Client(follow_redirects=True, trust_env=False) as browser:
        page = browser.get(lines[0])
        assert page.status_code == 200 and "If you close the browser" in page.text
        assert browser.get(base + "/runs").status_code == 200  # signed in, to the first app
        assert browser.get(lines[0]).status_code == 403  # the fresh address works once
    assert process.poll() is None  # the first app still serves
    with httpx.Client(trust_env=False) as other:  # and its own printed address still works
        assert other.get(address).status_code == 303
        assert other.get(base + "/").status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "has stopped" in out and "Traceback" not in err
    assert not record_path(Path(env["SIMAD_HOME"])).exists()


def test_simad_ui_again_opens_a_new_tab_on_an_owner_only_launch_page(env, first, tmp_path):
    process, address = first
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"  # the "browser": notes the address it was opened on
    browser.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    env = {**env, "BROWSER": f"{sys.executable} {browser} %s"}
    lines, took = run_again(env)
    assert took < 15 and "opened in a new tab" in lines[-1], lines
    uri = opened.read_text().strip()
    assert uri.startswith("file://") and "token" not in uri  # nothing secret on a command line
    page = Path(unquote(urlsplit(uri).path))
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    launch = page.read_text()
    action = re.search(r'action="([^"]+)"', launch).group(1)
    token = re.search(r'name="token" value="([^"]+)"', launch).group(1)
    assert action.startswith(address.split("/?")[0])
    with httpx.Client(trust_env=False) as browser:
        signed = browser.post(action, data={"token": token})
        assert signed.status_code == 200 and "max-age" in signed.headers["set-cookie"].lower()
        assert browser.get(action.removesuffix("/launch") + "/").status_code == 200
    assert not page.exists()  # used: deleted
    with httpx.Client(trust_env=False) as late:
        assert late.post(action, data={"token": token}).status_code == 403
    assert process.poll() is None


def test_a_record_left_by_a_killed_app_does_not_stop_a_new_start(env):
    home = Path(env["SIMAD_HOME"])
    killed = simad_ui(env, "--no-browser")
    assert killed.stdout is not None
    old = killed.stdout.readline().strip()
    wait_serving(old.split("/?")[0])
    assert record_path(home).is_file()
    assert stat.S_IMODE(record_path(home).stat().st_mode) == 0o600
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=20)
    assert json.loads(record_path(home).read_text())["base"] == old.split("/?")[0]  # stale
    started = time.monotonic()
    new = simad_ui(env, "--no-browser")
    try:
        assert new.stdout is not None
        address = new.stdout.readline().strip()
        assert re.fullmatch(ADDRESS, address), address
        assert "already running" not in new.stdout.readline()  # a new start, not a return
        wait_serving(address.split("/?")[0])
        assert time.monotonic() - started < 15
        with httpx.Client(follow_redirects=True, trust_env=False) as browser:
            assert browser.get(address).status_code == 200
        record = json.loads(record_path(home).read_text())
        assert record["base"] == address.split("/?")[0]  # the new app's record now
    finally:
        new.send_signal(signal.SIGINT)
        new.communicate(timeout=20)
    assert new.returncode == 0


def test_only_the_door_key_mints_a_sign_in_and_each_works_once():
    port = free_port("127.0.0.1")
    app, keys, state = build("127.0.0.1", port, "en")
    base = f"http://127.0.0.1:{port}"
    with serving(app, "127.0.0.1", port), httpx.Client(trust_env=False) as client:
        for door in ({}, {DOOR_HEADER: "guess"}):
            answer = client.post(base + AGAIN_PATH, headers=door)
            assert answer.status_code == 403 and "token" not in answer.text
        assert not keys.fresh
        foreign = client.post(
            base + AGAIN_PATH, headers={DOOR_HEADER: keys.door, "host": f"evil.example:{port}"}
        )
        assert foreign.status_code == 421 and not keys.fresh
        minted = client.post(base + AGAIN_PATH, headers={DOOR_HEADER: keys.door}).json()
        page = Path(minted["launch"])
        assert page.parent == state.folder and stat.S_IMODE(page.stat().st_mode) == 0o600
        with httpx.Client(trust_env=False) as browser:
            assert browser.get(minted["address"]).status_code == 303
            assert browser.get(base + "/").status_code == 200
        assert not page.exists()
        assert client.get(minted["address"]).status_code == 403  # once
        # Minting does not spend the address the app printed first.
        assert client.get(one_time_address("127.0.0.1", port, keys)).status_code == 303
