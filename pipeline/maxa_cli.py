"""``simad maxa …``: MAXA look-ups, validation, versions, the local mirror and diffs."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import config, i18n
from .errors import ConfigError
from .i18n import t

T = TypeVar("T")

maxa_app = typer.Typer(
    help="MAXA terminologies (eRx, IRC, ICD10, …) through DITAS.", no_args_is_help=True
)

TargetOption = Annotated[
    str | None, typer.Option(help="'sandbox' (default) or the DITAS base URL; also MAXA_TARGET.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="fa (default) or en.")]


def _run(target: str | None, lang: str | None, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(client)`` against the target (errors reach the CLI's boundary)."""
    from .targets import open_maxa

    if lang:
        i18n.set_lang(lang)

    async def go() -> T:
        async with open_maxa(target, lang=i18n.current_lang()) as client:
            return await work(client)

    return asyncio.run(go())


def _banner(target: str | None) -> None:
    resolved = config.resolve_target(target, env_var="MAXA_TARGET")
    if resolved == config.SANDBOX:
        typer.echo(t("maxa_sandbox"), err=True)


def _since(text: str) -> date:
    from .normalize import to_date

    parsed, _problem = to_date(text)
    if parsed is None:
        raise typer.BadParameter(t("maxa_bad_date", value=text))
    return parsed


def _print(payload: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        for line in lines:
            typer.echo(line)


def _mirror():
    from .maxa_mirror import Mirror

    return Mirror(config.simad_home() / "maxa-mirror.db")


def _offline_lookup(
    terminology: str, code: str, version: str | None, lang: str | None
) -> tuple[str | None, str | None]:
    """(value, version that answered) from the local mirror."""
    if lang:
        i18n.set_lang(lang)
    mirror = _mirror()
    try:
        return mirror.lookup(terminology, code, version)
    finally:
        mirror.close()


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
    day = _since(since)
    _banner(target)
    ids = _run(target, lang, lambda c: c.cts_terminologies(day))
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
    if offline:
        value, answered = _offline_lookup(terminology, code, version, lang)
        source = "mirror"
    else:
        _banner(target)

        async def work(client):
            if version:
                return await client.value_by_version(terminology, code, version), version
            return await client.terminology(terminology, code), None

        value, answered = _run(target, lang, work)
        source = "service"
    payload = {
        "terminology": terminology,
        "code": code,
        "value": value,
        "found": value is not None,
        "version": answered,
        "source": source,
    }
    where = (
        t("maxa_from_mirror", version=answered)
        if source == "mirror"
        else (t("maxa_from_version", version=answered) if answered else "")
    )
    text = t("maxa_not_found", terminology=terminology, code=code) if value is None else value
    _print(payload, json_out, [f"{text} {where}".strip()])
    if value is None:
        raise typer.Exit(1)


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
    if offline:
        actual, answered = _offline_lookup(terminology, code, None, lang)
        valid = actual is not None and actual.strip() == value.strip()
        source = "mirror"
    else:
        _banner(target)
        valid = _run(target, lang, lambda c: c.validate_cts(terminology, code, value))
        answered, source = None, "service"
    payload = {
        "terminology": terminology,
        "code": code,
        "value": value,
        "valid": valid,
        "version": answered,
        "source": source,
    }
    line = t("maxa_valid") if valid else t("maxa_invalid")
    if source == "mirror":
        line += " " + t("maxa_from_mirror", version=answered)
    _print(payload, json_out, [line])
    raise typer.Exit(0 if valid else 1)


@maxa_app.command("search")
def search(
    terminology: str,
    since: Annotated[str, typer.Option(help="Created since (Solar Hijri or Gregorian).")],
    target: TargetOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Codes of TERMINOLOGY created since a date."""
    day = _since(since)
    _banner(target)
    terms = _run(target, lang, lambda c: c.search_terminology(terminology, day))
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
    _banner(target)
    found = _run(target, lang, lambda c: c.versions(terminology))
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
    from .maxa_mirror import export
    from .maxa_mirror import pull as pull_version

    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter("--out must end in .xlsx or .csv")
    _banner(target)
    mirror = _mirror()
    try:
        with _bar(t("maxa_pulling", terminology=terminology)) as progress:
            got, count = _run(
                target, lang, lambda c: pull_version(c, mirror, terminology, version, progress)
            )
        if out is not None:
            export(mirror, terminology, got.version, out)
    finally:
        mirror.close()
    _print(
        {
            "terminology": terminology,
            "version": got.version,
            "terms": count,
            "is_last": got.is_last,
            "exported": str(out) if out else None,
        },
        json_out,
        [t("maxa_pulled", terminology=terminology, version=got.version, n=count)]
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
    from .maxa_mirror import diff as diff_versions
    from .maxa_mirror import diff_workbook

    mirror = _mirror()
    try:
        if offline:
            if lang:
                i18n.set_lang(lang)
            result = asyncio.run(diff_versions(None, mirror, terminology, old, new))
        else:
            _banner(target)
            result = _run(target, lang, lambda c: diff_versions(c, mirror, terminology, old, new))
    finally:
        mirror.close()
    if out is not None:
        diff_workbook(result, out)
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
    _print(result.as_dict(), json_out, lines + ([t("submit_report", path=out)] if out else []))


class _bar:
    """A progress bar for storing a pulled version, on a terminal only."""

    def __init__(self, title: str):
        self.title = title
        self._progress: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True))
        self._progress.start()
        task = self._progress.add_task(self.title, total=None)
        return lambda done, total: self._progress.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


__all__ = ["ConfigError", "maxa_app"]
