"""`--help` in the reader's language, from the catalogue; flags read as flags; completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.i18n import MESSAGES

runner = CliRunner()
HELP_KEYS = [key for key in MESSAGES if key.startswith("help_")]


def every_command(group=None, prefix=()):
    group = group or typer.main.get_command(app)
    yield prefix, group
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from every_command(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(every_command())
IDS = [" ".join(path) or "simad" for path, _ in COMMANDS]


def english_sentences() -> list[str]:
    """The catalogue's English help sentences long enough not to be a code or a name."""
    return [MESSAGES[k]["en"] for k in HELP_KEYS if len(MESSAGES[k]["en"].split()) >= 4]


def test_simad_help_is_persian_by_default():
    out = runner.invoke(app, ["--help"]).output
    assert "روش اجرا:" in out and "گزینه‌ها:" in out and "فرمان‌ها:" in out
    assert MESSAGES["help_version"]["fa"] in out
    english = [s for s in english_sentences() if s[:40] in out]
    assert english == []
    assert not re.search(r"\b(Usage|Options|Commands|Show this message)\b", out)


def test_simad_help_in_english():
    for args in (["--lang", "en", "--help"], ["--help", "--lang", "en"]):
        out = runner.invoke(app, args).output
        assert "Usage: " in out and "Show the version." in out
        assert "Options:" in out and "Commands:" in out
        assert not re.search("[\u0600-\u06ff]", out)


def test_simad_lang_from_the_environment(monkeypatch):
    monkeypatch.setenv("SIMAD_LANG", "en")
    assert "Show the version." in runner.invoke(app, ["--help"]).output


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_help_is_worded_with_no_key_left(path, command, lang):
    outs = [runner.invoke(app, ["--lang", lang, *path, "--help"])]
    if path and any(p.name == "lang" for p in command.params):  # --lang after the command
        outs.append(runner.invoke(app, [*path, "--help", "--lang", lang]))
    for result in outs:
        assert result.exit_code == 0, result.output
        out = result.output
        assert "help_" not in out
        assert "<bool>" not in out
        persian = bool(re.search("[\u0600-\u06ff]", out))
        assert persian == (lang == "fa"), out
        if command.help:
            said = MESSAGES[command.help][lang].split("\n\n")[0]
            assert " ".join(said.split())[:30] in " ".join(out.split())


def test_every_help_text_is_a_catalogue_key():
    """A sentence typed into a decorator would be English on a Persian screen."""
    for _path, command in COMMANDS:
        assert command.help in MESSAGES, command.name
        for param in command.params:
            if param.name == "help":
                continue
            text = getattr(param, "help", None)
            if text is not None and param.name not in ("install_completion", "show_completion"):
                assert text in MESSAGES, (command.name, param.name, text)


def test_flags_read_as_flags():
    out = runner.invoke(app, ["--lang", "en", "--help"]).output
    assert re.search(r"^\s+--version\s+Show the version\.", out, re.M), out
    out = runner.invoke(app, ["--lang", "en", "validate", "--help"]).output
    assert re.search(r"^\s+--json\s+Print the outcome as JSON\.", out, re.M), out


