"""`simad sandbox`: serve the simulator, and set review results in it for rehearsals."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import httpx

from pipeline.core.config import simad_home
from pipeline.core.context import Context
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import current_lang, listing, number, t
from pipeline.sandbox import create_app
from pipeline.sandbox.limiters import (
    MAX_SEGMENTS,
    MAX_WINDOW,
    PUSH_BACK,
    RETRY_AFTER,
    SEGMENTED,
    SHAPES,
    LimitSpec,
)
from pipeline.sandbox.rehearsal import Review, ReviewSummary, apply_review
from pipeline.sandbox.server import serve as serve_app
from pipeline.sandbox.settings import SandboxSettings
from pipeline.sandbox.store import SandboxStore
from schemas import codes

__all__ = [
    "SLOW_MS",
    "LimitOptions",
    "ReviewSummary",
    "SandboxSettings",
    "faults_told",
    "limit_shape",
    "limit_told",
    "review",
    "review_texts",
    "sandbox_db",
    "serve",
    "slow_transport",
]

# The slow sandbox's delay before each answer: with 8 requests at once, a run of 40 rows lasts
# some 20 seconds — time enough to rehearse the Stop button.
SLOW_MS = 3000.0


def sandbox_db(db: Path | None) -> Path:
    return db if db is not None else simad_home() / "sandbox.db"


def serve(
    settings: SandboxSettings, host: str, port: int, tls: tuple[Path, Path] | None = None
) -> None:
    """Serve the sandbox over HTTP (HTTPS with ``tls``: certificate and key) until
    interrupted."""
    serve_app(settings, host, port, tls)


class LimitOptions(TypedDict):
    limiter: str
    burst: float | None
    retry_after: str
    push_back: int
    window: float
    segments: int


def limit_shape(
    limiter: str,
    burst: float | None,
    retry_after: str,
    push_back: int,
    window: float = 1.0,
    segments: int = 0,
) -> LimitOptions:
    """The settings of a sandbox's rate limit (its shape, burst, ``Retry-After`` and status
    of a refusal, a window's length, a sliding window's parts), checked: a ``ConfigError``
    names the option and the values it takes."""
    for name, value, allowed in (
        ("--limiter", limiter, SHAPES),
        ("--retry-after", retry_after, RETRY_AFTER),
        ("--push-back", push_back, PUSH_BACK),
    ):
        if value not in allowed:
            choices = ", ".join(str(a) for a in allowed)
            raise ConfigError(t("bad_option_choice", name=name, value=value, choices=choices))
    if burst is not None and not 0 <= burst < 3600:
        raise ConfigError(t("bad_option_number", name="--burst", value=burst))
    if not 0 < window <= MAX_WINDOW:  # (NaN too)
        most = _whole(MAX_WINDOW)
        raise ConfigError(t("bad_option_seconds", name="--window", value=window, most=most))
    if not 0 <= segments <= MAX_SEGMENTS:
        raise ConfigError(
            t("bad_option_count", name="--segments", value=segments, most=MAX_SEGMENTS)
        )
    return {
        "limiter": limiter,
        "burst": burst,
        "retry_after": retry_after,
        "push_back": push_back,
        "window": window,
        "segments": segments if limiter == SEGMENTED else 0,
    }


def limit_told(rate: float, shaping: LimitOptions) -> str:
    """The banner's line on a rate limit: its shape (with a window's length, when not a
    second, and a sliding window's parts), its burst and how it refuses, in words (the
    option's value beside the shape's); a window or a limit on requests at once has no burst
    to tell."""
    spec = LimitSpec(rate, shaping["limiter"], shaping["burst"], window=shaping["window"])
    seconds, most = _whole(spec.window), _whole(rate * spec.window)
    shape = t(f"limiter_{spec.shape}")
    if shaping["segments"]:  # ASP.NET Core's: the window's count, kept in parts
        part = _whole(round(spec.window / shaping["segments"], 3))
        told = {"seconds": seconds, "most": most, "part": part, "segments": shaping["segments"]}
        shape = t("limiter_sliding-window_segments", **told)
    elif spec.windowed and spec.window != 1:  # (a bucket has no window to tell)
        shape = t(f"limiter_{spec.shape}_long", seconds=seconds, most=most)
    return t(
        "sandbox_limiter" if spec.bursts else "sandbox_limiter_no_burst",
        **shaping,
        shape=shape,
        burst_shown=spec.burst_seconds,
        retry_after_told=t(f"retry_after_{shaping['retry_after']}"),
    )


def _whole(value: float) -> float | int:
    """A number as an int when it is whole (10, not 10.0)."""
    return int(value) if float(value).is_integer() else value


def faults_told(
    latency_ms: float,
    fail_rate: float,
    rate: float,
    overload_at: int | None,
    at_once: bool = False,
) -> str:
    """The banner's line on the faults injected: latency, random 503s, the rate limit (or
    none; ``at_once``: requests at once, not a second) and, when set, the number of
    requests at once from which 503s are answered."""
    limit = t("sandbox_rate", rate=rate) if rate else t("sandbox_no_rate")
    if rate and at_once:
        whole = _whole(rate)
        limit = t("sandbox_at_once", rate=whole, n=whole)
    overload = t("sandbox_overload", at=overload_at) if overload_at else ""
    return t("sandbox_faults", latency=latency_ms, fail=fail_rate, rate=limit, overload=overload)


def slow_transport(latency_ms: float = SLOW_MS) -> httpx.ASGITransport:
    """The embedded sandbox (its state in SIMAD_HOME's ``sandbox.db``, as the sandbox target's)
    answering every request after ``latency_ms``: a slow server, for a rehearsal of Stop."""
    settings = SandboxSettings(db_path=sandbox_db(None), latency_ms=latency_ms)
    return httpx.ASGITransport(app=create_app(settings))


def code_named(value: str | None, table: str) -> int | None:
    """A code of ``table`` from its number, its English title as a slug (``needs-correction``)
    or a unique beginning of one (``conditional``), or its Persian title."""
    if value is None:
        return None
    codes_table = codes.table(table)
    key = value.strip().lower()
    if key.isdigit() and key in codes_table:
        return int(key)
    names = {slug(codes_table.titles_en[c]): int(c) for c in codes_table.codes}
    names.update({codes_table.titles_fa[c]: int(c) for c in codes_table.codes})
    matches = {code for name, code in names.items() if name == key or name.startswith(key)}
    if len(matches) == 1:
        return matches.pop()
    raise ConfigError(t("bad_code_name", value=value, names=", ".join(sorted(names)), table=table))


def slug(title: str) -> str:
    return "-".join(title.lower().split())


def review(  # noqa: PLR0913 -- one keyword per option of `simad sandbox review`
    year: int,
    *,
    student_number: str | None = None,
    status: str | None = None,
    final_result: str | None = None,
    reason: str | None = None,
    seed: int | None = None,
    db: Path | None = None,
    ctx: Context = Context(),
) -> ReviewSummary:
    """Set the review status (appendix 4) and final result (appendix 5) of the sandbox's
    declarations of ``year`` (or one resident's); with ``seed``, draw them at random."""
    with ctx.applied():
        status_id = code_named(status, "review_statuses")
        result_id = code_named(final_result, "final_results")
        store = SandboxStore(sandbox_db(db))
        try:
            chosen = Review(
                student_number=student_number,
                status_id=status_id,
                final_result_id=result_id,
                description=reason,
                seed=seed,
            )
            return apply_review(store, year, chosen)
        finally:
            store.close()


def review_texts(summary: ReviewSummary) -> tuple[str, str]:
    """The review statuses and the final results a review set, each as ``title: count``
    listed in the current language ("-" when none)."""
    lang = current_lang()
    review, final = codes.table("review_statuses"), codes.table("final_results")
    statuses = listing(f"{review.title(k, lang)}: {number(v)}" for k, v in summary.statuses.items())
    results = listing(f"{final.title(k, lang)}: {number(v)}" for k, v in summary.results.items())
    return statuses or "-", results or "-"
