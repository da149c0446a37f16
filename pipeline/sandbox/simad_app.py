"""The SIMAD half of the sandbox: the paths, bodies, status codes and error texts of A.1/A.2.

Business refusals are 400 problem details whose ``detail`` is a JSON object (as a string)
mapping an id to a Persian message, as the guide shows; binding failures are 400
``ValidationProblemDetails`` with ``errors``. A POST that succeeds answers 200 with no body.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from pipeline.sandbox import rules
from pipeline.sandbox.binding import DECLARATION_FIELDS, IMAGE_FIELDS, RESIDENT_FIELDS, bind
from pipeline.sandbox.settings import SandboxSettings
from pipeline.sandbox.store import SandboxStore

TEHRAN = timezone(timedelta(hours=3, minutes=30))
PROBLEM_TYPE = "https://tools.ietf.org/html/rfc7231#section-6.5.1"
INVALID_CLIENT = "Invalid client request. User or token is null"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
TITLE_INSERT = "خطا در درج اطلاعات"

MSG = {
    "not_found": " این دستیار پیدا نشد",
    "national_code": "کد ملی نامعتبر است",
    "course": "کد رشته تحصیلی نامعتبر است",
    "start_year": "سال شروع دستیاری نامعتبر است",
    "year": "سال ارتقا نامعتبر است",
    "duration": "سال دستیاری باید یکی از ۱ تا ۵ باشد",
    "gender": "جنسیت نامعتبر است",
    "triple": "دستیار دیگری با همین کد ملی، کد رشته و سال شروع دستیاری ثبت شده است",
    "dates": "تاریخ پایان دوره نباید پیش از تاریخ شروع باشد",
    "declare_code": "کد معرفی نامعتبر است",
    "declaration_type": "وضعیت معرفی نامعتبر است",
    "reject_reason": "دلیل عدم معرفی نامعتبر است",
    "reject_required": "برای عدم معرفی، دلیل عدم معرفی الزامی است",
    "reject_forbidden": "برای دستیار معرفی‌شده، دلیل عدم معرفی نباید پر شود",
    "end_required": "برای گواهینامه، تاریخ پایان دوره الزامی است",
    "image_type": "تصویر باید با قالب JPG باشد",
    "image_size": "حجم تصویر بیش از حد مجاز است",
    "score": "{name} باید عددی بین ۰ و {high} باشد",
}
SCORES = {
    "BaliniScore": ("نمره صلاحیت بالینی", 60),
    "OperationScore": ("نمره عملکرد بالینی", 60),
    "EthicsScore": ("نمره اخلاق حرفه‌ای", 30),
}


def trace_id() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def problem(messages: list[str], title: str = TITLE_INSERT) -> JSONResponse:
    detail = json.dumps(
        {str(uuid.uuid4()): m for m in messages}, ensure_ascii=False, separators=(",", ":")
    )
    body = {
        "type": PROBLEM_TYPE,
        "title": title,
        "status": 400,
        "detail": detail,
        "traceId": trace_id(),
    }
    return JSONResponse(body, status_code=400, media_type="application/problem+json")


def validation_problem(errors: dict[str, list[str]]) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE,
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": errors,
        "traceId": trace_id(),
    }
    return JSONResponse(body, status_code=400, media_type="application/problem+json")


def same_secret(given: object, expected: str) -> bool:
    """Whether ``given`` is ``expected``, in constant time, whatever its characters (Persian,
    NUL, a lone surrogate from a ``\\ud800`` escape) or its type: a wrong one is only wrong."""
    if not isinstance(given, str):
        return False
    return secrets.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=None)


def _year_ok(year: int) -> bool:
    return 1350 <= year <= 1500


class SimadSandbox:
    """Request handlers bound to one store and one set of settings."""

    def __init__(self, store: SandboxStore, settings: SandboxSettings):
        self.store = store
        self.settings = settings

    # -- tokens ----------------------------------------------------------------------------

    def _issue(self, username: str) -> tuple[str, str, float]:
        now = self.settings.clock()
        access = secrets.token_urlsafe(96)
        refresh = secrets.token_urlsafe(32)
        expires = now + self.settings.token_ttl
        self.store.add_token(access, refresh, username, expires, now + self.settings.refresh_ttl)
        return access, refresh, expires

    async def authenticate(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return PlainTextResponse("API key is missing.", status_code=403)
        lowered = {str(k).lower(): v for k, v in body.items()}
        username, password = lowered.get("username"), lowered.get("password")
        if not username or not password:
            return PlainTextResponse("API key is missing.", status_code=403)
        if not isinstance(username, str) or username not in self.settings.users:
            return PlainTextResponse("Username not found", status_code=404)
        if not same_secret(password, self.settings.users[username]):
            return PlainTextResponse("Incorrect username or password", status_code=403)
        access, refresh, expires = self._issue(username)
        return JSONResponse(
            {
                " Token": access,
                "RefreshToken": refresh,
                "expires": datetime.fromtimestamp(expires, TEHRAN).isoformat(),
                "displayName": "ServiceUser",
            }
        )

    async def _token_pair(self, request: Request) -> tuple[Any, str] | None:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        lowered = {str(k).lower(): v for k, v in body.items()}
        access, refresh = lowered.get("accesstoken"), lowered.get("refreshtoken")
        if not isinstance(access, str) or not isinstance(refresh, str) or not access:
            return None
        return self.store.token(access), refresh

    async def refresh(self, request: Request) -> Response:
        pair = await self._token_pair(request)
        if pair is None or pair[0] is None:
            return PlainTextResponse(INVALID_CLIENT, status_code=400)
        row, refresh = pair
        now = self.settings.clock()
        if row["revoked"] or row["refresh"] != refresh or row["refresh_expires"] <= now:
            return PlainTextResponse(INVALID_CLIENT, status_code=400)
        self.store.revoke_token(row["access"])
        access, new_refresh, _ = self._issue(row["username"])
        return JSONResponse({" Token": access, "RefreshToken": new_refresh})

    async def revoke(self, request: Request) -> Response:
        pair = await self._token_pair(request)
        if pair is None or pair[0] is None:
            return PlainTextResponse(INVALID_CLIENT, status_code=400)
        row, refresh = pair
        if row["refresh"] != refresh:
            return PlainTextResponse("Invalid attempt!  Tokens do not match", status_code=403)
        self.store.revoke_token(row["access"])
        return Response(status_code=200)

    def _unauthorized(self, request: Request) -> Response | None:
        """None when the request carries a live token, else the 401 the server would send."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        token = token or request.headers.get("token", "").strip()
        if not token:
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        row = self.store.token(token)
        if row is None or row["revoked"]:
            return Response(
                status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        if row["expires"] <= self.settings.clock():
            when = datetime.fromtimestamp(row["expires"], UTC).strftime("%m/%d/%Y %H:%M:%S")
            return Response(
                status_code=401,
                headers={
                    "WWW-Authenticate": f'Bearer error="invalid_token", '
                    f"error_description=\"The token expired at '{when}'\""
                },
            )
        return None

    # -- data calls ------------------------------------------------------------------------

    async def add_resident(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        values, errors = bind(await request.body(), RESIDENT_FIELDS)
        if errors:
            return validation_problem(errors)
        messages = self._resident_messages(values)
        if messages:
            return problem(messages)
        self.store.upsert_resident(values, self.settings.clock())
        return Response(status_code=200)

    def _resident_messages(self, v: dict[str, Any]) -> list[str]:
        out = []
        code = v["NationalCode"].strip()
        if v["IsIrani"] and not rules.national_code_ok(code):
            out.append(MSG["national_code"])
        if v["CourseStudyCode"].strip() not in self.settings.course_codes:
            out.append(MSG["course"])
        if not _year_ok(v["ResidencyStartYear"]):
            out.append(MSG["start_year"])
        if v["DurationId"] not in rules.DURATIONS:
            out.append(MSG["duration"])
        if v["GenderId"] not in rules.GENDERS:
            out.append(MSG["gender"])
        end, start = _date(v["EndResidencyDate"]), _date(v["StartResidencyDate"])
        if end is not None and start is not None and end < start:
            out.append(MSG["dates"])
        owner = self.store.triple_owner(code, v["CourseStudyCode"], v["ResidencyStartYear"])
        if owner is not None and owner != v["StudentNumber"]:
            out.append(MSG["triple"])
        return out

    async def upload_image(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        values, errors = bind(await request.body(), IMAGE_FIELDS)
        if errors:
            return validation_problem(errors)
        image: bytes = values["Image"] or b""
        if self.store.resident(values["StudentNumber"]) is None:
            return problem([MSG["not_found"]])
        if not image.startswith(b"\xff\xd8\xff"):
            return problem([MSG["image_type"]])
        if len(image) > MAX_IMAGE_BYTES:
            return problem([MSG["image_size"]])
        self.store.upsert_image(
            values["StudentNumber"],
            len(image),
            hashlib.sha256(image).hexdigest(),
            self.settings.clock(),
        )
        return Response(status_code=200)

    async def add_declaration(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        values, errors = bind(await request.body(), DECLARATION_FIELDS)
        if errors:
            return validation_problem(errors)
        if self.store.resident(values["StudentNumber"]) is None:
            return problem([MSG["not_found"]])
        messages = self._declaration_messages(values)
        if messages:
            return problem(messages)
        self.store.upsert_declaration(values, self.settings.clock())
        return Response(status_code=200)

    @staticmethod
    def _declaration_messages(v: dict[str, Any]) -> list[str]:
        out = []
        if not _year_ok(v["YearId"]):
            out.append(MSG["year"])
        if v["DeclareCode"] not in rules.DECLARE_CODES:
            out.append(MSG["declare_code"])
        if v["DeclarationTypeId"] not in rules.DECLARATION_TYPES:
            out.append(MSG["declaration_type"])
        reason = v["RejectReasonTypeId"]
        if reason is not None and reason not in rules.REJECT_REASONS:
            out.append(MSG["reject_reason"])
        if v["DeclarationTypeId"] == 2 and reason is None:
            out.append(MSG["reject_required"])
        if v["DeclarationTypeId"] == 1 and reason is not None:
            out.append(MSG["reject_forbidden"])
        if v["DurationId"] not in rules.DURATIONS:
            out.append(MSG["duration"])
        for name, (title, high) in SCORES.items():
            if not 0 <= v[name] <= high:
                out.append(MSG["score"].format(name=title, high=rules.persian_digits(high)))
        end, start = _date(v["EndResidencyDate"]), _date(v["StartResidencyDate"])
        if v["DeclareCode"] == 10 and end is None:
            out.append(MSG["end_required"])
        if end is not None and start is not None and end < start:
            out.append(MSG["dates"])
        return out

    # -- queries ---------------------------------------------------------------------------

    def _filters(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        q = {k.lower(): v for k, v in request.query_params.items()}
        raw_year = q.get("yearid")
        if raw_year is None or raw_year == "":
            return None, validation_problem({"yearId": ["The yearId field is required."]})
        if not raw_year.lstrip("-").isdigit():
            return None, validation_problem({"yearId": [f"The value '{raw_year}' is not valid."]})
        course = q.get("coursestudycode") or None
        if course is not None and not course.isdigit():
            return None, validation_problem(
                {"courseStudyCode": [f"The value '{course}' is not valid."]}
            )
        return {
            "year_id": int(raw_year),
            "course_study_code": course,
            "national_code": q.get("nationalcode") or None,
            "student_number": q.get("studentnumber") or None,
        }, None

    async def get_declare_residents(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        filters, error = self._filters(request)
        if error is not None or filters is None:
            return error or Response(status_code=400)
        out = []
        for row in self.store.declarations(**filters):
            item = _camel(json.loads(row["payload"]))
            resident = json.loads(row["resident"])
            item.update(
                nationalCode=resident["NationalCode"],
                courseStudyCode=resident["CourseStudyCode"],
                firstName=resident["FirstName"],
                lastName=resident["LastName"],
                reviewStatusId=row["review_status_id"],
                reviewStatusTitle=rules.REVIEW_STATUSES.get(row["review_status_id"]),
                reviewDescription=row["review_description"],
            )
            out.append(item)
        return JSONResponse(out)

    async def get_final_results(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        filters, error = self._filters(request)
        if error is not None or filters is None:
            return error or Response(status_code=400)
        out = []
        for row in self.store.declarations(**filters):
            if row["final_result_id"] is None:
                continue
            payload, resident = json.loads(row["payload"]), json.loads(row["resident"])
            out.append(
                {
                    "studentNumber": row["student_number"],
                    "nationalCode": resident["NationalCode"],
                    "courseStudyCode": resident["CourseStudyCode"],
                    "firstName": resident["FirstName"],
                    "lastName": resident["LastName"],
                    "yearId": row["year_id"],
                    "declareCode": payload["DeclareCode"],
                    "finalResultId": row["final_result_id"],
                    "finalResultTitle": rules.FINAL_RESULTS.get(row["final_result_id"]),
                }
            )
        return JSONResponse(out)

    def routes(self) -> list[Route]:
        return [
            Route("/api/Token/authenticate", self.authenticate, methods=["POST"]),
            Route("/api/Token/refresh", self.refresh, methods=["POST"]),
            Route("/api/Token/revoke", self.revoke, methods=["POST"]),
            Route("/api2/Residents/AddOrUpdate", self.add_resident, methods=["POST"]),
            Route("/api2/Residents/UploadImage", self.upload_image, methods=["POST"]),
            Route(
                "/api2/DeclareResidentToUpgrades/AddOrUpdate",
                self.add_declaration,
                methods=["POST"],
            ),
            Route(
                "/api2/DeclareResidentToUpgrades/GetDeclareResidents",
                self.get_declare_residents,
                methods=["GET"],
            ),
            Route(
                "/api2/ResidentUpgrades/GetFinalResults", self.get_final_results, methods=["GET"]
            ),
        ]


def _camel(payload: dict[str, Any]) -> dict[str, Any]:
    return {k[0].lower() + k[1:]: v for k, v in payload.items()}