def test_completion_is_available():
    # In a process of its own, as a shell runs it: nothing another test left behind counts.
    def simad(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(Path(sys.executable).with_name("simad")), *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # The shell named, not detected from the parent process (`sh` under make).
    script = simad("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert script.returncode == 0 and "_SIMAD_COMPLETE" in script.stdout, script.stderr
    answer = simad(_SIMAD_COMPLETE="complete_bash", COMP_WORDS="simad val", COMP_CWORD="1")
    assert answer.stdout.split() == ["validate"]
    answer = simad(_SIMAD_COMPLETE="complete_bash", COMP_WORDS="simad maxa lo", COMP_CWORD="2")
    assert answer.stdout.split() == ["lookup"]


# A mistyped command line, and what it must say: the words of the reason (Persian, then
# English), and where the help is. Each case is one of click's or typer's usage errors.
MISTYPED = [
    (["validate", "--nope"], "گزینه‌ی --nope در این فرمان نیست", "No such option: --nope"),
    (["validate"], "inputs داده نشده است", "Missing inputs"),
    (
        ["submit", "--max-rate", "abc", "x.xlsx"],
        "--max-rate «abc» پذیرفتنی نیست: عددی بدهید",
        "--max-rate 'abc' cannot be used: give a number.",
    ),
    (
        ["ui", "--port", "x"],
        "--port «x» پذیرفتنی نیست: عددی درست بدهید",
        "--port 'x' cannot be used: give a whole number.",
    ),
    (["ui", "--port", "70000"], "حداکثر ۶۵۵۳۵ بدهید", "give 65535 at most"),
    (["ui", "--port", "-1"], "دست‌کم ۰ بدهید", "give 0 at least"),
    (
        ["valdate"],
        "فرمان «valdate» نیست. شاید منظورتان validate است؟",
        "No such command 'valdate'. Did you mean validate?",
    ),
    (["sandbox", "nope"], "فرمان «nope» نیست", "No such command 'nope'"),
    (
        ["submit", "--concurrency"],
        "پس از --concurrency مقداری بدهید",
        "--concurrency needs a value after it",
    ),
    (["--nope"], "گزینه‌ی --nope در این فرمان نیست", "No such option: --nope"),
    (
        ["config", "path", "extra"],
        "این‌ها در این فرمان جایی ندارند: extra",
        "Got unexpected extra arguments: extra",
    ),
]
CLICKS_ENGLISH = re.compile(
    r"Error:|Try '|Invalid value|No such|Missing (argument|option)|Got unexp"
)


@pytest.mark.parametrize(("args", "persian", "english"), MISTYPED, ids=lambda v: str(v)[:30])
def test_a_mistyped_command_line_is_told_in_the_readers_language(args, persian, english):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert persian in result.output and "خطا: " in result.output
    assert not CLICKS_ENGLISH.search(result.output), result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--lang", "en", *args])
    assert result.exit_code == 2
    assert english in result.output and "Error: " in result.output
    assert not re.search("[\u0600-\u06ff]", result.output), result.output


def test_a_mistyped_option_says_where_the_help_is_in_persian():
    out = runner.invoke(app, ["ui", "--port", "x"], prog_name="simad").output
    assert "روش اجرا: simad ui" in out and "برای راهنما: simad ui --help" in out


def test_a_value_refused_is_shown_without_its_control_characters():
    out = runner.invoke(app, ["ui", "--port", "\x1b[31m1x"]).output
    assert "\x1b" not in out and "\\x1b[31m1x" in out


@pytest.mark.parametrize(
    ("message", "persian"),
    [  # click's own sentences, as typer before pydantic says them
        ("'x' is not a valid integer range.", "--port «x» پذیرفتنی نیست: عددی درست بدهید."),
        ("'x' is not a valid int range.", "--port «x» پذیرفتنی نیست: عددی درست بدهید."),
        ("'x' is not a valid float.", "--port «x» پذیرفتنی نیست: عددی بدهید."),
        ("70000 is not in the range 0<=x<=65535.", "حداکثر ۶۵۵۳۵ بدهید"),
        ("-1 is not in the range 0<=x<=65535.", "دست‌کم ۰ بدهید"),
        ("0 is not in the range x>0.", "بیشتر از ۰ بدهید"),
        ("9 is not in the range 0<=x<9.", "کمتر از ۹ بدهید"),
    ],
)
def test_clicks_own_sentences_for_a_bad_value_are_worded_too(message, persian):
    from typer._click.exceptions import BadParameter

    from pipeline.core import i18n
    from pipeline.core.helptext import worded_usage

    i18n.set_lang("fa")
    said = worded_usage(BadParameter(message, param_hint="--port")).message
    assert persian in said and "خطا: " in said
    assert "range" not in said and "valid" not in said
