"""Output that never crashes: every command, run as a scheduled task or a redirection on a
Windows PC would run it (the console's code page, cp1252 / cp1256 / cp720, simulated with
``PYTHONIOENCODING``), writes UTF-8 to a file or a pipe, Persian included, with its usual exit
code; ``--json`` parses. And a start without a console (``pythonw``, a desktop shortcut: no
stdout or stderr at all) does not crash."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "input_templates" / "sample.xlsx"
PERSIAN = re.compile("[\u0600-\u06ff]")
SCRIPT = Path(sys.executable).with_name("simad")

ALL = ("cp1252", "cp1256", "cp720")
# (code pages, arguments, exit code, Persian expected on stdout, stdout is JSON). The common
# commands under every code page; the others each under one (the same start-up makes every
# command's streams UTF-8). In this order: `runs` and `lookup --offline` read what `submit`
# and `pull` left.
COMMANDS: list[tuple[tuple[str, ...], list[str], int, bool, bool]] = [
    (ALL, ["validate", str(SAMPLE)], 1, True, False),
    (ALL, ["validate", "--json", str(SAMPLE)], 1, True, True),
    (ALL, ["--lang", "en", "validate", str(SAMPLE)], 1, True, False),  # the sheets' own names
    (ALL, ["submit", str(SAMPLE), "--json"], 1, True, True),
    (ALL, ["runs"], 0, True, False),
    (("cp1252",), ["--version"], 0, False, False),
    (("cp1256",), ["--help"], 0, False, False),
    (("cp720",), ["--lang", "en", "runs", "--json"], 0, False, True),
    (("cp1252",), ["reconcile", "--year", "1402", str(SAMPLE)], 1, True, False),
    (("cp1256",), ["results", "--year", "1402", "--out", "results.xlsx"], 0, True, False),
    (("cp720",), ["template", "--out", "blank"], 0, True, False),
    (("cp1252",), ["maxa", "--help"], 0, False, False),
    (("cp1256",), ["maxa", "pull", "eRX", "--version", "1000", "--out", "erx.csv"], 0, True, False),
    (("cp1256",), ["maxa", "lookup", "erx", "60281", "--offline"], 0, True, False),
    (("cp720",), ["--lang", "en", "maxa", "versions", "eRX", "--json"], 0, False, True),
    (
        ("cp1252",),
        ["maxa", "check", str(SAMPLE.with_name("drug-list-sample.xlsx")), "--terminology", "eRX"],
        1,
        True,
        False,
    ),
]


def _entry(use_script: bool) -> list[str]:
    """`simad` as installed, or `python -m pipeline`."""
    if use_script and SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-m", "pipeline"]


def _run(
    command: list[str], env: dict[str, str], cwd: Path, *, to_file: bool
) -> tuple[int, bytes, bytes]:
    """Run with stdout to a file or a pipe; (exit code, stdout, stderr) as bytes."""
    if to_file:
        out_file = cwd / "out.txt"
        with out_file.open("wb") as out:
            done = subprocess.run(
                command, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=120
            )
        return done.returncode, out_file.read_bytes(), done.stderr
    done = subprocess.run(command, capture_output=True, env=env, cwd=cwd, timeout=120)
    return done.returncode, done.stdout, done.stderr


def _env(home: Path, codepage: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SIMAD_", "MAXA_", "PYTHONUTF8"))
    }
    env.update(SIMAD_HOME=str(home), PYTHONIOENCODING=codepage)
    return env


@pytest.mark.parametrize("codepage", ALL)
def test_every_command_writes_utf8_whatever_the_code_page(tmp_path, codepage):
    """Each command to a file and a pipe in turn (the other way round for the next code page),
    through `simad` for one code page and `python -m pipeline` for the others."""
    env = _env(tmp_path / "home", codepage)
    entry = _entry(use_script=codepage == "cp1252")
    flip = codepage == "cp1256"
    for n, (pages, args, code, persian, as_json) in enumerate(COMMANDS):
        if codepage not in pages:
            continue
        to_file = (n % 2 == 0) != flip
        rc, out, err = _run([*entry, *args], env, tmp_path, to_file=to_file)
        said = f"{codepage} {'file' if to_file else 'pipe'} simad {' '.join(args)}: {err[-600:]!r}"
        assert rc == code, said
        assert out.strip(), said
        text = out.decode("utf-8")  # strictly: no code page's bytes
        errors = err.decode("utf-8")
        assert "Traceback" not in errors and "UnicodeEncodeError" not in errors, said
        if persian:
            assert PERSIAN.search(text), said
        if as_json:
            json.loads(text)


def test_errors_on_stderr_are_utf8_too(tmp_path):
    """An input error (exit 2) says so in Persian on stderr, whatever the code page."""
    env = _env(tmp_path / "home", "cp1252")
    rc, _out, err = _run(
        [*_entry(False), "validate", str(tmp_path / "missing.xlsx")], env, tmp_path, to_file=True
    )
    assert rc == 2
    assert PERSIAN.search(err.decode("utf-8"))


def _without_console(home: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a Python whose sys.stdout and sys.stderr are None (as under
    ``pythonw``); it writes the exit code to ``rc.txt`` in the home."""
    program = textwrap.dedent(
        """
        import sys
        sys.stdout = sys.stderr = None
        from pathlib import Path
        home = Path(sys.argv[1])
        code = "no exit"
        try:
        {body}
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:
            code = repr(exc)
        (home / "rc.txt").write_text(str(code), encoding="utf-8")
        """
    ).format(body=textwrap.indent(textwrap.dedent(body), "    "))
    env = {**_env(home, "cp1252"), "SIMAD_HOME": str(home)}
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", program, str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_validate_without_a_console_does_not_crash(tmp_path):
    home = tmp_path / "home"
    _without_console(
        home,
        f"""
        sys.argv = ["simad", "validate", {str(SAMPLE)!r}, "--report", {str(tmp_path / "v.xlsx")!r}]
        from pipeline.cli import main
        main()
        """,
    )
    assert (home / "rc.txt").read_text(encoding="utf-8") == "1"  # some rows invalid: as usual
    assert (tmp_path / "v.xlsx").stat().st_size > 0


def test_ui_without_a_console_starts_and_stops(tmp_path):
    """`simad ui` from a shortcut: it says its address, flushes, serves (here a server that
    returns at once) and says goodbye, all into no console, and ends with exit 0."""
    home = tmp_path / "home"
    _without_console(
        home,
        """
        import pipeline.web.server as server

        class Served:
            def run(self):
                (home / "served.txt").write_text("yes", encoding="utf-8")

        server._server = lambda *args, **kwargs: Served()
        sys.argv = ["simad", "ui", "--no-browser"]
        from pipeline.cli import main
        main()
        """,
    )
    assert (home / "served.txt").exists()
    assert (home / "rc.txt").read_text(encoding="utf-8") == "0"
