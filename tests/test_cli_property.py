"""The command line driven with random options and environments: whatever it is given, it
answers with its documented exit codes (0, 1, 2, 3) and never a traceback.

Every run is in-process (typer's runner over ``pipeline.cli.app``) against the embedded
sandbox; targets that would reach a network are left out, so nothing leaves this machine.
"""

from __future__ import annotations

import contextvars
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core import config, logs

from .test_submit import SAMPLE

DOCUMENTED = {0, 1, 2, 3}
runner = CliRunner()
FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text an environment variable or an argument can hold (no NUL, no lone surrogate).
text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", " ", "1e-9", "-0", "nan", "NaN", "inf", "-inf", "1e309", "0x10", "۲۰"]),
    text,
)


def quick(value: str) -> bool:
    """Not a setting that would make a run slow on purpose (a long sandbox latency, a rate
    cap of a request every ten seconds): those are right to be slow, not what is tested."""
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return True
    return not (math.isfinite(number) and 5 < number <= 60_000)


def not_a_network_address(value: str) -> bool:
    return "://" not in value and not value.strip().lower().startswith("sandbox")


targets = st.one_of(
    text.filter(not_a_network_address),
    st.sampled_from(
        [
            "sandbox",
            "http://simad.example.ir",  # plain http is refused
            "https://user:secret@simad.example.ir",  # credentials in an address are refused
            "ftp://simad.example.ir",
            "https://",
            "https://simad.example.invalid",  # no credentials configured: refused before a call
        ]
    ),
)


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """Odd places for SIMAD_HOME and for file arguments."""
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    locks_file = tmp_path / "locks-file"
    locks_file.mkdir()
    (locks_file / "locks").write_text("", encoding="utf-8")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    return {
        "home": tmp_path / "home",
        "nested": tmp_path / "deep" / "er" / "home",
        "a file": a_file,
        "under a file": a_file / "home",
        "locks is a file": locks_file,
        "a loop": loop,
        "a folder": tmp_path,
    }


def check(result) -> None:
    """The contract: a documented exit code, and no traceback anywhere."""
    output = result.output
    assert result.exit_code in DOCUMENTED, (result.exit_code, output, result.exception)
    assert "Traceback" not in output, output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


def invoke(args: list[str], env: dict[str, str | None]):
    """One command as a new process would run it: no language chosen yet (a fresh context),
    settings read again."""
    config.reset_settings_cache()

    def run():
        try:
            return runner.invoke(app, args, env=env)
        finally:
            logs.configure(None)  # the log file the command opened, closed in its context

    return contextvars.Context().run(run)


@FAST
@given(
    lang=st.one_of(text, st.sampled_from(["fa", "EN", " en ", "de", ""])),
    env_lang=st.one_of(st.none(), text, st.sampled_from(["xx", "FA", "en"])),
    command=st.sampled_from(
        [["runs"], ["runs", "--json"], ["--version"], ["validate", "missing.xlsx"]]
    ),
    before=st.booleans(),
)
@example(lang="fa", env_lang="xx", command=["--version"], before=True)
@example(lang="fa", env_lang="xx", command=["runs"], before=True)
def test_any_language_gets_a_documented_answer(lang, env_lang, command, before, places):
    args = ["--lang", lang, *command] if before else [*command, "--lang", lang]
    if command == ["--version"]:
        args = command
    result = invoke(args, {"SIMAD_LANG": env_lang, "SIMAD_HOME": str(places["home"])})
    check(result)
    if (
        env_lang is not None
        and env_lang.strip().lower() not in ("", "fa", "en")
        and (command == ["--version"] or not before)
    ):
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1, result.output


