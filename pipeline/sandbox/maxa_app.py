"""The DITAS/MAXA half of the sandbox: the token endpoint and the seven terminology functions
with the gateway's envelope, its error shapes, the ``pid`` header and short-lived tokens.

Seeded from ``maxa_seed.json`` with the guide's examples: the list of terminology ids,
thritaEHR.Religion, ContactType, IRC, and eRX in three versions where codes are added, removed,
renamed and restored (60350 is in 1000, not in 10000, back in 11000). With
``generated_terms`` SNOMEDCT gets a version of that many made-up terms, answered as a stream,
for pulls at full size.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any, cast
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from pipeline.sandbox.settings import SandboxSettings
from pipeline.sandbox.simad_app import same_secret

BASE = "/api/client/apim/v1/maksaservice/gwmaksa"
# One of the seven functions: the request's body with its keys in lower case, and as sent.
Handler = Callable[[dict[str, Any], dict[str, Any]], Response]
GATEWAY_MESSAGES = {
    200: "OK",
    400: "Bad request.",
    401: "Credential is not valid!",
    404: "Not Found!",
    429: "Too many requests or Access denied!",
}


@cache
def seed() -> dict[str, Any]:
    text = (resources.files("pipeline.sandbox") / "maxa_seed.json").read_text(encoding="utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


def _key(terminology: Any) -> str:
    return str(terminology or "").strip().lower()


def _jalali(text: str) -> tuple[int, int, int]:
    y, m, d = (int(p) for p in text.split("/"))
    return y, m, d


def _from_date(body: dict[str, Any]) -> tuple[int, ...] | None:
    """The FromDate object (Solar Hijri parts) as a comparable tuple."""
    lowered = {k.lower(): v for k, v in body.items()}
    raw = lowered.get("fromdate")
    if not isinstance(raw, dict):
        return None
    parts = {k.lower(): v for k, v in raw.items()}
    try:
        return tuple(int(parts.get(f"{n}field") or 0) for n in ("year", "month", "day"))
    except (TypeError, ValueError):
        return None


class GeneratedTerms(Mapping[str, str]):
    """``count`` made-up terms, made when asked for: a SNOMED-sized version without holding
    it. Codes are eight digits from 10000000; names read like concepts of several words."""

    FIRST = 10_000_000
    WORDS = ("acute", "chronic", "structure of", "finding of", "procedure on", "لوله", "بافت")

    def __init__(self, count: int):
        self.count = count

    def __getitem__(self, code: str) -> str:
        n = int(code) - self.FIRST if code.isdigit() and len(code) == 8 else -1
        if not 0 <= n < self.count:
            raise KeyError(code)
        word = self.WORDS[n % len(self.WORDS)]
        return f"Sandbox concept {n:06d} — {word} {n % 977} (finding)"

    def __iter__(self) -> Iterator[str]:
        return (str(self.FIRST + n) for n in range(self.count))

    def __len__(self) -> int:
        return self.count


STREAM_CHUNK = 2000  # terms per piece of a streamed answer


def answer_pieces(name: str, terms: Mapping[str, str]) -> Iterator[bytes]:
    """TerminologiesTermByVersion's answer, in pieces of ``STREAM_CHUNK`` terms."""
    yield b'{"result": {"data": ['
    batch: list[str] = []
    for n, (code, value) in enumerate(terms.items()):
        term = {"valueField": value, "terminology_idField": name, "coded_stringField": code}
        batch.append(("," if n else "") + json.dumps(term, ensure_ascii=False))
        if len(batch) == STREAM_CHUNK:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode()
    yield b'], "status": {"statusCode": 200}}, '
    yield b'"status": {"statusCode": 200, "message": "OK"}}'


