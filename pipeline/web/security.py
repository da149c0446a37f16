"""The web app's guard on a shared office PC, one ASGI middleware in front of every route.

- The Host header must name the address the app was started on (a page of another site that
  points a name of its own at 127.0.0.1 — DNS rebinding — is refused).
- Every request carries the session secret in a cookie. The cookie is set once, from the
  one-time token: the address ``simad ui`` prints (typed by the user), or the launch page it
  opens the browser on (a file that POSTs the token to ``/launch``, so that the token is on no
  command line); the token stops working once used, and the launch file is deleted then.
  The cookie outlives a closed browser for a working day (``COOKIE_AGE``); it is worth
  nothing once the app stops (a new app has a new secret).
- Coming back: ``simad ui`` run again on this PC (the desktop shortcut, double-clicked again)
  finds the running app by its owner-only record under SIMAD_HOME and POSTs the record's door
  key to ``/again``; the app answers with a fresh one-time token and a launch page of its own
  for it (``Secrets.mint``), usable once, for ``FRESH_FOR`` seconds.
- A request that changes anything (POST) carries the CSRF token in ``X-CSRF-Token``.
- Bodies are limited in size (uploads: ``MAX_BODY`` bytes), counted as they arrive.
- Every answer carries a strict Content-Security-Policy and is never cached.
- The request's language is set here, once: everything behind the guard speaks it.
"""

from __future__ import annotations

import contextlib
import hmac
import html
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import URL, Headers, QueryParams
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.core.errors import UploadTooLarge
from pipeline.core.i18n import current_lang, face, language, t

MAX_UPLOAD = 25 * 1024 * 1024  # one workbook
MAX_BODY = MAX_UPLOAD + 64 * 1024  # a workbook and its form's framing
SAFE_METHODS = {"GET", "HEAD"}
LAUNCH_PATH = "/launch"  # where the launch page posts the one-time token
LAUNCH_BODY = 1024
AGAIN_PATH = "/again"  # where ``simad ui`` run again asks the running app for a sign-in
DOOR_HEADER = "x-simad-door"  # the running app's record's key, proof of the same user
FRESH_FOR = 600.0  # seconds a sign-in minted for ``simad ui`` run again stays usable
FRESH_MAX = 16  # minted sign-ins outstanding at once (the oldest go first)
COOKIE_AGE = 12 * 3600  # a closed browser, opened again the same day, is still signed in
CSRF_HEADER = "x-csrf-token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass
class Secrets:
    """The session secret (the cookie), the one-time token of the printed address and the
    CSRF token, all random, held in memory for one run of ``simad ui``."""

    port: int
    hosts: frozenset[str]
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    once: str | None = field(default_factory=lambda: secrets.token_urlsafe(24))
    launch_file: Path | None = None  # the page that signs the browser in, deleted once used
    door: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # the record's key
    folder: Path | None = None  # where launch pages are written (the session's folder)
    base: str = ""  # the app's address, without the token
    fresh: dict[str, tuple[float, Path | None]] = field(default_factory=dict)

    @property
    def cookie(self) -> str:
        return f"simad_ui_{self.port}"  # cookies ignore ports: one name per running app

    def redeem(self, token: str) -> bool:
        """Whether ``token`` is the one-time token, or one minted for ``simad ui`` run again
        and not yet expired; each works once (its launch file goes)."""
        if self.once is not None and hmac.compare_digest(token.encode(), self.once.encode()):
            self.once = None
            self.forget_launch_file()
            return True
        return self._redeem_fresh(token)

    def _redeem_fresh(self, token: str) -> bool:
        now, found = time.monotonic(), False
        for minted, (deadline, _page) in list(self.fresh.items()):
            matches = hmac.compare_digest(token.encode(), minted.encode())
            if matches or deadline < now:
                found = found or (matches and deadline >= now)
                self._drop_fresh(minted)
        return found

    def _drop_fresh(self, token: str) -> None:
        _deadline, page = self.fresh.pop(token)
        if page is not None:
            with contextlib.suppress(OSError):
                page.unlink()

    def mint(self) -> tuple[str, Path | None]:
        """A fresh one-time token for ``simad ui`` run again, and the launch page that POSTs
        it (owner-only, in the session's folder; none without a folder)."""
        self._redeem_fresh("")  # expired ones go
        while len(self.fresh) >= FRESH_MAX:
            self._drop_fresh(next(iter(self.fresh)))
        token = secrets.token_urlsafe(24)
        page = None
        if self.folder is not None:
            name = f"open-simad-ui-{secrets.token_hex(4)}.html"
            page = write_launch_page(self.folder / name, self.base, token)
        self.fresh[token] = (time.monotonic() + FRESH_FOR, page)
        return token, page

    def forget_launch_file(self) -> None:
        if self.launch_file is not None:
            with contextlib.suppress(OSError):
                self.launch_file.unlink()
            self.launch_file = None

    def holds_session(self, headers: Headers) -> bool:
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no session
            return False
        morsel = cookie.get(self.cookie)
        return morsel is not None and hmac.compare_digest(
            morsel.value.encode(), self.session.encode()
        )

    def holds_csrf(self, headers: Headers) -> bool:
        return hmac.compare_digest(headers.get(CSRF_HEADER, "").encode(), self.csrf.encode())


