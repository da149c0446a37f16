"""Async client for the SIMAD web service (guide sections A.1 and A.2).

The transport is injectable: tests and the default ``sandbox`` target hand in
``httpx.ASGITransport(app=...)``; the real network is only the default.

A data call answers with a ``CallResult``: ``ok`` only for the documented success (2xx with an
empty or JSON body), or the server's ``Problem`` for a 4xx that is the row's answer (400 problem
details, 404, 409, ...). A 2xx with another body (a proxy's login page) or a redirect raises
``NotTheApi``; 429, 5xx, timeouts and connection errors raise ``RetryableError``; credentials
refused raise ``AuthError``, and a refused login is remembered, so it is tried once per run,
not once per worker. The token is refreshed before it expires and after a 401; when a refresh
is refused, the client authenticates again: the flow is ``net.auth``'s (shared with MAXA), the
token calls are this client's.

A list call (GetDeclareResidents, GetFinalResults) returns the records only when the answer is
the documented list (``answers.records``); anything else — a number, a text, null, a list of
plain values, an object without a list, an empty body, a page, JSON cut short or nested deeper
than ``answers.MAX_DEPTH`` — raises ``NotTheApi``, so it is never read as "nothing there".

Bodies are read with a bound (``ERROR_BODY_LIMIT`` for refusals), JSON with a bounded depth,
and every text taken from an answer is scrubbed of the credentials and tokens before it goes
anywhere (``redact.scrub``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, TypeVar

import httpx
import structlog

from pipeline.core.config import Credentials
from pipeline.core.errors import (
    AuthError,
    NotTheApi,
    RemoteError,
    RemoteUnreachable,
    RetryableError,
    UnexpectedResponse,
)
from pipeline.core.i18n import said, t
from pipeline.core.redact import scrub, shorten
from pipeline.net import answers, failures
from pipeline.net.auth import Grant, Strategy, Token, TokenAuth, server_date
from pipeline.net.limiter import Pace
from pipeline.net.retry import RetryPolicy
from pipeline.net.transport import client_options, shown

log = structlog.get_logger("simad.client")
REVOKE_ATTEMPTS = 4  # at least, whatever the policy: a busy server at the end of a run
T = TypeVar("T")

TOKEN_KEYS = ("token", "accesstoken", "access_token")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_LIFETIME = 15 * 60.0
ERROR_BODY_LIMIT = 64 * 1024  # a refusal is a few hundred bytes; a 20 MB echo is cut here
POST_BODY_LIMIT = 1024 * 1024  # a data POST answers with an empty body
GET_BODY_LIMIT = 256 * 1024 * 1024  # a year of declarations of the whole country fits
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TEHRAN = timezone(timedelta(hours=3, minutes=30))


@dataclass
class Problem:
    """A refusal from the server: RFC 7807 problem details or a bare text."""

    status: int
    title: str | None = None
    messages: list[str] = field(default_factory=list)
    trace_id: str | None = None
    field_errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        parts = list(self.messages)
        for name, errs in self.field_errors.items():
            parts.extend(f"{name}: {e}" for e in errs)
        if not parts and self.title:
            parts.append(self.title)
        return " | ".join(parts)


@dataclass
class CallResult:
    ok: bool
    status: int
    problem: Problem | None = None
    trace_id: str | None = None
    attempts: int = 1


def parse_problem(response: httpx.Response, secrets: tuple[str | None, ...] = ()) -> Problem:
    """Turn an error answer into a ``Problem``, unpacking the JSON-in-a-string ``detail``.

    Every text is scrubbed of ``secrets`` and credential-looking values and cut to length;
    personal identifiers are left for the caller, who knows which ones belong to the row.
    """
    problem = _parse_problem(response)

    def clean(text: str) -> str:
        return scrub(text, secrets=secrets, identifiers=False)

    problem.title = clean(problem.title) if problem.title else None
    problem.messages = [clean(m) for m in problem.messages][:20]
    problem.field_errors = {
        scrub(k, secrets=secrets, identifiers=False, limit=100): [clean(m) for m in v][:5]
        for k, v in list(problem.field_errors.items())[:20]
    }
    problem.trace_id = clean(problem.trace_id)[:100] if problem.trace_id else None
    return problem


def _parse_problem(response: httpx.Response) -> Problem:
    status = response.status_code
    if _is_html(response):
        return Problem(status, messages=[t("answer_is_web_page")])
    try:
        body = answers.loads(response.content)
    except ValueError:
        text = response.text.strip().strip('"').strip()
        return Problem(status, messages=[text] if text else [])
    if not isinstance(body, dict):
        return Problem(status, messages=[str(body)])
    lowered = {str(k).lower(): v for k, v in body.items()}
    problem = Problem(
        status,
        title=lowered.get("title"),
        trace_id=lowered.get("traceid"),
    )
    detail = lowered.get("detail")
    if isinstance(detail, str) and detail.strip():
        try:
            parsed = answers.loads(detail)
        except ValueError:
            parsed = detail
        if isinstance(parsed, dict):
            problem.messages = [str(v).strip() for v in parsed.values()]
        elif isinstance(parsed, list):
            problem.messages = [str(v).strip() for v in parsed]
        else:
            problem.messages = [str(parsed).strip()]
    errors = lowered.get("errors")
    if isinstance(errors, dict):
        problem.field_errors = {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()
        }
    return problem


async def _read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body, and whether there was more."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _is_html(response: httpx.Response) -> bool:
    ctype = response.headers.get("content-type", "").lower()
    head = response.content[:512].lstrip().lower()
    return "html" in ctype or head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head"))


def _api_json(response: httpx.Response) -> Any:
    """The answer's JSON; ``NotTheShape`` for a web page, anything that is not JSON, or JSON
    nested deeper than ``answers.MAX_DEPTH``."""
    if _is_html(response):
        raise answers.NotTheShape(answers.PAGE)
    return answers.loads(response.content)


TRACE_HEADERS = ("traceparent", "request-id", "x-trace-id", "x-correlation-id", "x-request-id")


def _trace_header(response: httpx.Response) -> str | None:
    """A success has no body to carry a trace id; a server may send one as a header."""
    for name in TRACE_HEADERS:
        value = response.headers.get(name)
        if value:
            return shorten(value, 100)
    return None


def _not_the_api(path: str, response: httpx.Response) -> NotTheApi:
    kind = _content_kind(response)
    text = t("answer_not_api", path=path, status=response.status_code, kind=kind)
    return NotTheApi(text, status=response.status_code)


def _not_a_list(path: str, response: httpx.Response, problem: ValueError) -> NotTheApi:
    """A list call (GET) answered with something other than the documented list: never
    read as an empty one."""
    what = t(f"shape_{getattr(problem, 'code', 'json')}")
    text = t("answer_not_records", path=path, status=response.status_code, what=what)
    return NotTheApi(text, status=response.status_code)


def _content_kind(response: httpx.Response) -> str:
    ctype = response.headers.get("content-type", "").split(";")[0].strip()
    return shorten(ctype, 60) or "?"


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def pick_token(body: dict[str, Any]) -> str | None:
    """The access token, whatever the key's case or stray spaces (the guide shows ``" Token"``)."""
    for key, value in body.items():
        if str(key).strip().lower() in TOKEN_KEYS and isinstance(value, str) and value:
            return value
    return None


