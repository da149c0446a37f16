"""The sandbox's token endpoints answer exactly as the guide documents (A.1)."""

from __future__ import annotations

import httpx
import pytest

from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME

from .conftest import BASE

pytestmark = pytest.mark.anyio


@pytest.fixture
async def http(sandbox):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=BASE) as c:
        yield c


async def login(http) -> dict:
    r = await http.post(
        "/api/Token/authenticate", json={"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
    )
    assert r.status_code == 200
    return r.json()


async def test_authenticate_returns_documented_body(http, clock):
    body = await login(http)
    assert set(body) == {" Token", "RefreshToken", "expires", "displayName"}
    assert body["displayName"] == "ServiceUser"
    assert body["expires"].endswith("+03:30")
    assert len(body[" Token"]) > 100


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"username": "nobody", "password": "x"}, 404, "Username not found"),
        (
            {"username": SANDBOX_USERNAME, "password": "wrong"},
            403,
            "Incorrect username or password",
        ),
        ({"username": SANDBOX_USERNAME}, 403, "API key is missing."),
        (None, 403, "API key is missing."),
    ],
)
async def test_authenticate_failures(http, body, status, text):
    r = await http.post("/api/Token/authenticate", json=body)
    assert (r.status_code, r.text) == (status, text)


async def test_refresh_rotates_the_pair_and_old_token_stops_working(http):
    first = await login(http)
    r = await http.post(
        "/api/Token/refresh",
        json={"AccessToken": first[" Token"], "RefreshToken": first["RefreshToken"]},
    )
    assert r.status_code == 200
    second = r.json()
    assert set(second) == {" Token", "RefreshToken"}
    assert second[" Token"] != first[" Token"]
    old = await http.get(
        "/api2/ResidentUpgrades/GetFinalResults?yearId=1402",
        headers={"Authorization": f"Bearer {first[' Token']}"},
    )
    new = await http.get(
        "/api2/ResidentUpgrades/GetFinalResults?yearId=1402",
        headers={"Authorization": f"Bearer {second[' Token']}"},
    )
    assert (old.status_code, new.status_code) == (401, 200)


@pytest.mark.parametrize("body", [None, {"AccessToken": "nope", "RefreshToken": "nope"}, {}])
async def test_refresh_invalid_client(http, body):
    r = await http.post("/api/Token/refresh", json=body)
    assert (r.status_code, r.text) == (400, "Invalid client request. User or token is null")


async def test_refresh_token_expires(http, clock, sandbox):
    first = await login(http)
    clock.advance(sandbox.settings.refresh_ttl + 1)
    r = await http.post(
        "/api/Token/refresh",
        json={"AccessToken": first[" Token"], "RefreshToken": first["RefreshToken"]},
    )
    assert r.status_code == 400


async def test_revoke(http):
    tokens = await login(http)
    mismatch = await http.post(
        "/api/Token/revoke", json={"AccessToken": tokens[" Token"], "RefreshToken": "other"}
    )
    assert (mismatch.status_code, mismatch.text) == (403, "Invalid attempt!  Tokens do not match")
    missing = await http.post("/api/Token/revoke", json={"AccessToken": tokens[" Token"]})
    assert missing.status_code == 400
    ok = await http.post(
        "/api/Token/revoke",
        json={"AccessToken": tokens[" Token"], "RefreshToken": tokens["RefreshToken"]},
    )
    assert ok.status_code == 200
    after = await http.get(
        "/api2/ResidentUpgrades/GetFinalResults?yearId=1402",
        headers={"Authorization": f"Bearer {tokens[' Token']}"},
    )
    assert after.status_code == 401
    again = await http.post(
        "/api/Token/refresh",
        json={"AccessToken": tokens[" Token"], "RefreshToken": tokens["RefreshToken"]},
    )
    assert again.status_code == 400


async def test_data_calls_need_a_live_token(http, clock, sandbox):
    path = "/api2/DeclareResidentToUpgrades/GetDeclareResidents?yearId=1402"
    assert (await http.get(path)).status_code == 401
    assert (await http.get(path, headers={"Authorization": "Bearer forged"})).status_code == 401
    tokens = await login(http)
    auth = {"Authorization": f"Bearer {tokens[' Token']}"}
    assert (await http.get(path, headers=auth)).status_code == 200
    assert (await http.get(path, headers={"token": tokens[" Token"]})).status_code == 200
    clock.advance(sandbox.settings.token_ttl + 1)
    expired = await http.get(path, headers=auth)
    assert expired.status_code == 401
    assert "expired" in expired.headers["www-authenticate"]


async def test_paths_are_case_insensitive_like_aspnet(http):
    r = await http.post(
        "/API/token/AUTHENTICATE", json={"username": SANDBOX_USERNAME, "password": SANDBOX_PASSWORD}
    )
    assert r.status_code == 200