class Guard:
    """Refuses what the module's rules refuse, before any route sees the request, and sets
    the request's language (the app's language now) once, for the guard's own sentences and
    for everything the route does: its worker threads run in a copy of the request's context."""

    def __init__(self, app: ASGIApp, keys: Secrets, lang: Callable[[], str]) -> None:
        self.app, self.keys, self.lang = app, keys, lang  # ``lang``: the app's language now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with language(self.lang()), face("page"):  # the page's words, never a command
            await self._guarded(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if scope["method"] == "POST" and scope["path"] == LAUNCH_PATH:
            answer = await self._launch(headers, receive)
            await _secured(answer)(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] == AGAIN_PATH:
            await _secured(self._again(headers))(scope, receive, send)
            return
        refused = self._check(scope, headers)
        if refused is not None:
            await _secured(refused)(scope, receive, send)
            return
        too_big = t("ui_too_big", mb=MAX_BODY // 2**20)
        await self.app(scope, _limited(receive, too_big), _with_headers(send))

    def _check(self, scope: Scope, headers: Headers) -> Response | None:
        if headers.get("host", "").lower() not in self.keys.hosts:
            return refusal(t("ui_bad_host"), 421)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return refusal(t("ui_too_big", mb=MAX_UPLOAD // 2**20), 413)
        token = QueryParams(scope.get("query_string", b"")).get("token")
        if scope["method"] in SAFE_METHODS and token is not None:
            return self._redeem(token, URL(scope=scope))
        if not self.keys.holds_session(headers):
            return refusal(t("ui_no_session"), 403)
        if scope["method"] not in SAFE_METHODS and not self.keys.holds_csrf(headers):
            return refusal(t("ui_no_csrf"), 403)
        return None

    def _redeem(self, token: str, url: URL) -> Response:
        """The one-time address: set the session cookie and go to the page without the token."""
        if not self.keys.redeem(token):
            return refusal(t("ui_token_used"), 403)
        return self._signed_in(RedirectResponse(url.path or "/", 303))

    def _signed_in(self, response: Response) -> Response:
        response.set_cookie(
            self.keys.cookie,
            self.keys.session,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="strict",
            path="/",
        )
        return response

    def _again(self, headers: Headers) -> Response:
        """``simad ui`` run again, holding the running app's door key (read from the
        owner-only record under SIMAD_HOME): a fresh sign-in for a new tab. Nothing the app
        is doing stops or changes."""
        if headers.get("host", "").lower() not in self.keys.hosts:
            return refusal(t("ui_bad_host"), 421)
        door = headers.get(DOOR_HEADER, "")
        if not hmac.compare_digest(door.encode(), self.keys.door.encode()):
            return refusal(t("ui_no_session"), 403)
        token, page = self.keys.mint()
        return JSONResponse(
            {"address": f"{self.keys.base}/?token={token}", "launch": page and str(page)}
        )

    async def _launch(self, headers: Headers, receive: Receive) -> Response:
        """The launch page's POST of the one-time token (no session or CSRF token yet: the
        token is the proof). Answered with a page that goes on to the start page by itself:
        a redirect would not carry the strict cookie, the POST coming from a file."""
        if headers.get("host", "").lower() not in self.keys.hosts:
            return refusal(t("ui_bad_host"), 421)
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return refusal(t("ui_token_used"), 400)
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > LAUNCH_BODY:
                return refusal(t("ui_token_used"), 413)
        token = parse_qs(body.decode("latin-1")).get("token", [""])[0]
        if not self.keys.redeem(token):
            return refusal(t("ui_token_used"), 403)
        lang = current_lang()
        direction, name = "rtl" if lang == "fa" else "ltr", html.escape(t("ui_app_name"))
        page = (
            f'<!doctype html><html lang="{lang}" dir="{direction}"><head>'
            '<meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/">'
            f'<title>{name}</title></head><body><p><a href="/">{name}</a></p></body></html>'
        )
        return self._signed_in(HTMLResponse(page))


def launch_page(base: str, token: str) -> str:
    """The page the browser is opened on: it POSTs the one-time token to the app (by itself,
    or with its button)."""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"><title>simad-sync</title></head>'
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(base)}{LAUNCH_PATH}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        '<button type="submit">simad-sync</button></form></body></html>'
    )


def write_launch_page(path: Path, base: str, token: str) -> Path:
    """``launch_page`` written owner-only (0600) at ``path``, replacing one there."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(launch_page(base, token))
    return path


def refusal(message: str, status: int) -> Response:
    """A refusal a person can read: one sentence, in the request's language and direction (no
    style sheet: the refused have no access to it)."""
    lang = current_lang()
    direction = "rtl" if lang == "fa" else "ltr"
    page = (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>simad-sync</title></head><body><p>{html.escape(message)}</p></body></html>"
    )
    return HTMLResponse(page, status_code=status)


def _secured(response: Response) -> Response:
    for name, value in HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            message["headers"] = [
                *message.get("headers", []),
                *((n, v) for n, v in HEADERS if n not in present),
            ]
        await send(message)

    return sending


def _limited(receive: Receive, too_big: str) -> Receive:
    """``receive`` that refuses a body (chunked, without a length) beyond ``MAX_BODY``."""
    seen = 0

    async def receiving() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise UploadTooLarge(too_big)
        return message

    return receiving
