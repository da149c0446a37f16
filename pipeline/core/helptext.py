"""The command line's help in the reader's language.

Typer and click read help texts when the commands are defined, before ``--lang`` is parsed.
So the commands carry catalogue keys (``help_…``) instead of sentences, and the help is
worded when it is printed: ``WordedFormatter`` replaces every key it is given with the
catalogue's text, and says click's own headings ("Usage:", "Options", …) in the same
language. The language is set from the command line (``--lang`` anywhere in it, even after
the subcommand, as in ``simad validate --help --lang en``), else ``SIMAD_LANG``, else the
settings file, before anything is printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from pipeline.core import i18n, settings
from pipeline.core.errors import SimadError
from pipeline.core.i18n import MESSAGES, t

_KEY = re.compile(r"\bhelp_[a-z0-9_]+\b")
_DEFAULT = re.compile(r"\[default: (.*?)\]")
# Click's and typer's own sentences, worded from the catalogue too.
_THEIRS = {
    "Show this message and exit.": "help_help",
    "Install completion for the current shell.": "help_install_completion",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "help_show_completion"
    ),
    "[required]": "help_required",
}
LANG_ASKED = "simad.lang_asked"  # ctx.meta: the language the command line asks for, if any
_HEADINGS = {"Options": "help_options", "Arguments": "help_arguments", "Commands": "help_commands"}


def words(text: str) -> str:
    """``text`` with every catalogue key in it worded in the current language."""
    if not text:
        return text
    for english, key in _THEIRS.items():
        if english in text:
            text = text.replace(english, t(key))
    text = _KEY.sub(lambda m: t(m.group(0)) if m.group(0) in MESSAGES else m.group(0), text)
    return _DEFAULT.sub(lambda m: t("help_default", value=m.group(1)), text)


def first_sentence(text: str) -> str:
    """A command's line in a list of commands: the first sentence of its help."""
    paragraph = text.strip().split("\n\n", 1)[0]
    found = re.match(r"(.+?[.؟?])(\s|$)", paragraph, re.DOTALL)
    return " ".join((found.group(1) if found else paragraph).split())


class WordedFormatter(HelpFormatter):
    """Click's help formatter, speaking the catalogue's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=t("help_usage") + " ")

    def write_heading(self, heading: str) -> None:
        key = _HEADINGS.get(heading)
        super().write_heading(t(key) if key else words(heading))

    def write_text(self, text: str) -> None:
        super().write_text(words(text))

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl([(first, words(second)) for first, second in rows], col_max, col_spacing)


class WordedContext(typer.Context):
    formatter_class = WordedFormatter


def lang_in(args: Sequence[str]) -> str | None:
    """The language a command line asks for (``--lang en`` or ``--lang=en``, anywhere before
    a ``--``), or None when it asks for none or for one that is not known (the option itself
    then refuses it)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                return i18n.checked(value)
            except SimadError:
                return None
    return None


def starting_lang(args: Sequence[str]) -> str:
    """The language of a command line before it is parsed: ``--lang``, else ``SIMAD_LANG``,
    else the settings file's ``lang``, else Persian. Nothing here refuses anything: the
    command refuses a bad value itself, in its own time."""
    found = lang_in(args)
    if found:
        return found
    try:
        return i18n.environment_lang() or settings.saved_lang() or "fa"
    except SimadError:
        return "fa"


class WordedGroup(TyperGroup):
    """A typer group whose help, and its commands' help, is worded at render time."""

    context_class = WordedContext

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the whole command line is here: `simad validate --help --lang en`
            i18n.set_lang(starting_lang(args))
            ctx.meta[LANG_ASKED] = lang_in(args)
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not issubclass(command.context_class, WordedContext):
            command.context_class = WordedContext
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, first_sentence(words(command.help or ""))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
