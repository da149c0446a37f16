"""`simad maxa`: look-ups, validation, versions, pulls and diffs of MAXA codings, against the
DITAS gateway or offline from the local mirror (``SIMAD_HOME/maxa-mirror.db``)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pipeline.commands.targets import open_maxa
from pipeline.core.config import MaxaCredentials, simad_home
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError, MirrorError, SimadError
from pipeline.core.files import check_folder, check_writable
from pipeline.core.i18n import listing, t
from pipeline.core.result import Result
from pipeline.maxa.check import Checked, check_lists, read_lists, write_check_report
from pipeline.maxa.client import MaxaClient, Term, Version
from pipeline.maxa.mirror import (
    Diff,
    Mirror,
    choose_version,
    diff_workbook,
    export,
    server_versions,
)
from pipeline.maxa.mirror import diff as diff_versions
from pipeline.maxa.mirror import pull as pull_version
from pipeline.sheets.normalize import to_date
from pipeline.sheets.report import default_report_path, prepare_report_path

EXPORTS = (".csv", ".xlsx")  # what `maxa pull --out` writes

T = TypeVar("T")


def since_date(text: str) -> date | None:
    """A ``--since`` date as an office types it (Solar Hijri or Gregorian, Persian digits too),
    or None when it is not a date."""
    parsed, _problem = to_date(text)
    return parsed if isinstance(parsed, date) else None


@dataclass
class Answer(Result):
    """A value (or a yes/no) and where it came from: the service, or a mirrored version."""

    terminology: str
    code: str
    value: str | None
    version: str | None
    source: str  # service | mirror
    valid: bool | None = None

    @property
    def exit_code(self) -> int:
        """A validation: 0 valid, 1 not. A look-up: 0 found, 1 not found."""
        if self.valid is not None:
            return 0 if self.valid else 1
        return 1 if self.value is None else 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "terminology": self.terminology,
            "code": self.code,
            "value": self.value,
            "version": self.version,
            "source": self.source,
        }
        if self.valid is None:
            out["found"] = self.value is not None
        else:
            out["valid"] = self.valid
        return out

    def sentence(self) -> str:
        """The answer for a person, in the current language, with where it came from."""
        mirror = t("maxa_from_mirror", version=self.version) if self.source == "mirror" else ""
        if self.valid is not None:
            return f"{t('maxa_valid') if self.valid else t('maxa_invalid')} {mirror}".strip()
        where = mirror or (t("maxa_from_version", version=self.version) if self.version else "")
        text = self.value or t("maxa_not_found", terminology=self.terminology, code=self.code)
        return f"{text} {where}".strip()


@dataclass
class Pulled(Result):
    terminology: str
    version: Version
    terms: int
    exported: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "terminology": self.terminology,
            "version": self.version.version,
            "terms": self.terms,
            "is_last": self.version.is_last,
            "exported": str(self.exported) if self.exported else None,
        }


def _remote(
    target: str | None,
    work: Callable[[MaxaClient], Awaitable[T]],
    credentials: MaxaCredentials | None = None,
) -> T:
    async def go() -> T:
        async with open_maxa(target, credentials=credentials) as client:
            return await work(client)

    return asyncio.run(go())


def _mirror() -> Mirror:
    return Mirror(simad_home() / "maxa-mirror.db")


def _mirrored(
    work: Callable[[MaxaClient | None, Mirror], Coroutine[Any, Any, T]],
    *,
    offline: bool,
    target: str | None,
    credentials: MaxaCredentials | None,
) -> T:
    """``work`` on the local mirror, with a client of the service unless ``offline`` (None
    then: only what is mirrored is used)."""
    with _mirror() as mirror:
        if offline:
            return asyncio.run(work(None, mirror))
        return _remote(target, lambda c: work(c, mirror), credentials)


def terminologies(
    since: date,
    *,
    target: str | None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> list[str]:
    with ctx.applied():
        return _remote(target, lambda c: c.cts_terminologies(since), credentials)


def lookup(  # noqa: PLR0913 -- one keyword per option of `simad maxa lookup`
    terminology: str,
    code: str,
    *,
    version: str | None = None,
    offline: bool = False,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> Answer:
    """The value of ``code`` (in ``version``, or the current one)."""
    with ctx.applied():
        if offline:
            value, answered = _offline(terminology, code, version)
            return Answer(terminology, code, value, answered, "mirror")

        async def work(client: MaxaClient) -> tuple[str | None, str | None]:
            if version:
                return await client.value_by_version(terminology, code, version), version
            return await client.terminology(terminology, code), None

        value, answered = _remote(target, work, credentials)
        return Answer(terminology, code, value, answered, "service")


def validate(  # noqa: PLR0913 -- one keyword per option of `simad maxa validate`
    terminology: str,
    code: str,
    value: str,
    *,
    offline: bool = False,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> Answer:
    """Whether ``value`` is the value of ``code``."""
    with ctx.applied():
        if offline:
            actual, answered = _offline(terminology, code, None)
            valid = actual is not None and actual.strip() == value.strip()
            return Answer(terminology, code, value, answered, "mirror", valid)
        valid = _remote(target, lambda c: c.validate_cts(terminology, code, value), credentials)
        return Answer(terminology, code, value, None, "service", valid)


@dataclass(frozen=True)
class Told:
    """A look-up or a validation as a person reads it: the command's answer, the code's
    official name in the version it was checked against, and (a code the latest version
    no longer has) the last version that had it."""

    answer: Answer
    official: str | None = None
    version: str | None = None
    last: str | None = None  # retired: the last version that had the code

    @property
    def good(self) -> bool:
        a = self.answer
        return bool(a.valid) if a.valid is not None else a.value is not None

    def sentence(self) -> str:
        a = self.answer
        where = {"code": a.code, "terminology": a.terminology, "version": self.version or ""}
        if self.version is None:  # nothing more is known than the command said
            return a.sentence()
        if self.last is not None:
            text = t("maxa_told_retired", last=self.last, official=self.official, **where)
        elif self.official is None and a.source == "mirror":  # an earlier version may have had it
            return t("maxa_told_not_in_mirror", **where)
        elif self.official is None:
            text = t("maxa_told_unknown", **where)
        elif a.valid is None:
            text = t("maxa_told_found", official=self.official, **where)
        elif a.valid:
            text = t("maxa_told_valid", official=self.official, **where)
        else:
            text = t("maxa_told_invalid", official=self.official, value=a.value, **where)
        mirror = f" {t('maxa_told_mirror')}" if a.source == "mirror" else ""
        return text + mirror


def _age(v: Version) -> tuple[int, int]:
    number = int(v.version) if v.version.isdigit() and len(v.version) < 19 else -1
    return (v.version_id if v.version_id is not None else -1, number)


def explained(
    answer: Answer,
    *,
    offline: bool = False,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> Told:
    """``answer`` with its code's official name and the version it was checked against; a
    code missing from the latest version looked for in the versions before it (newest first,
    the five last; offline, the versions the mirror holds), so that a retired code says so."""
    term, code = answer.terminology, answer.code
    if offline:  # the mirror's default version answered; the ones before it, if mirrored
        official = lookup(term, code, offline=True, ctx=ctx).value
        if official is None and answer.version:
            with ctx.applied(), _mirror() as mirror:
                last = mirror.last_having(term, code, answer.version)
            if last is not None:
                return Told(answer, last[1], answer.version, last[0])
        return Told(answer, official, answer.version)
    try:
        listed = versions(term, target=target, credentials=credentials, ctx=ctx)
    except SimadError:  # no version listed: the command's own answer is all there is
        return Told(answer)
    found = sorted(listed, key=_age)
    latest = next((v for v in found if v.is_last), found[-1])

    def named(version: str) -> str | None:
        asked = lookup(term, code, version=version, target=target, credentials=credentials, ctx=ctx)
        return asked.value

    try:
        official = named(latest.version)
        if official is not None:
            return Told(answer, official, latest.version)
        for earlier in reversed(found[: found.index(latest)][-5:]):
            found_name = named(earlier.version)
            if found_name is not None:
                return Told(answer, found_name, latest.version, earlier.version)
    except SimadError:  # a version the service lists but does not answer for: said as asked
        return Told(answer)
    return Told(answer, None, latest.version)


def known_terminology(terminology: str, known: list[str], *, offline: bool = False) -> str:
    """``terminology`` as ``known`` spells it (case aside): the service's list, or the
    mirror's when ``offline``; ``ConfigError`` naming the known ones when it is none of them
    (nothing known: nothing to check against, the name as typed)."""
    if not known or terminology in known:
        return terminology
    found = next((k for k in known if k.casefold() == terminology.casefold()), None)
    if found is not None:
        return found
    key = "maxa_not_mirrored" if offline else "maxa_unknown_terminology"
    raise ConfigError(t(key, terminology=terminology, known=listing(known)))


def mirrored_terminologies() -> list[str]:
    """The terminologies pulled into the local mirror."""
    with _mirror() as mirror:
        return sorted(mirror.terminologies())


def _offline(terminology: str, code: str, version: str | None) -> tuple[str | None, str | None]:
    with _mirror() as mirror:
        return mirror.lookup(terminology, code, version)


def search(
    terminology: str,
    since: date,
    *,
    target: str | None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> list[Term]:
    with ctx.applied():
        return _remote(target, lambda c: c.search_terminology(terminology, since), credentials)


def versions(
    terminology: str,
    *,
    target: str | None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> list[Version]:
    """The versions the service lists; ``MirrorError`` (exit 1) when it lists none (an
    unknown terminology)."""
    with ctx.applied():
        found = _remote(target, lambda c: c.versions(terminology), credentials)
        if not found:
            raise MirrorError(t("maxa_no_versions", terminology=terminology))
        return found


def pull(  # noqa: PLR0913 -- one keyword per option of `simad maxa pull`
    terminology: str,
    version: str = "latest",
    *,
    out: Path | None = None,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    progress: Callable[[int, int], None] | None = None,
    ctx: Context = Context(),
) -> Pulled:
    """Mirror one version (``latest`` by default) and, with ``out`` (.csv or .xlsx, checked
    before anything is asked of the gateway: ``ConfigError``), export it."""
    with ctx.applied():
        if out is not None:
            out = check_writable(out, suffixes=EXPORTS)
        written: list[Path] = []

        async def work(client: MaxaClient | None, mirror: Mirror) -> tuple[Version, int]:
            assert client is not None
            got, count = await pull_version(client, mirror, terminology, version, progress)
            if out is not None:
                written.append(export(mirror, terminology, got.version, out))
            return got, count

        got, count = _mirrored(work, offline=False, target=target, credentials=credentials)
        return Pulled(terminology, got, count, written[0] if written else None)


def diff(  # noqa: PLR0913 -- one keyword per option of `simad maxa diff`
    terminology: str,
    old: str,
    new: str,
    *,
    out: Path | None = None,
    offline: bool = False,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> Diff:
    """Codes added, removed and changed between two versions (pulling what is missing unless
    ``offline``); with ``out``, as a workbook too (checked first: ``ConfigError``)."""
    with ctx.applied():
        if out is not None:
            out = prepare_report_path(out)
        result = _mirrored(
            lambda c, mirror: diff_versions(c, mirror, terminology, old, new),
            offline=offline,
            target=target,
            credentials=credentials,
        )
        if out is not None:
            result.workbook = diff_workbook(result, out)
        return result


# -- the batch check and the sync (B.11) -----------------------------------------------------


def check(  # noqa: PLR0913 -- one keyword per option of `simad maxa check`
    files: list[Path],
    terminology: str,
    *,
    version: str = "latest",
    code_column: str | None = None,
    name_column: str | None = None,
    report: Path | None = None,
    offline: bool = False,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> Checked:
    """Classify every row of the lists in ``files`` against a version of ``terminology``
    (the latest by default), pulling what the mirror lacks unless ``offline``; the report
    is written to ``report`` (default: beside the working folder, named after the first
    file)."""
    with ctx.applied():
        paths = [Path(f) for f in files]
        out = prepare_report_path(report or default_report_path(paths, "maxa-check"))
        lists = read_lists(paths, terminology, code_column, name_column)
        checked = _mirrored(
            lambda c, mirror: check_lists(c, mirror, terminology, version, lists),
            offline=offline,
            target=target,
            credentials=credentials,
        )
        checked.report = write_check_report(checked, out)
        return checked


@dataclass
class Synced(Result):
    """One terminology brought to its latest version: what changed since the version
    mirrored before (``diff``; None when nothing was mirrored before or nothing is new)."""

    terminology: str
    before: str | None
    latest: str
    new: bool
    terms: int | None = None
    diff: Diff | None = None
    workbook: Path | None = None

    @property
    def changed(self) -> bool:
        """Something for the user to act on: a first mirror, or codes that changed."""
        if not self.new:
            return False
        d = self.diff
        return d is None or bool(d.added or d.removed or d.changed)

    @property
    def exit_code(self) -> int:
        """1 when something changed (``changed``), else 0; a sync's code is its largest."""
        return 1 if self.changed else 0

    def to_dict(self) -> dict[str, Any]:
        d = self.diff
        return {
            "terminology": self.terminology,
            "from": self.before,
            "to": self.latest,
            "new_version": self.new,
            "terms": self.terms,
            "added": len(d.added) if d else None,
            "removed": len(d.removed) if d else None,
            "changed": len(d.changed) if d else None,
            "workbook": str(self.workbook) if self.workbook else None,
        }

    def sentence(self) -> str:
        if not self.new:
            return t("sync_nothing_new", terminology=self.terminology, version=self.latest)
        if self.diff is None:
            return t("sync_first", terminology=self.terminology, version=self.latest, n=self.terms)
        d = self.diff
        return t(
            "sync_changed",
            terminology=self.terminology,
            old=self.before,
            new=self.latest,
            added=len(d.added),
            removed=len(d.removed),
            changed=len(d.changed),
        )


