"""``simad maxa …``: MAXA look-ups, validation, versions, the local mirror and diffs."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from pipeline.commands import maxa
from pipeline.core import config, i18n
from pipeline.core.context import Context
from pipeline.core.helptext import WordedGroup
from pipeline.core.i18n import counts_text, t, word
from pipeline.core.status import MaxaCheck

maxa_app = typer.Typer(
    cls=WordedGroup, help="help_maxa", no_args_is_help=True, rich_markup_mode=None
)

TargetOption = Annotated[str | None, typer.Option(help="help_maxa_target")]
JsonOption = Annotated[bool, typer.Option("--json", help="help_maxa_json")]
LangOption = Annotated[str | None, typer.Option("--lang", help="help_lang_short")]


@maxa_app.callback()
def maxa_options(lang: LangOption = None) -> None:
    """MAXA terminologies (eRx, IRC, ICD10, …) through DITAS."""
    i18n.chosen(lang)  # `simad maxa --lang en lookup …`


def _ctx(lang: str | None) -> Context:
    return Context(lang=i18n.chosen(lang))


def _start(target: str | None, lang: str | None, *, online: bool = True) -> Context:
    """The command's context, in its language; on the sandbox, a line saying so first."""
    ctx = _ctx(lang)
    if online and config.resolve_target(target, env_var="MAXA_TARGET") == config.SANDBOX:
        typer.echo(t("maxa_sandbox"), err=True)
    return ctx


def _since(text: str) -> date:
    parsed = maxa.since_date(text)
    if parsed is None:
        raise typer.BadParameter(t("maxa_bad_date", value=text))
    return parsed