@FAST
@given(
    max_rate=st.one_of(st.none(), numbers.filter(quick)),
    timeout=st.one_of(st.none(), numbers),
    latency=st.one_of(st.none(), numbers.filter(quick)),
    home=st.sampled_from(
        ["home", "nested", "a file", "under a file", "locks is a file", "a loop", "a folder"]
    ),
    command=st.sampled_from(
        [
            ["runs"],
            ["runs", "--report", "20260101-000000-abcdef"],
            ["validate", "missing.xlsx"],
            ["results", "--year", "1402"],
            ["reconcile", "--year", "1402"],
            ["submit", "missing.xlsx"],
            ["maxa", "lookup", "eRX", "60281", "--offline"],
        ]
    ),
)
@example(
    max_rate="1e-9", timeout=None, latency=None, home="home", command=["submit", "missing.xlsx"]
)
@example(max_rate=None, timeout="nan", latency=None, home="home", command=["runs"])
@example(
    max_rate=None, timeout=None, latency="-1", home="home", command=["results", "--year", "1402"]
)
def test_any_environment_gets_a_documented_answer(
    max_rate, timeout, latency, home, command, places
):
    env = {
        "SIMAD_MAX_RATE": max_rate,
        "SIMAD_TIMEOUT": timeout,
        "SIMAD_SANDBOX_LATENCY_MS": latency,
        "SIMAD_HOME": str(places[home]),
    }
    result = invoke(["--lang", "en", *command], env)
    check(result)
    refused = [
        name
        for name, value, low, high in (
            ("SIMAD_MAX_RATE", max_rate, 0.1, 10_000),
            ("SIMAD_TIMEOUT", timeout, 0.1, 3600),
            ("SIMAD_SANDBOX_LATENCY_MS", latency, 0, 60_000),
        )
        if value is not None and value.strip() and not fits(value, low, high)
    ]
    if refused:  # a usage error before anything is done, naming one of them, on one line
        assert result.exit_code == 2, result.output
        assert any(name in result.output for name in refused), result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def fits(value: str, low: float, high: float) -> bool:
    try:
        return low <= float(value) <= high
    except (ValueError, OverflowError):
        return False


@FAST
@given(
    year=st.one_of(st.integers(min_value=-(10**25), max_value=10**25).map(str), text),
    target=targets,
    extra=st.sampled_from(
        [
            [],
            ["--course", "۱۷۱۰"],
            ["--national-code", "x" * 200],
            ["--out", "r.csv"],
            ["--out", "."],
            ["--out", "a-file.txt/r.xlsx"],
            ["--json"],
        ]
    ),
)
@example(year="99999999999999999999999", target="sandbox", extra=[])
@example(year="1402", target="sandbox", extra=["--json"])
def test_results_with_any_year_and_target(year, target, extra, places):
    os.chdir(places["a folder"])
    result = invoke(
        ["--lang", "en", "results", "--year", year, "--target", target, *extra],
        {"SIMAD_HOME": str(places["home"])},
    )
    check(result)


@FAST
@given(
    inputs=st.lists(
        st.one_of(
            text.filter(lambda s: s and not s.startswith("-")),
            st.sampled_from(["a-file.txt", ".", "home", "missing.xlsx", "loop", "x.csv"]),
        ),
        min_size=1,
        max_size=3,
    ),
    options=st.lists(
        st.sampled_from(
            [
                ["--concurrency", "0"],
                ["--concurrency", "99"],
                ["--concurrency", "x"],
                ["--max-rate", "nan"],
                ["--max-rate", "1e-9"],
                ["--max-rate", "-3"],
                ["--max-rate", "inf"],
                ["--images", "a-file.txt"],
                ["--kind", "nonsense"],
                ["--report", "."],
                ["--report", "r.txt"],
                ["--map", "no-equals-sign"],
                ["--map-file", "missing.map"],
                ["--course-codes", "."],
                ["--target", "ftp://x"],
            ]
        ),
        max_size=2,
    ),
    command=st.sampled_from(["validate", "submit"]),
)
def test_files_and_options_that_cannot_be_used(inputs, options, command, places):
    """Nothing here can be sent: a file that is missing, a folder, a loop, a text file, or an
    option out of range; each is one line and exit 2 (or 3 for an unusable SIMAD_HOME)."""
    os.chdir(places["a folder"])
    flat = [part for option in options for part in option]
    args = ["--lang", "en", command, *inputs, *flat]
    result = invoke(args, {"SIMAD_HOME": str(places["home"])})
    check(result)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    "env",
    [
        {"SIMAD_MAX_RATE": "10000", "SIMAD_TIMEOUT": "5", "SIMAD_SANDBOX_LATENCY_MS": "0"},
        {"SIMAD_MAX_RATE": " 2e3 ", "SIMAD_TIMEOUT": "3600", "SIMAD_LANG": "EN"},
    ],
)
def test_a_run_with_odd_but_valid_settings_submits(env, places, tmp_path):
    result = invoke(
        ["submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx"), "--json"],
        {**env, "SIMAD_HOME": str(places["home"])},
    )
    check(result)
    assert result.exit_code == 1  # the sample holds deliberate mistakes
    assert (tmp_path / "r.xlsx").is_file()
