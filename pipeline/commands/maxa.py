"""`simad maxa`: look-ups, validation, versions, pulls and diffs of MAXA codings, against the
DITAS gateway or offline from the local mirror (``SIMAD_HOME/maxa-mirror.db``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ..config import MaxaCredentials, simad_home
from ..context import Context
from ..errors import MirrorError
from ..i18n import current_lang, t
from ..maxa_client import MaxaClient, Term, Version
from ..maxa_mirror import Diff, Mirror, diff_workbook, export
from ..maxa_mirror import diff as diff_versions
from ..maxa_mirror import pull as pull_version
from ..targets import open_maxa

T = TypeVar("T")


@dataclass
class Answer:
    """A value (or a yes/no) and where it came from: the service, or a mirrored version."""

    terminology: str
    code: str
    value: str | None
    version: str | None
    source: str  # service | mirror
    valid: bool | None = None

    def as_dict(self) -> dict[str, Any]:
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
class Pulled:
    terminology: str
    version: Version
    terms: int
    exported: Path | None


def _remote(
    target: str | None,
    work: Callable[[MaxaClient], Awaitable[T]],
    credentials: MaxaCredentials | None = None,
) -> T:
    async def go() -> T:
        async with open_maxa(target, lang=current_lang(), credentials=credentials) as client:
            return await work(client)

    return asyncio.run(go())


def _mirror() -> Mirror:
    return Mirror(simad_home() / "maxa-mirror.db")


def terminologies(
    since: date,
    *,
    target: str | None,
    credentials: MaxaCredentials | None = None,
    ctx: Context = Context(),
) -> list[str]:
    with ctx.applied():
        return _remote(target, lambda c: c.cts_terminologies(since), credentials)


def lookup(
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


def validate(
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


def _offline(terminology: str, code: str, version: str | None) -> tuple[str | None, str | None]:
    mirror = _mirror()
    try:
        return mirror.lookup(terminology, code, version)
    finally:
        mirror.close()


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


def pull(
    terminology: str,
    version: str = "latest",
    *,
    out: Path | None = None,
    target: str | None = None,
    credentials: MaxaCredentials | None = None,
    progress: Callable[[int, int], None] | None = None,
    ctx: Context = Context(),
) -> Pulled:
    """Mirror one version (``latest`` by default) and, with ``out``, export it."""
    with ctx.applied():
        mirror = _mirror()
        try:
            got, count = _remote(
                target,
                lambda c: pull_version(c, mirror, terminology, version, progress),
                credentials,
            )
            if out is not None:
                export(mirror, terminology, got.version, out)
        finally:
            mirror.close()
        return Pulled(terminology, got, count, out)


def diff(
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
    ``offline``); with ``out``, as a workbook too."""
    with ctx.applied():
        mirror = _mirror()
        try:
            if offline:
                result = asyncio.run(diff_versions(None, mirror, terminology, old, new))
            else:
                result = _remote(
                    target,
                    lambda c: diff_versions(c, mirror, terminology, old, new),
                    credentials,
                )
        finally:
            mirror.close()
        if out is not None:
            diff_workbook(result, out)
        return result
