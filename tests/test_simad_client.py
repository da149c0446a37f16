"""The SIMAD client: token lifecycle (B.5), error mapping, and secrecy of credentials."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from pipeline.core.config import Credentials
from pipeline.core.errors import AuthError, RetryableError
from pipeline.simad.client import SimadClient, parse_problem, pick_token

from .conftest import BASE, declaration, resident

pytestmark = pytest.mark.anyio


async def test_token_is_refreshed_before_it_expires(make_sandbox, make_client, clock):
    app = make_sandbox(token_ttl=100)
    client = make_client(app)
    assert (await client.add_or_update_resident(resident())).ok
    clock.advance(85)  # inside the renewal margin (20% of the lifetime)
    assert (await client.add_or_update_declaration(declaration())).ok
    assert client.renewals == {"authenticate": 1, "refresh": 1}


async def test_expired_token_then_refresh_then_reauthenticate(make_sandbox, make_client, clock):
    app = make_sandbox(token_ttl=1, refresh_ttl=5)
    client = make_client(app)
    assert (await client.add_or_update_resident(resident())).ok
    clock.advance(2)  # token expired, refresh token still good
    assert (await client.add_or_update_declaration(declaration())).ok
    assert client.renewals == {"authenticate": 1, "refresh": 1}
    clock.advance(10)  # both expired: the refresh is refused, so authenticate again
    assert await client.get_declare_residents(1402)
    assert client.renewals == {"authenticate": 2, "refresh": 1}


async def test_a_401_on_a_token_the_client_thought_valid_triggers_renewal(client, sandbox):
    assert (await client.add_or_update_resident(resident())).ok
    # The server forgets the token (e.g. revoked elsewhere) while the client still trusts it.
    sandbox.store.revoke_token(client.auth.access_token)
    assert (await client.add_or_update_declaration(declaration())).ok
    assert client.renewals["authenticate"] == 2  # the refresh of a revoked pair is refused


async def test_revoke_ends_the_session(client):
    await client.authenticate()
    token = client.auth.access_token
    await client.revoke()
    assert client.auth.access_token is None
    # The next call authenticates again rather than reusing the revoked token.
    assert await client.get_final_results(1402) == []
    assert client.auth.access_token != token
    assert client.renewals["authenticate"] == 2


async def test_wrong_password_is_an_auth_error_without_the_password(sandbox, make_client):
    client = make_client(sandbox, password="s3cret-Pa55")
    with pytest.raises(AuthError) as info:
        await client.add_or_update_resident(resident())
    text = f"{info.value} {info.value!r} {client!r} {client._credentials!r}"
    assert "Incorrect username or password" in str(info.value)
    assert info.value.exit_code == 3
    assert "s3cret-Pa55" not in text


async def test_unknown_user(sandbox, make_client):
    with pytest.raises(AuthError, match="Username not found"):
        await make_client(sandbox, username="nobody").authenticate()


def mock_client(handler, clock=None) -> SimadClient:
    return SimadClient(
        BASE,
        Credentials("u", "p"),
        transport=httpx.MockTransport(handler),
        **({"clock": clock} if clock else {}),
    )


def token_answer(request: httpx.Request) -> httpx.Response | None:
    if request.url.path.endswith("/authenticate"):
        return httpx.Response(
            200,
            json={"accessToken": "T", "RefreshToken": "R", "expires": "2099-01-01T00:00:00+03:30"},
        )
    return None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_server_errors_are_retryable(status):
    def handler(request):
        return token_answer(request) or httpx.Response(
            status, headers={"Retry-After": "7"}, text="busy"
        )

    with pytest.raises(RetryableError) as info:
        await mock_client(handler).add_or_update_resident(resident())
    assert (info.value.status, info.value.retry_after) == (status, 7.0)


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
async def test_network_failures_are_retryable(exc):
    def handler(request):
        if answer := token_answer(request):
            return answer
        raise exc

    with pytest.raises(RetryableError):
        await mock_client(handler).add_or_update_declaration(declaration())


async def test_authentication_500_is_retryable_not_auth_error():
    def handler(request):
        return httpx.Response(500, text="Something went wrong. Please try again later.")

    with pytest.raises(RetryableError):
        await mock_client(handler).authenticate()


async def test_sends_bearer_and_token_headers():
    seen = {}

    def handler(request):
        if answer := token_answer(request):
            return answer
        seen.update(request.headers)
        seen["body"] = json.loads(request.content)
        return httpx.Response(200)

    assert (await mock_client(handler).add_or_update_resident(resident())).ok
    assert seen["authorization"] == "Bearer T" and seen["token"] == "T"
    assert seen["body"]["ResidencyStartYear"] == 1401


def test_problem_details_from_the_guide():
    body = {
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "title": "خطا در درج اطلاعات",
        "status": 400,
        "detail": '{"3fa85f64-5717-4562-b3fc-2c963f66afa6":" این دستیار پیدا نشد"}',
        "traceId": "00-8079256b87e3432f2396b43a951ead81-477f0271782bf987-00",
    }
    problem = parse_problem(httpx.Response(400, json=body))
    assert problem.messages == ["این دستیار پیدا نشد"]
    assert problem.title == "خطا در درج اطلاعات"
    assert problem.trace_id == body["traceId"]


def test_problem_with_plain_detail_and_text_bodies():
    assert parse_problem(httpx.Response(400, json={"detail": "ساده"})).messages == ["ساده"]
    assert parse_problem(httpx.Response(403, text="Forbidden")).messages == ["Forbidden"]
    errors = parse_problem(httpx.Response(400, json={"errors": {"yearId": ["required"]}}))
    assert errors.text == "yearId: required"


@pytest.mark.parametrize("key", ["Token", " Token", "token", "accessToken", "AccessToken "])
def test_token_key_variants(key):
    assert pick_token({key: "abc", "RefreshToken": "r"}) == "abc"


async def test_a_fresh_token_refused_twice_is_retryable_not_fatal():
    from pipeline.net.retry import RetryPolicy

    answers = [401, 401, 200]

    def handler(request):
        if request.url.path.endswith("/authenticate") or request.url.path.endswith("/refresh"):
            return token_answer(httpx.Request("POST", "http://x/authenticate"))
        return httpx.Response(answers.pop(0))

    client = mock_client(handler)

    async def no_sleep(_s):
        return None

    result, attempts = await RetryPolicy(sleep=no_sleep).run(
        lambda: client.add_or_update_resident(resident())
    )
    assert result.ok and attempts == 2


async def test_retry_after_as_an_http_date_holds_every_request_of_the_client():
    """A 429 with Retry-After as an HTTP date: not only that request but the next one, a
    different call, waits until then; and the pace is cut."""
    from email.utils import formatdate

    from pipeline.net.limiter import Pace

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    answers = iter([429, 200])

    def handler(request):
        if answer := token_answer(request):
            return answer
        status = next(answers)
        headers = {"Retry-After": formatdate(time.time() + 5, usegmt=True)} if status == 429 else {}
        return httpx.Response(status, headers=headers)

    client = SimadClient(
        BASE,
        Credentials("u", "p"),
        transport=httpx.MockTransport(handler),
        pace=Pace(sleep=sleep),
    )
    with pytest.raises(RetryableError) as info:
        await client.add_or_update_resident(resident())
    assert 3.5 <= info.value.retry_after <= 5.5
    assert client.pace.cuts == 1 and client.pace.current is not None
    assert (await client.add_or_update_declaration(declaration())).ok
    assert waits and 3.5 <= sum(waits) <= 5.5  # the declaration waited for the resident's hold
    await client.aclose()