def _print(payload: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        for line in lines:
            typer.echo(line)


@maxa_app.command("terminologies", help="help_cmd_maxa_terminologies")
def terminologies(
    since: Annotated[str, typer.Option(help="help_since_defined")] = "1300/01/01",
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """List the terminology ids defined since a date."""
    ctx = _start(target, lang)
    day = _since(since)
    ids = maxa.terminologies(day, target=target, ctx=ctx)
    _print({"since": day.isoformat(), "terminologies": ids}, json_out, ids)


@maxa_app.command("lookup", help="help_cmd_maxa_lookup")
def lookup(
    terminology: str,
    code: str,
    version: Annotated[str | None, typer.Option(help="help_maxa_version_current")] = None,
    offline: Annotated[bool, typer.Option(help="help_offline_answer")] = False,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """The value of CODE in TERMINOLOGY (optionally in one version)."""
    ctx = _start(target, lang, online=not offline)
    answer = maxa.lookup(
        terminology, code, version=version, offline=offline, target=target, ctx=ctx
    )
    said = answer.sentence()
    if answer.value is None and version is None and not json_out:  # retired, or never was
        said = maxa.explained(answer, offline=offline, target=target, ctx=ctx).sentence()
    _print(answer.to_dict(), json_out, [said])
    raise typer.Exit(answer.exit_code)


@maxa_app.command("validate", help="help_cmd_maxa_validate")
def validate(
    terminology: str,
    code: str,
    value: str,
    offline: Annotated[bool, typer.Option(help="help_offline_answer")] = False,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Is VALUE the value of CODE in TERMINOLOGY? Exit 0 yes, 1 no."""
    ctx = _start(target, lang, online=not offline)
    answer = maxa.validate(terminology, code, value, offline=offline, target=target, ctx=ctx)
    _print(answer.to_dict(), json_out, [answer.sentence()])
    raise typer.Exit(answer.exit_code)


@maxa_app.command("search", help="help_cmd_maxa_search")
def search(
    terminology: str,
    since: Annotated[str, typer.Option(help="help_since_created")],
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Codes of TERMINOLOGY created since a date."""
    ctx = _start(target, lang)
    day = _since(since)
    terms = maxa.search(terminology, day, target=target, ctx=ctx)
    _print(
        {
            "terminology": terminology,
            "since": day.isoformat(),
            "terms": [{"code": x.code, "value": x.value} for x in terms],
        },
        json_out,
        [f"{x.code}\t{x.value}" for x in terms] or [t("maxa_none")],
    )


@maxa_app.command("versions", help="help_cmd_maxa_versions")
def versions(
    terminology: str,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """The versions of TERMINOLOGY, the current one marked."""
    ctx = _start(target, lang)
    found = maxa.versions(terminology, target=target, ctx=ctx)
    _print(
        [
            {"version": v.version, "version_id": v.version_id, "is_last": v.is_last, "id": v.id}
            for v in found
        ],
        json_out,
        [f"{v.version}{'  *' if v.is_last else ''}" for v in found] or [t("maxa_none")],
    )


@maxa_app.command("pull", help="help_cmd_maxa_pull")
def pull(
    terminology: str,
    version: Annotated[str, typer.Option(help="help_maxa_version")] = "latest",
    out: Annotated[Path | None, typer.Option(help="help_maxa_export")] = None,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Mirror one version of TERMINOLOGY into the local store (and export it)."""
    ctx = _start(target, lang)
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter(t("maxa_out_suffix"))
    with _bar(t("maxa_pulling", terminology=terminology)) as progress:
        pulled = maxa.pull(terminology, version, out=out, target=target, progress=progress, ctx=ctx)
    got = pulled.version
    _print(
        pulled.to_dict(),
        json_out,
        [t("maxa_pulled", terminology=terminology, version=got.version, n=pulled.terms)]
        + ([t("submit_report", path=pulled.exported)] if pulled.exported else []),
    )


@maxa_app.command("diff", help="help_cmd_maxa_diff")
def diff(
    terminology: str,
    old: str,
    new: str,
    out: Annotated[Path | None, typer.Option(help="help_maxa_diff_out")] = None,
    offline: Annotated[bool, typer.Option(help="help_offline_mirrored")] = False,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Codes added, removed and changed between versions OLD and NEW (pulling what is missing)."""
    ctx = _start(target, lang, online=not offline)
    result = maxa.diff(terminology, old, new, out=out, offline=offline, target=target, ctx=ctx)
    lines = [
        t(
            "maxa_diff",
            added=len(result.added),
            removed=len(result.removed),
            changed=len(result.changed),
        )
    ]
    lines += [f"+ {c}\t{v}" for c, v in result.added]
    lines += [f"- {c}\t{v}" for c, v in result.removed]
    lines += [f"~ {c}\t{a} → {b}" for c, a, b in result.changed]
    wrote = [t("submit_report", path=result.workbook)] if result.workbook else []
    _print(result.to_dict(), json_out, lines + wrote)
    raise typer.Exit(result.exit_code)


SHOWN_ROWS = 12  # rows needing attention listed on screen; the rest are in the report


@maxa_app.command("check", help="help_cmd_maxa_check")
def check(
    files: Annotated[list[Path], typer.Argument(help="help_drug_lists")],
    terminology: Annotated[str, typer.Option(help="help_terminology")],
    version: Annotated[str, typer.Option(help="help_maxa_version")] = "latest",
    code_column: Annotated[str | None, typer.Option(help="help_code_column")] = None,
    value_column: Annotated[str | None, typer.Option(help="help_value_column")] = None,
    report: Annotated[Path | None, typer.Option(help="help_report")] = None,
    offline: Annotated[bool, typer.Option(help="help_offline_mirrored")] = False,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Check every row of drug lists against a version of a terminology: valid, name_differs,
    retired, unknown or invalid_input. Exit 0 when every row is valid, 1 otherwise."""
    ctx = _start(target, lang, online=not offline)
    checked = maxa.check(
        files,
        terminology,
        version=version,
        code_column=code_column,
        name_column=value_column,
        report=report,
        offline=offline,
        target=target,
        ctx=ctx,
    )
    attention = checked.attention()
    lines = [
        t(
            "check_counts",
            terminology=checked.terminology,
            version=checked.version,
            counts=counts_text(checked.counts),
        )
    ]
    for sheet, i, verdict in attention[:SHOWN_ROWS]:
        lines.append(
            t(
                "check_row",
                label=sheet.label,
                row=sheet.row_numbers[i],
                code=verdict.code or "-",
                status=word(verdict.status),
                message=verdict.message,
            )
        )
        if verdict.status == MaxaCheck.RETIRED:
            said = t("check_last_name", version=verdict.other_version, official=verdict.official)
            lines.append("    " + said)
        elif verdict.official:
            lines.append("    " + t("check_official", official=verdict.official))
    if len(attention) > SHOWN_ROWS:
        lines.append(t("more_in_report", n=len(attention) - SHOWN_ROWS))
    if not attention:
        lines.append(t("check_all_valid"))
    lines.append(t("submit_report", path=checked.report))
    _print(checked.to_dict(), json_out, lines)
    raise typer.Exit(checked.exit_code)


@maxa_app.command("sync", help="help_cmd_maxa_sync")
def sync(
    terminologies: Annotated[
        list[str] | None,
        typer.Argument(help="help_sync_terminologies"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="help_sync_out")] = None,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Bring mirrored terminologies to their latest version and say what changed.
    Exit 0 nothing new, 1 something changed, 3 the service could not be reached."""
    ctx = _start(target, lang)
    synced = maxa.sync(terminologies or None, out=out, target=target, ctx=ctx)
    lines = []
    for one in synced:
        lines.append(one.sentence())
        if one.workbook is not None:
            lines.append("  " + t("submit_report", path=one.workbook))
    _print([one.to_dict() for one in synced], json_out, lines)
    raise typer.Exit(max((one.exit_code for one in synced), default=0))


class _bar:
    """A progress bar for storing a pulled version, on a terminal only."""

    def __init__(self, title: str):
        self.title = title
        self._progress: Progress | None = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not sys.stderr.isatty():
            return None
        bar = self._progress = Progress(console=Console(stderr=True))
        bar.start()
        task = bar.add_task(self.title, total=None)
        return lambda done, total: bar.update(task, completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


__all__ = ["maxa_app"]
