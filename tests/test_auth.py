"""The one token flow both clients use (``pipeline.net.auth``), driven by httpx itself."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pipeline.core.config import Credentials, MaxaCredentials
from pipeline.core.errors import AuthError
from pipeline.maxa.client import MaxaClient
from pipeline.net.auth import Grant, Strategy, Token, TokenAuth
from pipeline.simad.client import SimadClient

pytestmark = pytest.mark.anyio


class Service:
    """A stand-in that hands out numbered tokens and takes only the newest."""

    def __init__(self, *, refresh_ok: bool = True, refuse_all: bool = False):
        self.issued = 0
        self.logins = self.refreshes = 0
        self.refresh_ok = refresh_ok
        self.refuse_all = refuse_all
        self.seen: list[str | None] = []

    async def login(self) -> Grant:
        await asyncio.sleep(0)
        self.logins += 1
        self.issued += 1
        return Grant(f"t{self.issued}", f"r{self.issued}", lifetime=100.0)

    async def refresh(self, held: Token) -> Grant:
        self.refreshes += 1
        if not self.refresh_ok:
            raise AuthError("refresh refused")
        self.issued += 1
        return Grant(f"t{self.issued}")

    def handler(self, request: httpx.Request) -> httpx.Response:
        said = request.headers.get("Authorization")
        self.seen.append(said)
        if self.refuse_all or said != f"Bearer t{self.issued}":
            return httpx.Response(401)
        return httpx.Response(200, json={"ok": True})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def auth_for(service: Service, clock: Clock | None = None) -> TokenAuth:
    return TokenAuth(Strategy(login=service.login, refresh=service.refresh), clock=clock or Clock())


def http(service: Service, auth: TokenAuth) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(service.handler), base_url="http://x", auth=auth
    )


async def test_the_bearer_token_is_added_and_fetched_once():
    service = Service()
    auth = auth_for(service)
    async with http(service, auth) as client:
        for _ in range(3):
            assert (await client.get("/a")).status_code == 200
    assert service.logins == 1 and service.seen == ["Bearer t1"] * 3


async def test_a_401_renews_once_and_sends_again():
    service = Service()
    auth = auth_for(service)
    async with http(service, auth) as client:
        await client.get("/a")
        service.issued += 1  # the server moved on: t1 is no longer taken
        await service.login()  # … and what it now takes is t3
        auth.store(Grant("t1", "r1"))  # the client still holds t1
        response = await client.get("/b")
    assert response.status_code == 200
    assert service.seen[-2:] == ["Bearer t1", f"Bearer t{service.issued}"]
    assert service.refreshes == 1


async def test_refused_twice_raises_what_the_service_chose():
    service = Service(refuse_all=True)
    auth = TokenAuth(
        Strategy(
            login=service.login,
            refused_twice=lambda request: RuntimeError(f"refused {request.url.path}"),
        )
    )
    async with http(service, auth) as client:
        with pytest.raises(RuntimeError, match="refused /a"):
            await client.get("/a")
    assert len(service.seen) == 2  # tried once more, never a third time


async def test_a_refused_refresh_logs_in_again():
    service = Service(refresh_ok=False)
    auth = auth_for(service)
    await auth.token()
    await auth.renew(auth.access_token)
    assert (service.logins, service.refreshes) == (2, 1)
    assert auth.access_token == "t2"


async def test_a_token_about_to_expire_is_renewed_first():
    service, clock = Service(), Clock()
    auth = auth_for(service, clock)
    assert await auth.token() == "t1"
    clock.now += 85  # 15 s left of 100: within the margin (20 % of the lifetime)
    assert await auth.token() == "t2"
    assert service.refreshes == 1


async def test_concurrent_renewals_fetch_one_token():
    service = Service()
    auth = auth_for(service)
    tokens = await asyncio.gather(*(auth.token() for _ in range(10)))
    assert set(tokens) == {"t1"} and service.logins == 1


async def test_replaced_tokens_stay_secret():
    service = Service()
    auth = auth_for(service)
    await auth.token()
    await auth.renew("t1")
    assert {"t1", "r1", "t2"} <= set(auth.secrets())
    auth.clear()
    assert auth.access_token is None and "t2" in auth.secrets()


def test_both_clients_share_the_flow():
    simad = SimadClient("http://s", Credentials("u", "p"))
    maxa = MaxaClient("http://m", MaxaCredentials("c", "s", "u", "p", "pid"))
    assert isinstance(simad.auth, TokenAuth) and isinstance(maxa.auth, TokenAuth)
    assert isinstance(simad.auth, httpx.Auth) and isinstance(maxa.auth, httpx.Auth)
