"""Settings of one sandbox instance: where its state lives, its accounts, and its faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.sandbox.rules import COURSE_CODES

# The sandbox's own fictional accounts (the client's defaults for the sandbox target must
# match them: tests/test_sandbox_rules.py).
SANDBOX_USERNAME = "demo-university"
SANDBOX_PASSWORD = "demo-pass-1403"
MAXA_SANDBOX_CLIENT_ID = "demo-his"
MAXA_SANDBOX_CLIENT_SECRET = "demo-his-secret"
MAXA_SANDBOX_USERNAME = "demo-maxa"
MAXA_SANDBOX_PASSWORD = "demo-maxa-pass"
MAXA_SANDBOX_PID = "demo-pid"


def _default_users() -> dict[str, str]:
    return {SANDBOX_USERNAME: SANDBOX_PASSWORD}


def _default_course_codes() -> frozenset[str]:
    return COURSE_CODES


@dataclass
class SandboxSettings:
    db_path: Path | str = ":memory:"
    token_ttl: float = 30 * 60.0
    refresh_ttl: float = 7 * 24 * 3600.0
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    rate_limit: float = 0.0  # requests per second per account (at once: concurrency); 0: none
    limiter: str = "token-bucket"  # the limiter's shape (sandbox.limiters.SHAPES)
    burst: float | None = None  # seconds of burst; None: the shape's own (1 s for a token bucket)
    retry_after: str = "exact"  # a refusal's Retry-After: exact, one, zero, date or none
    push_back: int = 429  # a refusal's status: 429 or 503
    window: float = 1.0  # a window's seconds (the window shapes), holding rate × window
    segments: int = 0  # a sliding window's parts (ASP.NET Core's SegmentsPerWindow); 0: exact
    overload_at: int = 0  # requests served at once beyond which 503 is answered; 0: never
    bogus_200: float = 0.0  # share of requests answered 200 text/html (a login page)
    echo_errors: bool = False  # error answers echo the request's headers and body
    hang: float = 0.0  # seconds every request waits before its answer
    huge_error_body: float = 0.0  # megabytes added to every error answer
    seed: int = 0
    generated_terms: int = (
        0  # SNOMEDCT gets a version of this many generated terms (0: its samples)
    )
    users: dict[str, str] = field(default_factory=_default_users, repr=False)
    course_codes: frozenset[str] = field(default_factory=_default_course_codes, repr=False)
    maxa_token_ttl: float = 763.0
    maxa_client_id: str = MAXA_SANDBOX_CLIENT_ID
    maxa_client_secret: str = field(default=MAXA_SANDBOX_CLIENT_SECRET, repr=False)
    maxa_pid: str = MAXA_SANDBOX_PID
    maxa_users: dict[str, str] = field(
        default_factory=lambda: {MAXA_SANDBOX_USERNAME: MAXA_SANDBOX_PASSWORD}, repr=False
    )
    clock: Callable[[], float] = time.time
    clock_offset: float = 0.0  # seconds the sandbox's time (Date, token times) is shifted by

    def __post_init__(self) -> None:
        if self.clock_offset:
            base, offset = self.clock, self.clock_offset
            self.clock = lambda: base() + offset
