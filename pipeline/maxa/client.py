"""Async client for MAXA (the national health-coding reference) through the DITAS gateway.

Token: ``POST /oauth/token`` with Basic client authentication and the password grant, then
the refresh grant; the token is renewed before ``expires_in`` runs out and after a 401 (or
the gateway's 401 inside a 200), so a long download never dies of an expired token. The flow
is ``net.auth``'s, shared with SIMAD; the grants are this client's.

Every answer's envelope is unwrapped here: the outer status is the gateway's, the inner one
the service's; an inner 404 means "not found"; ``data`` may be a JSON-encoded string. Gateway
codes become clear errors; 429, 5xx and timeouts are retried with backoff.

Each function's ``data`` must have the shape the guide documents (a text for Terminology, true
or false for ValidateCts, a list of terms, ids or versions for the others); anything else —
and an answer that is not the envelope at all, or JSON nested deeper than
``answers.MAX_DEPTH`` — is ``NotTheApi``, never a value, "not found" or an empty list. An
envelope without ``data`` is "nothing found", as before.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import ijson
import jdatetime
import structlog

from pipeline.core.config import MaxaCredentials
from pipeline.core.errors import (
    AuthError,
    MaxaError,
    NotTheApi,
    RemoteUnreachable,
    RetryableError,
    UnexpectedResponse,
)
from pipeline.core.i18n import MESSAGES, current_lang, t
from pipeline.core.redact import scrub, shorten
from pipeline.net import answers, failures
from pipeline.net.auth import Grant, Strategy, Token, TokenAuth, server_date
from pipeline.net.retry import RetryPolicy
from pipeline.net.transport import client_options, shown

log = structlog.get_logger("simad.maxa")

BASE_PATH = "api/client/apim/v1/maksaservice/gwmaksa/"
RETRYABLE = frozenset({429, 500, 502, 503, 504, 520})
BATCH = 2000  # terms handed over at a time while a version streams in
REFUSAL_LIMIT = 64 * 1024  # the gateway's 401 envelope is a few dozen bytes
PIECE = 2048  # bytes handed to the streaming parser at a time (bounds a hostile answer's cost)
_SCALARS = frozenset({"string", "number", "boolean", "null"})
# The kind of a value by the parser event that opens it, as an ``answers`` shape code.
_EVENT_SHAPES = {"number": "number", "boolean": "boolean", "null": "null", "start_map": "object"}
_TERM = ("result.data.item", "item")  # where a term object of the list sits
_TERM_FIELD = ("result.data.item.", "item.")


def gateway_message(code: int) -> str:
    """What a DITAS gateway status code means (the guide's table), in the reader's language."""
    lang = current_lang()
    entry = MESSAGES.get(f"gateway_{code}")
    return entry[lang] if entry else MESSAGES["gateway_other"][lang].format(code=code)


def _refused(response: httpx.Response) -> bool:
    """The gateway refuses a token with a 401, or with its 401 shape under a 200."""
    if response.status_code == 401:
        return True
    if len(response.content) > REFUSAL_LIMIT:  # a list of terms, not a refusal: not parsed twice
        return False
    try:
        body = answers.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and _field(body, "code") == 401


@dataclass(frozen=True)
class Term:
    code: str
    value: str
    terminology: str


@dataclass(frozen=True)
class Version:
    version: str
    version_id: int | None
    is_last: bool
    id: int | None
    terminology: str


def from_date(day: date | jdatetime.date) -> dict[str, Any]:
    """The gateway's FromDate object, in Solar Hijri parts."""
    j = day if isinstance(day, jdatetime.date) else jdatetime.date.fromgregorian(date=day)
    return {
        "iSOStringField": "",
        "yearField": j.year,
        "monthField": j.month,
        "dayField": j.day,
        "hourField": 0,
        "minuteField": 0,
        "secondField": 0,
    }


def decode_data(data: Any) -> Any:
    """``data`` may be a JSON-encoded string ("\\"اسلام\\"", "true"): decode it once. A
    string that is not JSON is itself the data; one nested too deeply is ``TooDeep``."""
    if isinstance(data, str):
        try:
            return answers.loads(data)
        except answers.TooDeep:
            raise
        except ValueError:
            return data
    return data


def _not_the_api(function: str, response: httpx.Response) -> NotTheApi:
    """A 200 whose body is not JSON (a proxy's login page): never an answer."""
    kind = shorten(response.headers.get("content-type", "").split(";")[0].strip(), 60) or "?"
    return NotTheApi(t("maxa_not_api", function=function, kind=kind), status=response.status_code)


def _field(record: dict[str, Any], *names: str) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def to_term(record: dict[str, Any]) -> Term:
    return Term(
        str(_field(record, "coded_stringField", "codedString", "code") or "").strip(),
        str(_field(record, "valueField", "value") or ""),
        str(_field(record, "terminology_idField", "terminologyId") or ""),
    )


class _TermStream:
    """What a streamed TerminologiesTermByVersion answer said so far, event by event: terms
    handed over in batches, the statuses, the kind of ``data`` and of its elements, and how
    deeply the answer nests (now, and at most)."""

    def __init__(self, take: Callable[[list[Term]], None]):
        self.take = take
        self.batch: list[Term] = []
        self.item: dict[str, Any] = {}
        self.statuses: dict[str, Any] = {}
        self.count = self.depth = self.deepest = 0
        self.has_result = False
        self.data_event: str | None = None  # the event that opened the data: its kind
        self.odd_item: str | None = None  # the kind of an element that is not a term object
        self.whole: Any = None  # data sent as one JSON-encoded string (a quirk)

    def event(self, key: str, event: str, value: Any) -> None:  # noqa: C901 -- one branch per event kind, in the order they come
        if event in _SCALARS:
            if key.startswith(_TERM_FIELD):  # most events: a field of a term
                self.item[key.rsplit(".", 1)[1]] = value
            elif key in _TERM:
                self.odd_item = self.odd_item or event
            elif key == "result.data":
                self.data_event = self.data_event or event
                self.whole = value if event == "string" else None
            elif key in ("status.statuscode", "result.status.statuscode", "code"):
                self.statuses[key] = value
            return
        if event in ("start_map", "start_array"):
            self.depth += 1
            if self.depth > self.deepest:
                self.deepest = self.depth
            if key in _TERM:
                if event == "start_map":
                    self.item = {}
                else:
                    self.odd_item = self.odd_item or event
            elif key == "result.data":
                self.data_event = self.data_event or event
            elif key == "" and event == "start_array":
                self.has_result = True
                self.data_event = event  # a bare list of terms, without the envelope
            elif key == "result" and event == "start_map":
                self.has_result = True
        elif event in ("end_map", "end_array"):
            self.depth -= 1
            if event == "end_map" and key in _TERM:
                self.batch.append(to_term(self.item))
                if len(self.batch) >= BATCH:
                    self.flush()

    def flush(self) -> int:
        """Hand over the terms held; the number handed over so far."""
        if self.batch:
            self.take(self.batch)
            self.count, self.batch = self.count + len(self.batch), []
        return self.count


class MaxaClient:
    def __init__(
        self,
        base_url: str,
        credentials: MaxaCredentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 60.0,
        clock: Callable[[], float] = time.time,
        policy: RetryPolicy | None = None,
    ):
        self._credentials = credentials
        self._clock = clock
        self._policy = policy or RetryPolicy(max_attempts=5)
        # The network (not the in-process sandbox): the system's trust store and the proxy.
        options = client_options(base_url) if transport is None else {}
        self._proxy = shown(options.get("proxy"))  # shown without its credentials
        self._http = httpx.AsyncClient(
            **options, base_url=base_url.rstrip("/") + "/", transport=transport, timeout=timeout
        )
        self.auth = TokenAuth(
            Strategy(
                login=self._password_grant,
                refresh=self._refresh_grant,
                refused=_refused,
                refused_twice=lambda _request: AuthError(gateway_message(401), status=401),
                lifetime=763.0,
            ),
            clock=clock,
            requires_response_body=True,  # DITAS may say 401 inside a 200
        )
        self._answered = False  # whether the gateway ever answered
        self.last_request_id: str | None = None
        self.renewals = {"password": 0, "refresh": 0}

    def __repr__(self) -> str:
        return (
            f"MaxaClient({str(self._http.base_url)!r}, client_id={self._credentials.client_id!r})"
        )

    async def __aenter__(self) -> MaxaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    def _proxy_page(self, function: str, response: httpx.Response, *, first: bool) -> None:
        """Through a proxy, a page (the gateway never answers with one) is the proxy's own, a
        login or a block: fatal at the first contact, since nothing has come through yet."""
        if not self._proxy or "html" not in response.headers.get("content-type", "").lower():
            return
        if first:
            failure = failures.diagnose(NotTheApi(function), str(self._http.base_url))
            raise RemoteUnreachable(failure.text, status=response.status_code)
        kind = shorten(response.headers.get("content-type", "").split(";")[0].strip(), 60)
        raise NotTheApi(
            t(
                "answer_proxy_page",
                path=function,
                status=response.status_code,
                kind=kind or "?",
                proxy=self._proxy,
            ),
            status=response.status_code,
        )

    # -- tokens (the flow is ``net.auth``'s; the grants are DITAS's) --------------------------

    async def _token_call(self, form: dict[str, str]) -> httpx.Response:
        """POST /oauth/token, its failures to reach the gateway as the other calls' are."""
        c = self._credentials
        try:
            response = await self._http.post(
                "oauth/token", data=form, auth=(c.client_id, c.client_secret)
            )
        except httpx.TransportError as exc:
            raise failures.unanswered(
                exc, str(self._http.base_url), answered=self._answered, path="oauth/token"
            ) from exc
        self._proxy_page("oauth/token", response, first=not self._answered)
        self._answered = True
        self.last_request_id = shorten(response.headers.get("requestId") or "", 100) or None
        return response

    async def _grant(self, form: dict[str, str]) -> Grant:
        response = await self._token_call(form)
        if response.status_code in RETRYABLE:
            raise RetryableError(
                t("http_status_answer", path="oauth/token", status=response.status_code),
                status=response.status_code,
            )
        try:
            body = answers.loads(response.content)
        except ValueError:
            body = {}
        token = _field(body, "access_token", "accessToken") if isinstance(body, dict) else None
        if response.status_code != 200 or not token:
            c = self._credentials
            error = _field(body, "error_description", "error") if isinstance(body, dict) else None
            pair = f"{c.client_id}:{c.client_secret}"  # in base64, the Basic header
            secrets = (c.client_secret, c.password, *self.auth.secrets(), pair)
            said = scrub(error, secrets=secrets, limit=200) if error else response.status_code
            raise AuthError(f"{gateway_message(401)} ({said})", status=response.status_code)
        lifetime = None
        with contextlib.suppress(TypeError, ValueError):
            lifetime = float(_field(body, "expires_in", "expiresIn"))
        refresh = _field(body, "refresh_token", "refreshToken")
        return Grant(
            str(token),
            str(refresh) if refresh else None,
            lifetime=lifetime,
            server_time=server_date(response),
        )

    async def _password_grant(self) -> Grant:
        c = self._credentials
        grant = await self._grant(
            {"grant_type": "password", "username": c.username, "password": c.password}
        )
        self.renewals["password"] += 1
        log.info("maxa_token", grant="password", request_id=self.last_request_id)
        return grant

    async def _refresh_grant(self, held: Token) -> Grant:
        grant = await self._grant(
            {"grant_type": "refresh_token", "refresh_token": held.refresh or ""}
        )
        self.renewals["refresh"] += 1
        log.info("maxa_token", grant="refresh_token")
        return grant

    async def authenticate(self) -> None:
        self.auth.store(await self._password_grant())

    # -- calls -----------------------------------------------------------------------------

    async def call(
        self, function: str, body: dict[str, Any], method: str = "POST"
    ) -> tuple[bool, Any]:
        """(found, data) for one function, retried on 429/5xx/timeouts."""
        result, _ = await self._policy.run(lambda: self._call_once(function, body, method))
        return result

    async def _call_once(
        self, function: str, body: dict[str, Any], method: str
    ) -> tuple[bool, Any]:
        try:
            response = await self._http.request(
                method,
                BASE_PATH + function,
                headers=self._headers(),
                content=json.dumps(body, ensure_ascii=False).encode(),
                auth=self.auth,  # the token, renewed once after a 401 (``net.auth``)
            )
        except httpx.TransportError as exc:
            raise failures.unanswered(
                exc, str(self._http.base_url), answered=self._answered, path=function
            ) from exc
        self._proxy_page(function, response, first=False)
        self.last_request_id = shorten(response.headers.get("requestId") or "", 100) or None
        return self._unwrap(function, response.status_code, self._json(function, response))

    def _json(self, function: str, response: httpx.Response) -> dict[str, Any]:
        """The answer's envelope. A success that is not JSON (a login page, a body cut short),
        JSON nested too deeply, or a bare value instead of the envelope is ``NotTheApi``; a
        bare list is taken as the data. A refusal's body is read if it can be."""
        try:
            body = answers.loads(response.content)
        except answers.TooDeep as exc:
            raise self._not_envelope(function, "deep") from exc
        except ValueError as exc:
            if response.is_success:
                raise _not_the_api(function, response) from exc
            return {}
        if isinstance(body, dict):
            return body
        if isinstance(body, list):
            return {"result": {"data": body}}
        if response.is_success:
            raise self._not_envelope(function, answers.kind(body))
        return {}

    def _not_envelope(self, function: str, shape: str) -> NotTheApi:
        text = t(
            "maxa_not_envelope",
            function=function,
            what=t(f"shape_{shape}"),
            request_id=self.last_request_id or "-",
        )
        return NotTheApi(text, status=200, trace_id=self.last_request_id)

    def _bad_data(self, function: str, shape: str) -> NotTheApi:
        """``data`` is not what the guide documents for ``function`` (``shape`` says what it
        is, an ``answers`` code): never an answer."""
        text = t(
            "maxa_bad_data",
            function=function,
            what=t(f"shape_{shape}"),
            request_id=self.last_request_id or "-",
        )
        return NotTheApi(text, status=200, trace_id=self.last_request_id)

    def _unwrap(
        self, function: str, http_status: int, envelope: dict[str, Any]
    ) -> tuple[bool, Any]:
        """(found, data as it came): found is False for "not found" (an inner 404) and for an
        envelope without ``data``."""
        outer = _field(envelope, "status")
        outer_code = _field(outer, "statusCode") if isinstance(outer, dict) else None
        code = self._status(function, outer_code, http_status)
        rid = self.last_request_id
        if http_status in RETRYABLE or code in RETRYABLE:
            failing = code if code in RETRYABLE else http_status
            raise RetryableError(
                t("maxa_refused", function=function, message=gateway_message(failing)),
                status=failing,
                trace_id=rid,
            )
        if http_status >= 400 or code not in (200, 202):
            failing = code if code not in (200, 202) else http_status
            raise MaxaError(
                t(
                    "maxa_refused_id",
                    function=function,
                    message=gateway_message(failing),
                    request_id=rid or "-",
                ),
                status=failing,
                trace_id=rid,
            )
        result = _field(envelope, "result")
        if not isinstance(result, dict):
            raise UnexpectedResponse(t("maxa_no_result", function=function, request_id=rid or "-"))
        inner = _field(result, "status")
        inner_code = (
            self._status(function, _field(inner, "statusCode"), 200)
            if isinstance(inner, dict)
            else 200
        )
        if inner_code == 404:
            return False, None
        if inner_code not in (200, 202):
            raise MaxaError(
                t(
                    "maxa_refused_id",
                    function=function,
                    message=gateway_message(inner_code),
                    request_id=rid or "-",
                ),
                status=inner_code,
                trace_id=rid,
            )
        if not any(str(k).lower() == "data" for k in result):
            return False, None
        return True, _field(result, "data")

    def _status(self, function: str, value: Any, default: int) -> int:
        """A status code of the envelope; one that is not a whole number is not the API's."""
        if value is None or value == "":
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise self._not_envelope(function, answers.kind(value))

    # -- the documented shape of each function's data --------------------------------------

    def _text(self, function: str, data: Any) -> str:
        """Terminology, TerminologyValueByVersion: the value, a JSON-encoded string (one not
        encoded is taken as it is); a number, a list, null … is not a value."""
        if not isinstance(data, str):
            raise self._bad_data(function, answers.kind(data))
        try:
            decoded = answers.loads(data)
        except answers.TooDeep as exc:
            raise self._bad_data(function, "deep") from exc
        except ValueError:
            return data  # not encoded: the value itself
        if not isinstance(decoded, str):
            raise self._bad_data(function, answers.kind(decoded))
        return decoded

    def _list(self, function: str, data: Any, of: type) -> list[Any]:
        """A list whose every element is an ``of`` (it may come as a JSON string)."""
        try:
            decoded = decode_data(data)
        except answers.TooDeep as exc:
            raise self._bad_data(function, "deep") from exc
        if not isinstance(decoded, list):
            raise self._bad_data(function, answers.kind(decoded))
        if not all(isinstance(x, of) for x in decoded):
            raise self._bad_data(function, "values")
        return decoded

    # -- a large answer, read as it arrives ------------------------------------------------

    async def stream_terms(
        self,
        terminology: str,
        version: str,
        restart: Callable[[], None],
        take: Callable[[list[Term]], None],
    ) -> int:
        """Every term of one version, handed to ``take`` in batches while the answer arrives
        (TerminologiesTermByVersion): a SNOMED-sized version is never held whole. The
        answer's status comes after its data, so what was taken counts only once this
        returns; a retried attempt calls ``restart`` first. The number of terms taken."""
        body = {"terminologyId": terminology.strip(), "version": str(version)}
        function = "TerminologiesTermByVersion"

        async def attempt() -> int:
            # Driven here, not by httpx: the 401 inside a 200 is known only once the whole
            # streamed answer is read, so the flow's "renew once and try again" is repeated.
            for _ in (1, 2):
                restart()
                token = await self.auth.token()
                streamed = await self._stream_once(function, body, token, take)
                if streamed is not None:
                    return streamed
                await self.auth.renew(token)
            raise self.auth.strategy.refused_twice(httpx.Request("POST", BASE_PATH + function))

        count, _ = await self._policy.run(attempt)
        return count

    async def _stream_once(
        self,
        function: str,
        body: dict[str, Any],
        token: str,
        take: Callable[[list[Term]], None],
    ) -> int | None:
        """One streamed TerminologiesTermByVersion: the number of terms taken, or None when
        the gateway refused the token (a 401, or its 401 shape under a 200)."""
        try:
            async with self._http.stream(
                "POST",
                BASE_PATH + function,
                headers={**self._headers(), **self.auth.strategy.headers(token)},
                content=json.dumps(body, ensure_ascii=False).encode(),
            ) as response:
                self.last_request_id = shorten(response.headers.get("requestId") or "", 100) or None
                self._proxy_page(function, response, first=False)
                if response.status_code == 200:
                    return await self._read_terms(function, response, take)
                await response.aread()
        except httpx.TransportError as exc:
            raise failures.unanswered(
                exc, str(self._http.base_url), answered=self._answered, path=function
            ) from exc
        if response.status_code == 401:
            return None
        found, data = self._unwrap(function, response.status_code, self._json(function, response))
        terms = [to_term(r) for r in self._list(function, data, dict)] if found else []
        if terms:
            take(terms)
        return len(terms)

    async def _read_terms(  # noqa: C901 -- a parser fed piece by piece; each guard is one
        self, function: str, response: httpx.Response, take: Callable[[list[Term]], None]
    ) -> int | None:
        """Parse a 200 answer's events as they arrive: terms to ``take`` in batches, the
        statuses checked at the end. None when the body is the gateway's 401 shape. The data
        must be a list of term objects (or a JSON string holding one), nested no deeper than
        ``answers.MAX_DEPTH``: anything else is ``NotTheApi``, not an empty version."""
        events = ijson.sendable_list()
        parser = ijson.parse_coro(events)
        stream = _TermStream(take)
        started = False
        try:
            async for chunk in response.aiter_bytes():
                if not started and chunk.strip():
                    started = True
                    if chunk.lstrip()[:1] not in (b"{", b"["):
                        raise _not_the_api(function, response)
                # Fed in small pieces, the depth checked after each: the parser names every
                # event by its whole path, so one large piece of 200,000 "[" would cost it
                # gigabytes before the first event could be looked at.
                for at in range(0, len(chunk), PIECE):
                    parser.send(chunk[at : at + PIECE])
                    for prefix, event, value in events:
                        stream.event(prefix.lower(), event, value)
                    del events[:]
                    if stream.deepest > answers.MAX_DEPTH:
                        raise self._bad_data(function, "deep")
            parser.close()
        except ijson.JSONError as exc:
            if not started:
                raise _not_the_api(function, response) from exc
            raise RetryableError(t("maxa_cut_short", function=function)) from exc
        if stream.statuses.get("code") == 401:
            return None
        outer = stream.statuses.get("status.statuscode", 200)
        inner = stream.statuses.get("result.status.statuscode", 200)
        result: dict[str, Any] = {"status": {"statusCode": inner}}
        if stream.data_event is not None:
            result["data"] = stream.whole  # the list itself went to ``take`` as it came
        envelope: dict[str, Any] = {"status": {"statusCode": outer}, "result": result}
        if not stream.has_result:
            envelope = {"status": {"statusCode": outer}}  # no result, no list of terms
        found, _data = self._unwrap(function, 200, envelope)
        if not found:
            return 0
        if stream.data_event == "string":  # the quirk: the list came as a JSON string
            stream.batch += [to_term(r) for r in self._list(function, stream.whole, dict)]
        elif stream.data_event != "start_array":
            shape = _EVENT_SHAPES.get(stream.data_event or "", "object")
            raise self._bad_data(function, shape)
        elif stream.odd_item is not None:
            raise self._bad_data(function, "values")
        return stream.flush()

    def _headers(self) -> dict[str, str]:
        """The headers of every call besides the token's."""
        return {
            "pid": self._credentials.pid,
            "Content-Type": "application/json",
        }

    # -- the seven functions ---------------------------------------------------------------

    async def terminology(self, terminology: str, code: str) -> str | None:
        function = "Terminology"
        found, data = await self.call(
            function,
            {"terminologyId": terminology.strip(), "codedString": code.strip()},
            "GET",
        )
        return self._text(function, data) if found else None

    async def search_terminology(self, terminology: str, since: date) -> list[Term]:
        function = "SearchTerminology"
        found, data = await self.call(
            function,
            {"TerminologyId": terminology.strip(), "FromDate": from_date(since)},
        )
        return [to_term(r) for r in self._list(function, data, dict)] if found else []

    async def validate_cts(self, terminology: str, code: str, value: str) -> bool:
        function = "ValidateCts"
        found, data = await self.call(
            function,
            {
                "DoCodedText": {
                    "valueField": value,
                    "terminology_idField": terminology.strip(),
                    "coded_stringField": code.strip(),
                }
            },
        )
        if not found:
            return False
        try:
            decoded = decode_data(data)
        except answers.TooDeep as exc:
            raise self._bad_data(function, "deep") from exc
        if isinstance(decoded, bool):
            return decoded
        if isinstance(decoded, str) and decoded.strip().lower() in ("true", "false"):
            return decoded.strip().lower() == "true"
        raise self._bad_data(function, answers.kind(decoded))

    async def cts_terminologies(self, since: date) -> list[str]:
        function = "CtsTerminologies"
        found, data = await self.call(function, {"FromDate": from_date(since)})
        return list(self._list(function, data, str)) if found else []

    async def value_by_version(self, terminology: str, code: str, version: str) -> str | None:
        function = "TerminologyValueByVersion"
        found, data = await self.call(
            function,
            {
                "terminologyId": terminology.strip(),
                "codedString": code.strip(),
                "version": str(version),
            },
        )
        return self._text(function, data) if found else None

    async def terms_by_version(self, terminology: str, version: str) -> list[Term]:
        """Every term of a version in one list (``stream_terms`` for a large one)."""
        terms: list[Term] = []
        await self.stream_terms(terminology, version, terms.clear, terms.extend)
        return terms

    async def versions(self, terminology: str) -> list[Version]:
        function = "TerminologyVersions"
        found, data = await self.call(function, {"terminologyId": terminology.strip()})
        if not found:
            return []
        out = []
        for r in self._list(function, data, dict):
            vid, rid = _field(r, "VersionId"), _field(r, "id")
            version = _field(r, "Version")
            if version is None or not _whole(vid) or not _whole(rid):
                raise self._bad_data(function, "values")
            out.append(
                Version(
                    str(version),
                    int(vid) if vid is not None else None,
                    bool(_field(r, "IsLast")),
                    int(rid) if rid is not None else None,
                    str(_field(r, "TerminologyId") or terminology),
                )
            )
        return out


def _whole(value: Any) -> bool:
    """None, or a whole number (as a number or digits)."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()
