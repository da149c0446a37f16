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
from pipeline.core.i18n import counts_text, t, word
from pipeline.core.status import MaxaCheck

maxa_app = typer.Typer(
    help="MAXA terminologies (eRx, IRC, ICD10, …) through DITAS.", no_args_is_help=True
)

TargetOption = Annotated[
    str | None, typer.Option(help="'sandbox' (default) or the DITAS base URL; also MAXA_TARGET.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="fa (default) or en.")]


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


@maxa_app.command("terminologies")
def terminologies(
    since: Annotated[
        str, typer.Option(help="Defined since (e.g. 1390/01/01 or 2011-03-21).")
    ] = "1300/01/01",
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """List the terminology ids defined since a date."""
    ctx = _start(target, lang)
    day = _since(since)
    ids = maxa.terminologies(day, target=target, ctx=ctx)
    _print({"since": day.isoformat(), "terminologies": ids}, json_out, ids)


@maxa_app.command("lookup")
def lookup(
    terminology: str,
    code: str,
    version: Annotated[str | None, typer.Option(help="A version (default: the current).")] = None,
    offline: Annotated[bool, typer.Option(help="Answer from the local mirror only.")] = False,
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


@maxa_app.command("validate")
def validate(
    terminology: str,
    code: str,
    value: str,
    offline: Annotated[bool, typer.Option(help="Answer from the local mirror only.")] = False,
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Is VALUE the value of CODE in TERMINOLOGY? Exit 0 yes, 1 no."""
    ctx = _start(target, lang, online=not offline)
    answer = maxa.validate(terminology, code, value, offline=offline, target=target, ctx=ctx)
    _print(answer.to_dict(), json_out, [answer.sentence()])
    raise typer.Exit(answer.exit_code)


@maxa_app.command("search")
def search(
    terminology: str,
    since: Annotated[str, typer.Option(help="Created since (Solar Hijri or Gregorian).")],
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


@maxa_app.command("versions")
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


@maxa_app.command("pull")
def pull(
    terminology: str,
    version: Annotated[str, typer.Option(help="A version, or 'latest'.")] = "latest",
    out: Annotated[Path | None, typer.Option(help="Also export it to .xlsx or .csv.")] = None,
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
        + ([t("submit_report", path=out)] if out else []),
    )


@maxa_app.command("diff")
def diff(
    terminology: str,
    old: str,
    new: str,
    out: Annotated[Path | None, typer.Option(help="Write the changes to a workbook.")] = None,
    offline: Annotated[bool, typer.Option(help="Use only versions already mirrored.")] = False,
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
    _print(result.to_dict(), json_out, lines + ([t("submit_report", path=out)] if out else []))
    raise typer.Exit(result.exit_code)


SHOWN_ROWS = 12  # rows needing attention listed on screen; the rest are in the report


@maxa_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Drug lists: .xlsx, .ods or .csv.")],
    terminology: Annotated[str, typer.Option(help="The terminology (eRX, IRC, …).")],
    version: Annotated[str, typer.Option(help="A version, or 'latest'.")] = "latest",
    code_column: Annotated[
        str | None, typer.Option(help="The codes' column, by header or letter (default: found).")
    ] = None,
    value_column: Annotated[
        str | None, typer.Option(help="The names' column, by header or letter (default: found).")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Where to write the report (.xlsx).")] = None,
    offline: Annotated[bool, typer.Option(help="Use only versions already mirrored.")] = False,
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


@maxa_app.command("sync")
def sync(
    terminologies: Annotated[
        list[str] | None,
        typer.Argument(help="Terminologies to sync (default: every mirrored one)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="A folder for a workbook of each terminology's changes.")
    ] = None,
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
