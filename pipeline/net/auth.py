"""One token flow for both services, as an ``httpx.Auth``.

``TokenAuth`` adds the bearer token to every request, renews it shortly before it expires,
and after a refusal (a 401, or what the service says instead) renews it once and sends the
request again; refused twice, it raises what the service's client chose (``refused_twice``).
How a token is got is the service's, handed in as two functions (the strategy):

    login()          a new token from the credentials (SIMAD: /api/Token/authenticate;
                     DITAS: the password grant)
    refresh(token)   a new token from the current one (SIMAD: /api/Token/refresh; DITAS: the
                     refresh grant); when it raises ``AuthError`` the flow logs in again

Only one coroutine renews at a time; the others find the fresh token when they get the lock.
The tokens replaced lately are kept (``secrets``) so that redaction still hides them.

The expiry is read on the server's clock: a token answer's ``Date`` header (``server_date``,
handed in as ``Grant.server_time``) against its ``expires``, so a PC clock hours ahead does not
renew before every request and one hours behind does not wait for refusals. The difference
between the two clocks (``TokenAuth.skew``, seconds, positive when the PC is ahead) is logged
once, and heard by the listener the command line sets (``hear_clock_skew``), when it is over
``SKEW_REPORTED``.

A client may hand the flow to httpx (``auth=``) or drive it itself (``async_auth_flow`` is an
ordinary async generator): httpx reads every answer it retries past in full, so a client that
bounds every body it reads (SIMAD's) drives the flow with its own bounded send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import structlog

from pipeline.core.errors import AuthError
from pipeline.core.i18n import t

log = structlog.get_logger("simad.auth")

RETIRED_KEPT = 6  # replaced tokens still hidden by redaction
SKEW_REPORTED = 120.0  # seconds between the PC's clock and the server's worth saying

_skew_listener: Callable[[float], None] | None = None


def hear_clock_skew(listener: Callable[[float], None] | None) -> None:
    """Have ``listener`` hear every clock skew over ``SKEW_REPORTED`` a token flow finds (once
    per flow); the command line prints it. None: nobody hears it (it is still logged)."""
    global _skew_listener
    _skew_listener = listener


def server_date(response: httpx.Response) -> float | None:
    """The server's time when it answered (its ``Date`` header), or None. When a front server
    added its own ``Date`` before the application's, the application's (the last) counts."""
    values = response.headers.get_list("date")
    if not values:
        return None
    try:  # a Date is cut to the second: the middle of that second is the best guess
        return parsedate_to_datetime(values[-1]).timestamp() + 0.5
    except (TypeError, ValueError, IndexError):
        return None


def skew_text(skew: float) -> str:
    """How far the PC's clock is from the server's, for a person: "3 hours 2 minutes ahead"."""
    seconds = round(abs(skew))
    if seconds >= 60:  # to the minute: the server's clock is only read to the second
        seconds = round(seconds / 60) * 60
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if hours and minutes:
        size = t("duration_hours_minutes", hours=hours, minutes=minutes)
    elif hours:
        size = t("duration_hours", hours=hours)
    elif minutes:
        size = t("duration_minutes", minutes=minutes)
    else:
        size = t("duration_seconds", seconds=seconds)
    return t("clock_skew_ahead" if skew > 0 else "clock_skew_behind", size=size)


@dataclass(frozen=True)
class Grant:
    """What a token call answered: the access token, the refresh token (None: keep the one
    held), and when it expires, as a time (``expires_at``) or a lifetime in seconds
    (``lifetime``); neither: the lifetime seen before. ``server_time``: the server's time when
    it answered, which ``expires_at`` is read against (None: the PC's clock is trusted)."""

    access: str
    refresh: str | None = None
    expires_at: float | None = None
    lifetime: float | None = None
    server_time: float | None = None  # the answer's Date: ``expires_at`` is on this clock


@dataclass(frozen=True)
class Token:
    """The token held: its value, its refresh token, and when it expires (clock time)."""

    access: str
    refresh: str | None
    expires_at: float


def bearer(token: str) -> dict[str, str]:
    """The standard header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


def status_401(response: httpx.Response) -> bool:
    """The standard refusal of a token: HTTP 401."""
    return response.status_code == 401


def _refused_twice(request: httpx.Request) -> Exception:
    return AuthError(f"401: {request.url.path}", status=401)


@dataclass
class Strategy:
    """How one service hands out tokens and shows that it refuses one."""

    login: Callable[[], Awaitable[Grant]]
    refresh: Callable[[Token], Awaitable[Grant]] | None = None
    headers: Callable[[str], dict[str, str]] = bearer
    refused: Callable[[httpx.Response], bool] = status_401
    refused_twice: Callable[[httpx.Request], Exception] = _refused_twice
    lifetime: float = 15 * 60.0  # assumed until a token call says otherwise


class TokenAuth(httpx.Auth):
    """The token state of one client and the flow that applies it to each request."""

    def __init__(
        self,
        strategy: Strategy,
        *,
        clock: Callable[[], float] = time.time,
        requires_response_body: bool = False,
    ):
        """``requires_response_body``: the refusal can only be told from the body (DITAS's
        401 inside a 200), so the flow reads each answer before judging it."""
        self.strategy = strategy
        self.requires_response_body = requires_response_body
        self._clock = clock
        self._lifetime = strategy.lifetime
        self._lock = asyncio.Lock()
        self.current: Token | None = None
        self._retired: tuple[str | None, ...] = ()
        self.skew: float | None = None  # PC clock minus server clock, seconds (None: unknown)
        self._skew_said = False

    # -- the state ---------------------------------------------------------------------------

    @property
    def access_token(self) -> str | None:
        return self.current.access if self.current else None

    def secrets(self) -> tuple[str | None, ...]:
        """Every token held or replaced lately: what redaction must hide."""
        held = (self.current.access, self.current.refresh) if self.current else ()
        return (*held, *self._retired)

    def store(self, grant: Grant) -> Token:
        """Hold the token ``grant`` carries (the one held before is retired)."""
        now = self._clock()
        if grant.server_time is not None:
            self._heard_server_time(now - grant.server_time)
        if grant.expires_at is not None:
            # On the server's clock when it said its time: a wrong PC clock cancels out.
            said_at = grant.server_time if grant.server_time is not None else now
            self._lifetime = max(1.0, grant.expires_at - said_at)
            expires_at = now + self._lifetime
        else:
            if grant.lifetime is not None:
                self._lifetime = max(1.0, grant.lifetime)
            expires_at = now + self._lifetime
        before = self.current
        self._retire()
        refresh = grant.refresh or (before.refresh if before else None)
        self.current = Token(grant.access, refresh, expires_at)
        return self.current

    def _heard_server_time(self, skew: float) -> None:
        """Keep the skew; say it once when it is large."""
        self.skew = skew
        if abs(skew) <= SKEW_REPORTED or self._skew_said:
            return
        self._skew_said = True
        log.warning("clock_skew", seconds=round(skew))
        if _skew_listener is not None:
            _skew_listener(skew)

    def clear(self) -> None:
        """Forget the token (revoked, or its refresh refused); it stays hidden."""
        self._retire()
        self.current = None

    def _retire(self) -> None:
        held = self.current
        if held is not None:
            self._retired = (held.access, held.refresh, *self._retired)[:RETIRED_KEPT]

    def needs_renewal(self) -> bool:
        margin = min(60.0, self._lifetime * 0.2)
        return self.current is None or self._clock() >= self.current.expires_at - margin

    # -- getting a token -----------------------------------------------------------------------

    async def token(self) -> str:
        """A token that is not about to expire (renewed first when it is)."""
        if self.needs_renewal():
            await self.renew(self.access_token)
        assert self.current is not None
        return self.current.access

    async def renew(self, stale: str | None) -> None:
        """Replace ``stale``: refresh it, or log in when there is none or the refresh is
        refused. Nothing to do when another coroutine replaced it meanwhile."""
        async with self._lock:
            if self.current is not None and self.current.access != stale:
                return
            held, refresh = self.current, self.strategy.refresh
            if held is not None and held.refresh and refresh is not None:
                try:
                    self.store(await refresh(held))
                    return
                except AuthError:
                    log.info("refresh_refused_reauthenticating")
                    self.clear()
            self.store(await self.strategy.login())

    # -- the flow ------------------------------------------------------------------------------

    def sign(self, request: httpx.Request, token: str) -> None:
        request.headers.update(self.strategy.headers(token))

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for attempt in (1, 2):
            token = await self.token()
            self.sign(request, token)
            response = yield request
            if self.requires_response_body:
                await response.aread()
            if not self.strategy.refused(response):
                return
            log.info("unauthorized_renewing", path=request.url.path, attempt=attempt)
            await self.renew(token)
        # A fresh token refused at once: a very short lifetime, clock skew, or a service that
        # takes nobody; the client says which it is.
        raise self.strategy.refused_twice(request)
