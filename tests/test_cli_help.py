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