def sync(
    terminologies: list[str] | None = None,
    *,
    out: Path | None = None,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> list[Synced]:
    """Bring every mirrored terminology (or those named) to its latest version; with
    ``out``, a workbook of the changes of each into that folder."""
    with ctx.applied():
        with _mirror() as mirror:
            names = list(terminologies or mirror.terminologies())
        if not names:
            raise ConfigError(t("sync_none_mirrored"))
        if out is not None:
            _folder(out)

        async def work(client: MaxaClient | None, mirror: Mirror) -> list[Synced]:
            assert client is not None
            return [await _sync_one(client, mirror, name, out) for name in names]

        return _mirrored(work, offline=False, target=target, credentials=credentials)


async def _sync_one(
    client: MaxaClient, mirror: Mirror, terminology: str, out: Path | None
) -> Synced:
    before = mirror.default_version(terminology)
    try:
        versions = await server_versions(client, terminology)
    except MirrorError as exc:  # a name the service does not know: the user's to fix
        raise ConfigError(str(exc)) from exc
    latest = choose_version(versions, terminology, "latest")
    if mirror.has(terminology, latest.version):
        return Synced(terminology, before, latest.version, new=False)
    _got, count = await pull_version(client, mirror, terminology, latest)
    if before is None:
        return Synced(terminology, None, latest.version, True, count)
    changes = mirror.diff(terminology, before, latest.version)
    synced = Synced(terminology, before, latest.version, True, count, changes)
    if out is not None and synced.changed:
        name = f"{_file_part(terminology)}-{_file_part(before)}-{_file_part(latest.version)}.xlsx"
        synced.workbook = diff_workbook(changes, out / name)
    return synced


def _file_part(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "_"


def _folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise ConfigError(t("sync_out_not_folder", path=path))
    check_folder(path)  # created if missing; one that takes no file is refused (exit 2)
