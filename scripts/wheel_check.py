"""The wheel as a user gets it: built, installed into a clean virtual environment (not
editable), and driven from an empty folder with a fresh SIMAD_HOME.

    python scripts/wheel_check.py          # `make wheel-check`; needs PyPI for the install

It fails (exit 1) when a file of the package is not in the wheel (every non-Python file under
pipeline/ and schemas/ must be), or when any of these fails from the installed wheel:
`simad --version`, `simad template`, `simad validate` on the sample, `simad submit` to the
embedded sandbox, and `simad ui` answering its first page and the style sheets and scripts
that page names, over HTTP.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "schemas")
UI_START_SECONDS = 60


class Failed(Exception):
    pass


def step(name: str, cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...]) -> str:
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    print(f"  {name}: exit {done.returncode} in {took:.1f} s")
    if done.returncode not in ok:
        raise Failed(f"{name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    if "Traceback" in done.stdout + done.stderr:
        raise Failed(f"{name}: a traceback\n{done.stdout}\n{done.stderr}")
    return done.stdout


def data_files_missing(wheel: Path) -> list[str]:
    """Every non-Python file of the packages in the source tree that the wheel lacks."""
    with zipfile.ZipFile(wheel) as zf:
        inside = set(zf.namelist())
    wanted = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if (
                path.is_file()
                and path.suffix not in {".py", ".pyc"}
                and "__pycache__" not in path.parts
            ):
                wanted.append(path.relative_to(ROOT).as_posix())
    return [name for name in wanted if name not in inside]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_page(opener: urllib.request.OpenerDirector, address: str) -> str:
    """The page the one-time address leads to, once the server listens (it prints the
    address first)."""
    deadline = time.monotonic() + UI_START_SECONDS
    while True:
        try:
            with opener.open(address, timeout=30) as answer:
                page = str(answer.read().decode("utf-8"))
                if answer.status != 200 or "<html" not in page.lower():
                    raise Failed(f"ui: the first page answered {answer.status}")
                return page
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise Failed(f"ui: the first page could not be fetched: {exc}") from exc
            time.sleep(0.2)


def fetch_ui(address: str) -> list[str]:
    """The first page through the one-time address, then every /static file it names."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # 127.0.0.1 directly, whatever the proxy settings
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    )
    page = first_page(opener, address)
    base = address.split("/?", 1)[0]
    fetched = []
    for link in sorted(set(re.findall(r'(?:href|src)="(/static/[^"?]+)', page))):
        with opener.open(base + link, timeout=30) as answer:
            if answer.status != 200 or not answer.read():
                raise Failed(f"ui: {link} answered {answer.status}")
        fetched.append(link)
    if not fetched:
        raise Failed("ui: the first page names no /static file")
    return fetched


def run_ui(simad: str, cwd: Path, env: dict[str, str]) -> None:
    port = free_port()
    cmd = [simad, "--lang", "en", "ui", "--no-browser", "--port", str(port)]
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        if not first.startswith(f"http://127.0.0.1:{port}/"):
            raise Failed(f"ui: the first line is not the address: {first!r}")
        fetched = fetch_ui(first)
        print(f"  simad ui: first page and {len(fetched)} static files over HTTP")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=UI_START_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def install(wheel: Path, venv: Path) -> str:
    uv = [sys.executable, "-m", "uv"]
    subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([*uv, "pip", "install", "--quiet", "--python", python, str(wheel)], check=True)
    return str(venv / "bin" / "simad")


def drive(simad: str, tmp: Path) -> None:
    work = tmp / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIMAD_", "VIRTUAL_ENV"))}
    env |= {"SIMAD_HOME": str(tmp / "home"), "SIMAD_TARGET": "sandbox"}
    version = step("simad --version", [simad, "--version"], work, env, (0,))
    print(f"    {version.strip()}")
    step("simad template", [simad, "template", "--out", "templates"], work, env, (0,))
    if not list((work / "templates").glob("*.xlsx")):
        raise Failed("simad template wrote no workbook")
    shutil.copy2(ROOT / "input_templates" / "sample.xlsx", work / "sample.xlsx")
    step("simad validate", [simad, "validate", "sample.xlsx"], work, env, (0, 1))
    submit = [simad, "submit", "sample.xlsx", "--report", "report.xlsx"]
    step("simad submit (sandbox)", submit, work, env, (0, 1))
    if not (work / "report.xlsx").is_file():
        raise Failed("simad submit wrote no report")
    run_ui(simad, work, env)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="simad-wheel-check-") as name:
        tmp = Path(name)
        started = time.monotonic()
        built = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "bundle.py"), "--wheel", str(tmp / "wheel")],
            capture_output=True,
            text=True,
            check=True,
        )
        wheel = Path(built.stdout.strip().splitlines()[-1])
        print(f"wheel: {wheel.name}")
        missing = data_files_missing(wheel)
        if missing:
            print("not in the wheel:\n  " + "\n  ".join(missing))
            return 1
        try:
            drive(install(wheel, tmp / "venv"), tmp)
        except Failed as exc:
            print(f"wheel check failed: {exc}")
            return 1
        print(f"wheel check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
