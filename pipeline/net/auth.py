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

A client may hand the flow to httpx (``auth=``) or drive it itself (``async_auth_flow`` is an
ordinary async generator): httpx reads every answer it retries past in full, so a client that
bounds every body it reads (SIMAD's) drives the flow with its own bounded send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import structlog

from pipeline.core.errors import AuthError

log = structlog.get_logger("simad.auth")

RETIRED_KEPT = 6  # replaced tokens still hidden by redaction


@dataclass(frozen=True)
class Grant:
    """What a token call answered: the access token, the refresh token (None: keep the one
    held), and when it expires, as a time (``expires_at``) or a lifetime in seconds
    (``lifetime``); neither: the lifetime seen before."""

    access: str
    refresh: str | None = None
    expires_at: float | None = None
    lifetime: float | None = None


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
        if grant.expires_at is not None:
            expires_at = grant.expires_at
            self._lifetime = max(1.0, expires_at - now)
        else:
            if grant.lifetime is not None:
                self._lifetime = max(1.0, grant.lifetime)
            expires_at = now + self._lifetime
        before = self.current
        self._retire()
        refresh = grant.refresh or (before.refresh if before else None)
        self.current = Token(grant.access, refresh, expires_at)
        return self.current

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