class MaxaSandbox:
    def __init__(self, settings: SandboxSettings):
        self.settings = settings
        self.tokens: dict[str, tuple[float, str]] = {}  # access → (expires, refresh)
        self.refresh_tokens: set[str] = set()
        data = seed()
        self.created = {
            _key(t["id"]): (t["id"], _jalali(t["created"])) for t in data["terminologies"]
        }
        self.versions: dict[str, list[dict[str, Any]]] = {
            _key(tid): versions for tid, versions in data["versions"].items()
        }
        self.terms: dict[str, list[tuple[str, str, tuple[int, int, int]]]] = {
            _key(tid): [(code, value, _jalali(day)) for code, value, day in rows]
            for tid, rows in data["terms"].items()
        }
        for tid, versions in data["versions"].items():
            latest = next(v for v in versions if v["IsLast"])
            day = self.created[_key(tid)][1]
            self.terms[_key(tid)] = [(c, v, day) for c, v in latest["terms"].items()]
        # Every terminology listed has a version, so each can be pulled and diffed: the
        # guide's terms where it gives some (Religion, ContactType), else a few illustrative
        # ones made up here, marked as such.
        for key, (name, day) in self.created.items():
            if key in self.versions:
                continue
            if key not in self.terms:
                self.terms[key] = [
                    (f"{n:03d}", f"{name} — sandbox sample term {n}", day) for n in (1, 2, 3)
                ]
            terms = {code: value for code, value, _ in self.terms[key]}
            self.versions[key] = [
                {
                    "id": 1000 + len(self.versions),
                    "Version": "1",
                    "VersionId": 1,
                    "IsLast": True,
                    "terms": terms,
                }
            ]
        if settings.generated_terms:
            first = self.versions["snomedct"][0]
            first["IsLast"] = False
            big = {"id": 2000, "Version": "2", "VersionId": 2, "IsLast": True}
            self.versions["snomedct"].append(
                {**big, "terms": GeneratedTerms(settings.generated_terms)}
            )

    # -- envelope --------------------------------------------------------------------------

    @staticmethod
    def envelope(
        data: Any = None, inner: int = 200, outer: int = 200, http: int = 200
    ) -> JSONResponse:
        result: dict[str, Any] = {"status": {"statusCode": inner}}
        if inner == 200:
            result = {"data": data, **result}
        body = {
            "result": result,
            "status": {"statusCode": outer, "message": GATEWAY_MESSAGES.get(outer, "")},
        }
        return JSONResponse(body, status_code=http, headers={"requestId": str(uuid.uuid4())})

    @staticmethod
    def gateway_error(code: int, http: int) -> JSONResponse:
        body = {"status": {"statusCode": code, "message": GATEWAY_MESSAGES.get(code, "")}}
        return JSONResponse(body, status_code=http, headers={"requestId": str(uuid.uuid4())})

    # -- token -----------------------------------------------------------------------------

    def _client_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            pair = base64.b64decode(header[6:].strip())
        except ValueError:
            return False
        expected = f"{self.settings.maxa_client_id}:{self.settings.maxa_client_secret}"
        return secrets.compare_digest(pair, expected.encode())

    async def token(self, request: Request) -> Response:
        rid = {"requestId": str(uuid.uuid4())}
        if not self._client_ok(request):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Bad client credentials"},
                status_code=401,
                headers=rid,
            )
        form = {
            k: v[0]
            for k, v in parse_qs(
                (await request.body()).decode("utf-8", "replace"), keep_blank_values=True
            ).items()
        }
        grant = form.get("grant_type")
        if grant == "password":
            users = self.settings.maxa_users
            user, password = str(form.get("username", "")), str(form.get("password", ""))
            if user not in users or not same_secret(password, users[user]):
                return self._bad_grant(rid)
            refresh = str(uuid.uuid4())
            self.refresh_tokens.add(refresh)
        elif grant == "refresh_token":
            refresh = str(form.get("refresh_token", ""))
            if refresh not in self.refresh_tokens:
                return self._bad_grant(rid)
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400, headers=rid)
        access = str(uuid.uuid4())
        ttl = self.settings.maxa_token_ttl
        self.tokens[access] = (self.settings.clock() + ttl, refresh)
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "bearer",
                "refresh_token": refresh,
                "expires_in": int(ttl),
                "scope": "trust read write",
            },
            headers=rid,
        )

    @staticmethod
    def _bad_grant(rid: dict[str, str]) -> JSONResponse:
        return JSONResponse(
            {"error": "invalid_grant", "error_description": "Bad credentials"},
            status_code=400,
            headers=rid,
        )

    def _denied(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        entry = self.tokens.get(token)
        if entry is None or entry[0] <= self.settings.clock():
            return JSONResponse(
                {"status": 0, "code": 401, "msg": "", "violations": []},
                status_code=401,
                headers={"requestId": str(uuid.uuid4())},
            )
        pid = request.headers.get("pid")
        if not pid:
            return self.gateway_error(400, 400)
        if pid != self.settings.maxa_pid:
            return self.gateway_error(429, 429)  # "no permission" shares the 429 code
        return None

    async def _body(self, request: Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return None
        return cast("dict[str, Any]", body) if isinstance(body, dict) else None

    # -- the seven functions ---------------------------------------------------------------

    def _function(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if (denied := self._denied(request)) is not None:
                return denied
            body = await self._body(request)
            if body is None:
                return self.envelope(inner=400, outer=400, http=400)
            return handler({k.lower(): v for k, v in body.items()}, body)

        return endpoint

    def _version(self, tid: Any, version: Any) -> dict[str, Any] | None:
        for v in self.versions.get(_key(tid), []):
            if str(v["Version"]) == str(version).strip():
                return v
        return None

    def _latest(self, tid: Any) -> Mapping[str, str]:
        versions = self.versions.get(_key(tid), [])
        return next((v["terms"] for v in versions if v["IsLast"]), {})

    def terminology(self, b: dict[str, Any], _raw: dict[str, Any]) -> Response:
        value = self._latest(b.get("terminologyid")).get(str(b.get("codedstring", "")).strip())
        if value is None:
            return self.envelope(inner=404)
        return self.envelope(json.dumps(value, ensure_ascii=False))

    def search(self, b: dict[str, Any], raw: dict[str, Any]) -> Response:
        since = _from_date(raw)
        tid = _key(b.get("terminologyid"))
        if since is None or tid not in self.terms:
            return (
                self.envelope(inner=404) if since else self.envelope(inner=400, outer=400, http=400)
            )
        name = self.created.get(tid, (tid,))[0]
        found = [
            {"valueField": v, "terminology_idField": name, "coded_stringField": c}
            for c, v, day in self.terms[tid]
            if day >= since
        ]
        return self.envelope(found) if found else self.envelope(inner=404)

    def validate(self, b: dict[str, Any], _raw: dict[str, Any]) -> Response:
        coded = b.get("docodedtext")
        if not isinstance(coded, dict):
            return self.envelope(inner=400, outer=400, http=400)
        c = {k.lower(): v for k, v in coded.items()}
        tid = _key(c.get("terminology_idfield"))
        if tid not in self.terms:
            return self.envelope(inner=404)
        value = self._latest(tid).get(str(c.get("coded_stringfield", "")).strip())
        ok = value is not None and value == str(c.get("valuefield", "")).strip()
        return self.envelope("true" if ok else "false")

    def terminologies(self, _b: dict[str, Any], raw: dict[str, Any]) -> Response:
        since = _from_date(raw)
        if since is None:
            return self.envelope(inner=400, outer=400, http=400)
        found = [name for name, day in self.created.values() if day >= since]
        return self.envelope(found) if found else self.envelope(inner=404)

    def value_by_version(self, b: dict[str, Any], _raw: dict[str, Any]) -> Response:
        version = self._version(b.get("terminologyid"), b.get("version"))
        value = version["terms"].get(str(b.get("codedstring", "")).strip()) if version else None
        return (
            self.envelope(json.dumps(value, ensure_ascii=False))
            if value
            else self.envelope(inner=404)
        )

    def terms_by_version(self, b: dict[str, Any], _raw: dict[str, Any]) -> Response:
        version = self._version(b.get("terminologyid"), b.get("version"))
        if version is None:
            return self.envelope(inner=404)
        name = self.created[_key(b.get("terminologyid"))][0]
        return self._stream(name, version["terms"])

    @staticmethod
    def _stream(name: str, terms: Mapping[str, str]) -> Response:
        """The envelope of a term list written piece by piece, as a server streaming a large
        answer does: a SNOMED-sized version is never one string in memory."""
        return StreamingResponse(
            answer_pieces(name, terms),
            media_type="application/json",
            headers={"requestId": str(uuid.uuid4())},
        )

    def versions_of(self, b: dict[str, Any], _raw: dict[str, Any]) -> Response:
        tid = b.get("terminologyid") or b.get("terminology_idfield")
        versions = self.versions.get(_key(tid))
        if not versions:
            return self.envelope(inner=404)
        name = self.created[_key(tid)][0]
        return self.envelope(
            [
                {
                    "id": v["id"],
                    "TerminologyId": name,
                    "Version": v["Version"],
                    "VersionId": v["VersionId"],
                    "IsLast": v["IsLast"],
                }
                for v in versions
            ]
        )

    def routes(self) -> list[Route]:
        functions = {
            "Terminology": (self.terminology, ["GET", "POST"]),
            "SearchTerminology": (self.search, ["POST"]),
            "ValidateCts": (self.validate, ["POST"]),
            "CtsTerminologies": (self.terminologies, ["POST"]),
            "TerminologyValueByVersion": (self.value_by_version, ["POST"]),
            "TerminologiesTermByVersion": (self.terms_by_version, ["POST"]),
            "TerminologyVersions": (self.versions_of, ["POST"]),
        }
        return [Route("/oauth/token", self.token, methods=["POST"])] + [
            Route(f"{BASE}/{name}", self._function(handler), methods=methods)
            for name, (handler, methods) in functions.items()
        ]
