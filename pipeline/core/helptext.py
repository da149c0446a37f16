"""The command line's help in the reader's language.

Typer and click read help texts when the commands are defined, before ``--lang`` is parsed.
So the commands carry catalogue keys (``help_…``) instead of sentences, and the help is
worded when it is printed: ``WordedFormatter`` replaces every key it is given with the
catalogue's text, and says click's own headings ("Usage:", "Options", …) in the same
language. The language is set from the command line (``--lang`` anywhere in it, even after
the subcommand, as in ``simad validate --help --lang en``), else ``SIMAD_LANG``, else the
settings file, before anything is printed.

A usage error (an option that does not exist, a value that is not a number, an argument
missing) is worded the same way: ``WordedGroup`` catches click's and typer's own
``UsageError`` as the command line is parsed and raises ``errors.WordedUsage`` in its place,
which says what was wrong and where the help is in the reader's language. Its reason is read
from the exception's kind and fields (and, for a value typer checked, from the pydantic error
behind it); the few that carry only an English sentence are read from that sentence, and
``tests/test_cli_help.py`` holds each one to its wording.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from pipeline.core import i18n, settings
from pipeline.core.errors import SimadError, WordedUsage
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
# Click's usage errors that carry only an English sentence
_EXTRA = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$")
_NEEDS_VALUE = re.compile(r"^Option '(.+)' requires (an argument|\d+ arguments)\.$")
_NO_COMMAND = re.compile(r"^No such command '(.+?)'\.")
_SUGGESTED = re.compile(r"Did you mean (.+)\?$")
# A value click's own types refused (typer before it checked values with pydantic)
_NOT_A = re.compile(r"^'(.*)' is not a valid (integer|int|float)(?: range)?\.$")
_OUT_OF_RANGE = re.compile(r"^(.+) is not in the range (.+)\.$")
# A bound a value missed, as pydantic names it: the comparison it must keep, and its words
_BOUNDS = {
    "le": (operator.le, "usage_at_most"),
    "lt": (operator.lt, "usage_below"),
    "ge": (operator.ge, "usage_at_least"),
    "gt": (operator.gt, "usage_above"),
}
_SIGNS = {"<=": "le", "<": "lt", ">=": "ge", ">": "gt"}  # click's range signs, so named
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

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:  # the group's own options: `simad --nope`
            raise worded_usage(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:  # a command's: `simad submit --concurrency x`
            raise worded_usage(exc) from None

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


def worded_usage(exc: UsageError) -> UsageError:
    """``exc`` said in the reader's language: the usage line, where the help is, and what was
    wrong (a request for help is left as it is)."""
    if isinstance(exc, WordedUsage | NoArgsIsHelpError):
        return exc
    lines = [t("error", message=_reason(exc))]
    if exc.ctx is not None:
        where = t("usage_try", command=f"{exc.ctx.command_path} --help")
        lines = [exc.ctx.get_usage(), where, *lines]
    return WordedUsage(lines, exc.ctx)


def _reason(exc: UsageError) -> str:
    """What was wrong with the command line, worded from the catalogue."""
    if isinstance(exc, NoSuchOption):
        text = t("usage_no_such_option", name=exc.option_name)
        if exc.possibilities:
            text += " " + t("usage_did_you_mean", options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, MissingParameter):
        return t("usage_missing", name=_named(exc))
    if isinstance(exc, BadParameter):
        return _bad_value(exc)
    message = exc.message
    needs = _NEEDS_VALUE.match(message)
    if isinstance(exc, BadOptionUsage) and needs:
        return t("usage_needs_value", name=needs.group(1))
    extra = _EXTRA.match(message)
    if extra:
        return t("usage_extra", values=extra.group(1))
    unknown = _NO_COMMAND.match(message)
    if unknown:
        text = t("usage_no_such_command", name=unknown.group(1))
        suggested = _SUGGESTED.search(message)
        if suggested:
            names = re.findall(r"'([^']*)'", suggested.group(1)) or [suggested.group(1)]
            text += " " + t("usage_did_you_mean", options=", ".join(names))
        return text
    return message


def _named(exc: BadParameter) -> str:
    """The option or argument a bad value was given for, as the command line names it."""
    if exc.param_hint is not None:
        hints = [exc.param_hint] if isinstance(exc.param_hint, str) else list(exc.param_hint)
        return " / ".join(hints)
    if exc.param is None:
        return ""
    return " / ".join(getattr(exc.param, "opts", None) or [str(exc.param.name)])


def _bad_value(exc: BadParameter) -> str:
    """Why a value cannot be used: read from the pydantic error behind typer's check, or
    from click's sentence; a value our own code refused says so already."""
    name = _named(exc)
    if not name:
        return exc.message  # (raised by the command itself, worded from the catalogue)
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors):
        first: dict[str, Any] = next(iter(errors()), {})
        value, kind = _shown(first.get("input", "")), first.get("type", "")
        bounds = first.get("ctx") or {}
        if kind.startswith("int_"):
            return t("usage_not_whole", name=name, value=value)
        if kind.startswith("float_") or kind == "finite_number":
            return t("usage_not_number", name=name, value=value)
        for bound, (_, key) in _BOUNDS.items():
            if bound in bounds:
                return t(key, name=name, value=value, limit=bounds[bound])
        return t("usage_bad_value", name=name, value=value)
    not_a = _NOT_A.match(exc.message)
    if not_a:
        key = "usage_not_number" if not_a.group(2) == "float" else "usage_not_whole"
        return t(key, name=name, value=_shown(not_a.group(1)))
    ranged = _OUT_OF_RANGE.match(exc.message)
    if ranged:
        value = _shown(ranged.group(1))
        key, limit = _range_missed(ranged.group(1), ranged.group(2))
        if key:
            return t(key, name=name, value=value, limit=limit)
        return t("usage_out_of_range", name=name, value=value, range=ranged.group(2))
    return t("usage_bad_given", name=name, reason=exc.message)


def _range_missed(value: str, described: str) -> tuple[str, float]:
    """The bound of click's range (``0<=x<=65535``, ``x>0``) that ``value`` is past, as the
    catalogue says it (``usage_at_most`` …), or ("", 0) when it cannot be read."""
    left, _, right = described.partition("x")
    low = re.fullmatch(r"(-?[\d.]+)(<=?)", left)  # "0<=x": x >= 0
    high = re.fullmatch(r"([<>]=?)(-?[\d.]+)", right)
    bounds = [(">" + low.group(2)[1:], low.group(1))] if low else []
    bounds += [(high.group(1), high.group(2))] if high else []
    try:
        number = float(value)
    except ValueError:
        return "", 0
    for sign, text in bounds:
        keeps, key = _BOUNDS[_SIGNS[sign]]
        bound = float(text)
        if not keeps(number, bound):
            return key, int(bound) if bound.is_integer() else bound
    return "", 0


def _shown(value: object) -> str:
    """A value as typed, its control characters escaped (a terminal would act on them)."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in str(value))