def _token_headers(token: str) -> dict[str, str]:
    """SIMAD reads the token as a bearer token, or from a header of its own (the guide)."""
    return {"Authorization": f"Bearer {token}", "token": token}


def _grant(body: dict[str, Any]) -> Grant:
    """The token pair of an authenticate or refresh answer, with its expiry when it says one
    (an ISO time, Tehran's when it has no offset); a refresh answer says none."""
    token = pick_token(body)
    if not token:
        raise UnexpectedResponse(t("no_token_in_answer"))
    refresh = _pick(body, "refreshtoken")
    expires = _pick(body, "expires")
    expires_at = None
    if isinstance(expires, str):
        try:
            parsed = datetime.fromisoformat(expires)
            if parsed.tzinfo is None:  # a server in Tehran may omit its offset
                parsed = parsed.replace(tzinfo=TEHRAN)
            expires_at = parsed.timestamp()
        except ValueError:
            expires_at = None
    return Grant(token, refresh if isinstance(refresh, str) else None, expires_at)


def _pick(body: dict[str, Any], name: str) -> Any:
    for key, value in body.items():
        if str(key).strip().lower() == name:
            return value
    return None


class SimadClient:
    """One authenticated session with a SIMAD server."""

    def __init__(  # noqa: PLR0913 -- as httpx.AsyncClient's: keywords, each with a default
        self,
        base_url: str,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_connections: int = 16,
        clock: Callable[[], float] = time.time,
        policy: RetryPolicy | None = None,
        on_retry: Callable[[int, RetryableError, float], None] | None = None,
        pace: Pace | None = None,
    ):
        """``policy`` retries every remote call (data, lists, token calls, revoke); without
        one each call is tried once. ``on_retry(attempt, error, wait)`` hears of each retry.
        ``pace`` releases every request, retries included, and hears every answer."""
        self._credentials = credentials
        self._policy = policy or RetryPolicy(max_attempts=1)
        self.on_retry = on_retry
        self.pace = pace or Pace(clock=self._policy.clock, sleep=self._policy.sleep)
        self._answered = False  # whether this target ever answered
        self._clock = clock
        # The network (not the in-process sandbox): the system's trust store and the proxy.
        options = client_options(base_url) if transport is None else {}
        self._proxy = shown(options.get("proxy"))  # shown without its credentials
        self._http = httpx.AsyncClient(
            **options,
            base_url=base_url.rstrip("/") + "/",
            transport=transport,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"Accept": "application/json"},
        )
        self.auth = TokenAuth(
            Strategy(
                login=self._authenticate,
                refresh=self._refresh_grant,
                headers=_token_headers,
                refused_twice=self._fresh_token_refused,
                lifetime=DEFAULT_LIFETIME,
            ),
            clock=clock,
        )
        self.display_name: str | None = None
        self.refused: AuthError | None = None
        self.renewals = {"authenticate": 0, "refresh": 0}

    def __repr__(self) -> str:
        return f"SimadClient({str(self._http.base_url)!r}, user={self._credentials.username!r})"

    async def __aenter__(self) -> SimadClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- token lifecycle (the flow is ``net.auth``'s; the token calls are SIMAD's) ----------

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._credentials.password, *self.auth.secrets())

    def _problem(self, response: httpx.Response) -> Problem:
        return parse_problem(response, self._secrets())

    def _refusal(self, response: httpx.Response) -> str:
        """What a refusal of a token call says, without secrets or anybody's identifiers."""
        return scrub(self._problem(response).text, secrets=self._secrets())

    def _retryable(self, what: str, response: httpx.Response) -> RetryableError:
        problem = self._problem(response)
        return RetryableError(
            f"{what}: HTTP {response.status_code} {problem.text}".strip(),
            status=response.status_code,
            retry_after=_retry_after(response),
            trace_id=problem.trace_id,
        )

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> tuple[T, int]:
        """``call`` under the client's retry policy: its result and the attempts made."""
        return await self._policy.run(call, self.on_retry)

    async def authenticate(self) -> None:
        """Log in (under the retry policy). A refused login is remembered: it is never tried
        again by this client (a server may lock the account after a few wrong passwords)."""
        grant, _ = await self._retrying(self._authenticate)
        self.auth.store(grant)

    async def _authenticate(self) -> Grant:
        if self.refused is not None:
            raise self.refused
        response = await self._raw(
            "POST",
            "api/Token/authenticate",
            json={
                "username": self._credentials.username,
                "password": self._credentials.password,
            },
        )
        if response.status_code != 200:
            if response.status_code in RETRYABLE_STATUSES:
                raise self._retryable("authenticate", response)
            self._not_a_redirect("authenticate", response)
            self.refused = AuthError(
                said(
                    "auth_refused",
                    status=response.status_code,
                    text=self._refusal(response),
                ),
                status=response.status_code,
            )
            raise self.refused
        body = self._json_object(response, "authenticate")
        grant = replace(_grant(body), server_time=server_date(response))
        self.display_name = _pick(body, "displayname")
        self.renewals["authenticate"] += 1
        log.info("authenticated")
        return grant

    async def refresh(self) -> None:
        """Swap the token pair for a new one. Raises ``AuthError`` when refused."""
        held = self.auth.current
        if held is None or not held.refresh:
            raise AuthError(t("no_token_to_refresh"))
        self.auth.store(await self._refresh_grant(held))

    async def _refresh_grant(self, held: Token) -> Grant:
        response = await self._raw(
            "POST",
            "api/Token/refresh",
            json={"AccessToken": held.access, "RefreshToken": held.refresh},
        )
        if response.status_code != 200:
            if response.status_code in RETRYABLE_STATUSES:
                raise self._retryable("token refresh", response)
            raise AuthError(
                said(
                    "token_call_refused",
                    call="refresh",
                    status=response.status_code,
                    text=self._refusal(response),
                ),
                status=response.status_code,
            )
        grant = _grant(self._json_object(response, "refresh"))
        grant = replace(grant, server_time=server_date(response))
        self.renewals["refresh"] += 1
        log.info("token_refreshed")
        return grant

    async def revoke(self) -> None:
        """Invalidate the current token pair on the server (at the end of every run). A token
        left valid is a risk worth a few more tries than one row is (``REVOKE_ATTEMPTS``)."""
        attempts = max(self._policy.max_attempts, REVOKE_ATTEMPTS)
        await replace(self._policy, max_attempts=attempts).run(self._revoke, self.on_retry)

    async def _revoke(self) -> None:
        held = self.auth.current
        if held is None or not held.refresh:
            return
        response = await self._raw(
            "POST",
            "api/Token/revoke",
            json={"AccessToken": held.access, "RefreshToken": held.refresh},
        )
        if response.status_code in RETRYABLE_STATUSES:  # busy: worth another try
            raise self._retryable("revoke", response)
        if response.status_code != 200:
            raise AuthError(
                said(
                    "token_call_refused",
                    call="revoke",
                    status=response.status_code,
                    text=self._refusal(response),
                ),
                status=response.status_code,
            )
        self.auth.clear()
        log.info("token_revoked")

    async def ensure_token(self) -> str:
        return await self.auth.token()

    def _fresh_token_refused(self, request: httpx.Request) -> Exception:
        # A fresh token refused at once: most likely a very short lifetime or clock skew.
        # Worth another try; a refused login raises AuthError from authenticate().
        return RetryableError(t("fresh_token_refused", path=self._path(request)), status=401)

    def _path(self, request: httpx.Request) -> str:
        """The path a request was made for, as the client's calls name it."""
        url, base = str(request.url.copy_with(query=None)), str(self._http.base_url)
        return url[len(base) :] if url.startswith(base) else request.url.path

    # -- transport -------------------------------------------------------------------------

    async def _raw(
        self, method: str, path: str, *, limit: int = POST_BODY_LIMIT, **kwargs: Any
    ) -> httpx.Response:
        """Send one request and read its answer (``_send``)."""
        return await self._send(self._http.build_request(method, path, **kwargs), path, limit)

    async def _send(self, request: httpx.Request, path: str, limit: int) -> httpx.Response:
        """Send ``request`` when the pace allows and read its answer, at most ``limit`` bytes
        of a success and ``ERROR_BODY_LIMIT`` of anything else (the rest is dropped, never
        held in memory)."""
        sent_at = await self.pace.acquire()
        started = self._clock()

        async def trace(event: str, _info: dict[str, Any]) -> None:
            if event.endswith("send_request_body.complete"):
                self.pace.written(sent_at)

        request.extensions = {**request.extensions, "trace": trace}
        try:
            try:
                response = await self._http.send(request, stream=True)
            except BaseException:
                self.pace.forget(sent_at)  # no answer: no longer in flight
                raise
            self.pace.answered(sent_at, response.status_code, _retry_after(response))
            try:
                cap = limit if response.is_success else ERROR_BODY_LIMIT
                declared = response.headers.get("content-length", "")
                plain = not response.headers.get("content-encoding")
                if plain and declared.isdigit() and int(declared) <= cap:
                    await response.aread()  # the usual case: a small answer of known size
                    cut, bounded = False, None
                else:
                    bounded, cut = await _read_bounded(response, cap)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise failures.unanswered(
                exc, str(self._http.base_url), answered=self._answered, path=path
            ) from exc
        first = not self._answered
        self._answered = True
        log.debug(
            "http",
            method=request.method,
            path=path,
            status=response.status_code,
            ms=round((self._clock() - started) * 1000, 1),
        )
        if bounded is not None:
            if cut and response.is_success:
                raise UnexpectedResponse(t("answer_too_large", path=path, mb=limit // 2**20))
            headers = [
                (k, v)
                for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
            response = httpx.Response(
                response.status_code, headers=headers, content=bounded, request=request
            )
        if self._proxy and _is_html(response):  # the service never answers with a page
            raise self._proxy_page(path, response, first)
        return response

    def _proxy_page(self, path: str, response: httpx.Response, first: bool) -> RemoteError:
        """A page through a proxy: the proxy's own (a login or a block), not the service's;
        fatal at the first contact, since nothing has ever come through."""
        if first:
            failure = failures.diagnose(NotTheApi(path), str(self._http.base_url))
            return RemoteUnreachable(failure.text, status=response.status_code)
        kind, status = _content_kind(response), response.status_code
        text = t("answer_proxy_page", path=path, status=status, kind=kind, proxy=self._proxy)
        return NotTheApi(text, status=status)

    @staticmethod
    def _not_a_redirect(what: str, response: httpx.Response) -> None:
        """A 3xx is never the API's answer: most often a proxy sending to its login page."""
        if 300 <= response.status_code < 400:
            raise NotTheApi(
                t("answer_redirect", path=what, status=response.status_code),
                status=response.status_code,
            )

    async def _authorized(
        self, method: str, path: str, *, limit: int = POST_BODY_LIMIT, **kwargs: Any
    ) -> httpx.Response:
        """A data or list call with the token (``net.auth``'s flow, driven here so that every
        answer, a refused one included, is read with a bound and goes through the pace)."""
        flow = self.auth.async_auth_flow(self._http.build_request(method, path, **kwargs))
        try:
            request = await anext(flow)
            while True:
                response = await self._send(request, path, limit)
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    break
        finally:
            await flow.aclose()
        if response.status_code in RETRYABLE_STATUSES:
            raise self._retryable(path, response)
        self._not_a_redirect(path, response)
        return response

    async def _post(self, path: str, payload: dict[str, Any]) -> CallResult:
        """Accepted only on the documented success: 2xx with an empty or JSON body."""
        response = await self._authorized("POST", path, json=payload)
        if response.is_success:
            if response.content.strip():
                try:
                    _api_json(response)
                except ValueError as exc:
                    raise _not_the_api(path, response) from exc
            return CallResult(True, response.status_code, trace_id=_trace_header(response))
        problem = self._problem(response)
        log.info("refused", path=path, status=response.status_code, trace_id=problem.trace_id)
        return CallResult(False, response.status_code, problem, problem.trace_id)

    async def _get(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The records of a list answer (``answers.records``). Anything that is not the
        documented list, an empty body included, is ``NotTheApi``: never an empty list."""
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        response = await self._authorized("GET", path, params=query, limit=GET_BODY_LIMIT)
        if not response.is_success:
            problem = self._problem(response)
            raise UnexpectedResponse(
                scrub(f"{path}: HTTP {response.status_code} {problem.text}"),
                status=response.status_code,
                trace_id=problem.trace_id,
            )
        try:
            if not response.content.strip():
                raise answers.NotTheShape(answers.EMPTY)
            return answers.records(_api_json(response))
        except ValueError as exc:
            raise _not_a_list(path, response, exc) from exc

    @staticmethod
    def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = _api_json(response)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _not_the_api(what, response)
        return body

    # -- data calls (A.2) ------------------------------------------------------------------

    async def add_or_update_resident(self, payload: dict[str, Any]) -> CallResult:
        return await self._data("api2/Residents/AddOrUpdate", payload)

    async def upload_image(self, student_number: str, image: bytes) -> CallResult:
        body = {"StudentNumber": student_number, "Image": base64.b64encode(image).decode()}
        return await self._data("api2/Residents/UploadImage", body)

    async def add_or_update_declaration(self, payload: dict[str, Any]) -> CallResult:
        return await self._data("api2/DeclareResidentToUpgrades/AddOrUpdate", payload)

    async def _data(self, path: str, payload: dict[str, Any]) -> CallResult:
        result, attempts = await self._retrying(partial(self._post, path, payload))
        result.attempts = attempts
        return result

    async def get_declare_residents(
        self,
        year_id: int,
        course_study_code: str | int | None = None,
        national_code: str | None = None,
        student_number: str | None = None,
    ) -> list[dict[str, Any]]:
        """The declarations the server lists (``NotTheApi`` when the answer is not a list)."""
        filters = _filters(year_id, course_study_code, national_code, student_number)
        return await self._listed("api2/DeclareResidentToUpgrades/GetDeclareResidents", filters)

    async def get_final_results(
        self,
        year_id: int,
        course_study_code: str | int | None = None,
        national_code: str | None = None,
        student_number: str | None = None,
    ) -> list[dict[str, Any]]:
        """The final results the server lists (``NotTheApi`` when the answer is not a list)."""
        filters = _filters(year_id, course_study_code, national_code, student_number)
        return await self._listed("api2/ResidentUpgrades/GetFinalResults", filters)

    async def _listed(self, path: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
        body, _ = await self._retrying(partial(self._get, path, filters))
        return body


def _filters(
    year_id: int, course: str | int | None, national: str | None, student: str | None
) -> dict[str, Any]:
    return {
        "yearId": year_id,
        "courseStudyCode": course,
        "nationalCode": national,
        "studentNumber": student,
    }
