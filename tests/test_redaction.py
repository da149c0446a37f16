"""Secrets never leave the program, whatever a server echoes and however it encodes the echo;
redaction never garbles ordinary text; the sandbox refuses any wrong password with 403.

The property tests run the real paths (the ``simad submit`` command line, the web app's submit
page) against a server that echoes every request — its body, its headers, the requests before
it — raw, JSON-escaped in a problem's ``detail``, in a validation problem's keys, in its trace
id and percent-encoded, and look for any four characters in a row of the password in
everything the program wrote or showed. Each generated password has a marker letter (one no
output ever holds) at least every fourth character, so any such fragment is the password's.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import re
import sqlite3
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app as cli_app
from pipeline.commands import targets
from pipeline.core import logs
from pipeline.core.config import Credentials, MaxaCredentials
from pipeline.core.errors import AuthError
from pipeline.core.logs import without_credentials
from pipeline.core.redact import HIDDEN, redact_text, scrub
from pipeline.maxa.client import MaxaClient
from pipeline.net.retry import RetryPolicy
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.sandbox.settings import (
    MAXA_SANDBOX_CLIENT_ID,
    MAXA_SANDBOX_CLIENT_SECRET,
    MAXA_SANDBOX_PASSWORD,
    MAXA_SANDBOX_USERNAME,
    SANDBOX_PASSWORD,
    SANDBOX_USERNAME,
)
from pipeline.simad.client import SimadClient

from .conftest import BASE, resident
from .data.generate import DECLARATION, OTHER, RESIDENT, rule_rows, write_xlsx

USER = "office-user"
MARKERS = "ЖЯЮЩЭФ"  # letters nothing the program writes contains
# What a password may hold between its markers: quotes, backslashes, braces, Persian letters
# and digits, a zero-width non-joiner, spaces, newlines, and what URL and form encodings and
# JSON escapes are made of.
CHUNK = "\"'\\{}[]:,;&%+=*#?/<> \n\r\tu0D9aZ" + "ابپرمزیک۱۴۰" + "\u200c"


def hypothesis_settings(examples: int, *, shrink: bool = True):
    """``examples`` examples, untimed. An example of a whole run takes half a second: one
    that fails is reported as found (``shrink=False``), not after minutes of shrinking."""
    phases = [p for p in Phase if shrink or p not in (Phase.shrink, Phase.explain)]
    return settings(
        max_examples=examples,
        deadline=None,
        phases=phases,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@st.composite
def marked_passwords(draw) -> str:
    chunks = draw(st.lists(st.text(CHUNK, min_size=1, max_size=3), min_size=2, max_size=7))
    marks = draw(st.lists(st.sampled_from(MARKERS), min_size=len(chunks) + 1))
    return "".join(m + c for m, c in zip(marks, [*chunks, ""], strict=False))


# -- looking for fragments ---------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def fragments(secret: str, size: int = 4) -> set[str]:
    """Every ``size`` characters in a row of ``secret`` (white space runs as one space)."""
    whole = flat(secret)
    return {whole[i : i + size] for i in range(len(whole) - size + 1)}


_ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])')


def readings(text: str) -> Iterator[str]:
    """``text`` as written, with HTML/XML entities read, and with JSON escapes read."""
    yield text
    yield html.unescape(text)
    yield _ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else json.loads(f'"{m[0]}"'), text)


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def file_texts(root: Path) -> dict[str, str]:
    """What the program wrote under ``root``: every file as text, workbooks unpacked, SQLite
    databases read row by row, JSON lines decoded."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"PK"):
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", "replace")
        if data.startswith(b"SQLite format 3"):
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                names = [
                    r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                ]
                rows = [
                    str(v) for n in names for r in db.execute(f'SELECT * FROM "{n}"') for v in r
                ]
            text += "\n".join(rows)
        if path.suffix == ".jsonl":
            for line in text.splitlines():
                text += "\n" + "\n".join(strings(json.loads(line)))
        out[str(path.relative_to(root))] = text
    return out


def leaks(secret: str, outputs: dict[str, str], size: int = 4) -> list[tuple[str, str]]:
    wanted = fragments(secret, size)
    found = set()
    for name, text in outputs.items():
        for reading in readings(text):
            seen = flat(reading)
            found |= {(name, f) for f in wanted if f in seen}
    return sorted(found)


# -- a server that echoes ------------------------------------------------------------------------


def echo_text(status: int, echoed: str) -> httpx.Response:
    return httpx.Response(status, text=f"Error {status}\n--- request (debug) ---\n{echoed}")


def echo_in_detail(status: int, echoed: str) -> httpx.Response:
    """Problem details whose ``detail`` is a JSON object as a string, as SIMAD's are."""
    detail = json.dumps({str(uuid.uuid4()): f"request: {echoed}"}, ensure_ascii=False)
    body = {"title": "Bad Request", "status": status, "detail": detail, "traceId": "00-ab-cd-00"}
    return httpx.Response(status, json=body)


def echo_in_ascii_detail(status: int, echoed: str) -> httpx.Response:
    detail = json.dumps({"x": echoed})  # Persian as \\uXXXX, inside a JSON string
    payload = json.dumps({"title": "Bad Request", "status": status, "detail": detail})
    return httpx.Response(status, content=payload.encode(), headers={"content-type": "json"})


def echo_as_text_detail(status: int, echoed: str) -> httpx.Response:
    return httpx.Response(status, json={"title": "Error", "detail": f"Request was: {echoed}"})


def echo_in_errors(status: int, echoed: str) -> httpx.Response:
    """A validation problem naming its fields after what it was sent."""
    body = {"title": "One or more validation errors occurred.", "errors": {echoed: [echoed]}}
    return httpx.Response(status, json=body)


def echo_in_trace_id(status: int, echoed: str) -> httpx.Response:
    return httpx.Response(status, json={"title": "Bad Request", "traceId": echoed})


def echo_url_encoded(status: int, echoed: str) -> httpx.Response:
    return httpx.Response(status, text=f"request={quote_plus(echoed)}&again={quote(echoed)}")


def echo_lower_hex(status: int, echoed: str) -> httpx.Response:
    encoded = re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(echoed, safe=""))
    return httpx.Response(status, text=f"bad request: {encoded}")


def echo_page(status: int, echoed: str) -> httpx.Response:
    page = f"<!doctype html><html><body><pre>{html.escape(echoed)}</pre></body></html>"
    return httpx.Response(status, text=page, headers={"content-type": "text/html"})


ECHOES = {
    f.__name__: f
    for f in (
        echo_text,
        echo_in_detail,
        echo_in_ascii_detail,
        echo_as_text_detail,
        echo_in_errors,
        echo_in_trace_id,
        echo_url_encoded,
        echo_lower_hex,
        echo_page,
    )
}


class EchoServer:
    """Answers every request with an error echoing it and the requests before it (a
    debugging server), except a login or a refresh when ``login_ok``: then a fresh pair of
    tokens, which the first data call refuses with a 401 so that the pair is refreshed."""

    def __init__(self, echoes: list[str], statuses: list[int], login_ok: bool):
        self.echoes, self.statuses, self.login_ok = echoes, statuses, login_ok
        self.seen: list[str] = []
        self.tokens: list[str] = []
        self.refused_first = False
        self.answers = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
        body = request.content.decode("utf-8", "replace")
        self.seen.append(f"{request.method} {request.url}\n{headers}\n\n{body}")
        path = request.url.path.lower()
        if self.login_ok and path.endswith(("/authenticate", "/refresh")):
            return self.tokens_answer()
        if self.login_ok and "/api2/" in path and not self.refused_first:
            self.refused_first = True
            return httpx.Response(401)
        n, self.answers = self.answers, self.answers + 1
        status = self.statuses[n % len(self.statuses)]
        if path.endswith("/authenticate") and status >= 500:
            status = 403
        echo = ECHOES[self.echoes[n % len(self.echoes)]]
        return echo(status, "\n".join(self.seen[-3:]))

    def tokens_answer(self) -> httpx.Response:
        access, refresh = f"acc{uuid.uuid4().hex}{uuid.uuid4().hex}", f"ref{uuid.uuid4().hex}"
        self.tokens += [access, refresh]
        expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        body = {" Token": access, "RefreshToken": refresh, "expires": expires}
        return httpx.Response(200, json=body)


servers = st.builds(
    EchoServer,
    st.lists(st.sampled_from(sorted(ECHOES)), min_size=1, max_size=4),
    st.lists(st.sampled_from([400, 404, 409, 422, 500]), min_size=1, max_size=3),
    st.booleans(),
)


def reported_cases(**more):
    """The passwords that leaked before (with markers), tried first on every run."""

    def add(test):
        for password, server in (
            ('ЖKh"Яay&ЮRub ЖaiЯ}"Ю', EchoServer(["echo_text"], [403], False)),
            ('Ж{"Яpas"Ю:"xЖ"}-Яsec', EchoServer(["echo_in_detail", "echo_lower_hex"], [400], True)),
            (
                "Жرمز Я«خیЮا» ۱Ж۴۰Я",
                EchoServer(["echo_in_ascii_detail", "echo_in_errors"], [409], True),
            ),
        ):
            test = example(password=password, server=server, **more)(test)
        return test

    return add


@pytest.fixture(scope="module")
def small_input(tmp_path_factory) -> Path:
    """Two residents and a declaration."""
    path = tmp_path_factory.mktemp("input") / "input.xlsx"
    r_header, r_rows = rule_rows("residents", [RESIDENT, OTHER])
    d_header, d_rows = rule_rows("upgrades", [DECLARATION])
    write_xlsx(path, {"residents": [r_header, *r_rows], "upgrades": [d_header, *d_rows]})
    return path


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries at once: the command line's policy would otherwise really wait."""
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, retry_after=None: 0.0)


def assert_nothing_kept(server: EchoServer, password: str, outputs: dict[str, str]) -> None:
    assert server.seen, "the server was reached"
    assert leaks(password, outputs) == []
    for token in server.tokens:  # random: twelve characters in a row are the token's
        assert leaks(token, outputs, size=12) == []


# -- the property tests ----------------------------------------------------------------------


@hypothesis_settings(30, shrink=False)
@reported_cases(lang="fa", as_json=False)
@given(
    password=marked_passwords(),
    server=servers,
    lang=st.sampled_from(["fa", "en"]),
    as_json=st.booleans(),
)
def test_no_fragment_of_the_password_survives_the_command_line(
    small_input, no_backoff, password, server, lang, as_json
):
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        mp.setenv("SIMAD_HOME", str(root / "home"))
        mp.setenv("SIMAD_USERNAME", USER)
        mp.setenv("SIMAD_PASSWORD", password)
        mp.setattr(targets, "sandbox_transport", lambda: httpx.MockTransport(server))
        report = root / "out" / "report.xlsx"
        args = ["--lang", lang, "submit", str(small_input), "--report", str(report)]
        result = CliRunner().invoke(cli_app, [*args, "--json"] if as_json else args)
        logs.configure(None)
        assert result.exit_code in (1, 3), result.output
        outputs = {"stdout": result.stdout, "stderr": result.stderr, **file_texts(root)}
        if as_json:
            outputs["json"] = "\n".join(strings(json.loads(result.stdout)))
        assert report.is_file() and any((root / "home" / "logs").glob("*.jsonl"))
        assert_nothing_kept(server, password, outputs)


@hypothesis_settings(6, shrink=False)
@reported_cases()
@given(password=marked_passwords(), server=servers)
def test_no_fragment_of_the_password_reaches_the_web_app(small_input, no_backoff, password, server):
    from pipeline.web.server import build

    port = 8787  # only named in the Host header: nothing listens
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        mp.setenv("SIMAD_HOME", str(root / "home"))
        mp.setattr(targets, "sandbox_transport", lambda: httpx.MockTransport(server))
        app, keys, state = build("127.0.0.1", port, "en")

        async def browse() -> dict[str, str]:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=f"http://127.0.0.1:{port}",
                follow_redirects=True,
            ) as client:
                assert (await client.get(f"/?token={keys.once}")).status_code == 200
                h = {"x-csrf-token": keys.csrf}
                files = {"files": ("input.xlsx", small_input.read_bytes())}
                assert (await client.post("/upload", files=files, headers=h)).status_code == 200
                await client.post("/target", data={"target": "sandbox"}, headers=h)
                login = {"username": USER, "password": password}
                await client.post("/credentials", data=login, headers=h)
                assert state.workspace is not None
                await client.post("/submit", data={"ws": state.workspace.id}, headers=h)
                job = state.latest("submit")
                assert job is not None and job.thread is not None
                job.thread.join(60)
                assert job.result is not None and job.result.report.is_file()
                return {
                    "submit page": (await client.get("/submit")).text,
                    "events": (await client.get(f"/jobs/{job.id}/events")).text,
                    "runs page": (await client.get("/runs")).text,
                }

        try:
            outputs = {**asyncio.run(browse()), **file_texts(root)}
        finally:
            state.close()
        assert_nothing_kept(server, password, outputs)


DITAS_ECHOES = {
    "raw": lambda echoed: echoed,
    "json": lambda echoed: json.dumps({"request": echoed}),
    "quoted": quote_plus,
    "html": html.escape,
}


@hypothesis_settings(25)
@given(
    secret=marked_passwords(),
    password=marked_passwords(),
    echo=st.sampled_from(sorted(DITAS_ECHOES)),
    status=st.sampled_from([400, 401]),
)
def test_a_refused_ditas_login_says_nothing_of_the_client_secret_or_password(
    secret, password, echo, status
):
    seen = []

    def gateway(request: httpx.Request) -> httpx.Response:
        basic = request.headers["authorization"]  # limited to 200 characters: first
        seen.append(f"{request.content.decode()}\nauthorization: {basic}")
        said = DITAS_ECHOES[echo](seen[-1])
        body = {"error": "invalid_grant", "error_description": f"Bad credentials: {said}"}
        return httpx.Response(status, json=body)

    credentials = MaxaCredentials(MAXA_SANDBOX_CLIENT_ID, secret, USER, password, "pid")

    async def go() -> str:
        async with MaxaClient(BASE, credentials, transport=httpx.MockTransport(gateway)) as c:
            with pytest.raises(AuthError) as refused:
                await c.terminology("IRC", "1")
        return str(refused.value)

    said = asyncio.run(go())
    assert "Bad credentials" in said and HIDDEN in said
    assert leaks(secret, {"error": said}) == []
    assert leaks(password, {"error": said}) == []


@pytest.mark.anyio
async def test_the_client_hides_its_tokens_old_and_new_in_what_a_server_says(clock):
    """Tokens are secrets the client learns: the ones it holds and the ones it replaced."""
    issued: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("/authenticate", "/refresh")):
            issued.extend([f"acc{uuid.uuid4().hex}", f"ref{uuid.uuid4().hex}"])
            expires = datetime.fromtimestamp(clock() + 3600, UTC).isoformat()
            body = {" Token": issued[-2], "RefreshToken": issued[-1], "expires": expires}
            return httpx.Response(200, json=body)
        if len(issued) == 2:
            return httpx.Response(401)  # the first token refused: the pair is refreshed
        detail = json.dumps({"x": f"seen before: {' and '.join(issued)}"})
        return httpx.Response(400, json={"title": "Bad Request", "detail": detail})

    credentials = Credentials(USER, "pw-Ж1403")
    transport = httpx.MockTransport(server)
    async with SimadClient(BASE, credentials, transport=transport, clock=clock) as client:
        result = await client.add_or_update_resident(resident())
    assert len(issued) == 4 and result.problem is not None
    said = result.problem.text
    assert said.startswith("seen before: ***")
    assert not [token for token in issued if token[3:15] in said]


# -- scrub: the reported cases, every form of a secret, no garbling ------------------------------


@pytest.mark.parametrize(
    "password", ['Kh"ayyam&Rubaiyat1403', '{"password":"x"}-secret-1405', "رمز «خیام» ۱۴۰۳"]
)
def test_the_reported_passwords_leave_nothing_behind(password):
    sent = {"username": SANDBOX_USERNAME, "password": password}
    body = json.dumps(sent, ensure_ascii=False, separators=(",", ":"))  # as httpx sends it
    echoed = f"Incorrect username or password\n--- request (debug) ---\naccept: */*\n\n{body}"
    out = scrub(echoed, secrets=[password])
    assert out.endswith(f'"password":{HIDDEN}}}')
    assert "Rubaiyat" not in out and "secret-1405" not in out and "خیام" not in out
    assert out.startswith("Incorrect username or password --- request (debug) ---")


SECRET = 'Kh"ayyam\\ & Rubáiyát+رمز ۱۴۰۳%=/'


def double_json(s: str) -> str:
    return json.dumps(json.dumps(s)[1:-1])[1:-1]


FORMS = {
    "raw": lambda s: s,
    "json": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "json ascii": lambda s: json.dumps(s)[1:-1],
    "json in json": double_json,
    "json in json ascii": lambda s: json.dumps(json.dumps(s, ensure_ascii=False))[1:-1],
    ".NET escapes": lambda s: "".join(
        c if c.isascii() and c.isalnum() else f"\\u{ord(c):04X}" for c in s
    ),
    "quote": lambda s: quote(s),
    "quote lower": lambda s: re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(s, safe="")),
    "quote_plus": quote_plus,
    "form": lambda s: urlencode({"grant_type": "password", "password": s}),
    "html": html.escape,
    "html of json": lambda s: html.escape(json.dumps(s)),
    "quote of json": lambda s: quote(json.dumps(s)),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 urlsafe": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    "basic header": lambda s: (
        "Authorization: Basic " + base64.b64encode(f"demo-his:{s}".encode()).decode()
    ),
    "basic, shifted": lambda s: base64.b64encode(f"demo-hiss:{s}".encode()).decode(),
    "spaces changed": lambda s: s.replace(" ", "\n  "),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_of_a_secret_is_removed(form):
    encoded = FORMS[form](SECRET)
    out = scrub(f"The server said: {encoded} (end)", secrets=[SECRET])
    assert out.startswith("The server said: ") and out.endswith(" (end)")
    assert HIDDEN in out
    left = out.removeprefix("The server said: ").removesuffix(" (end)")
    for piece in ("ayyam", "Rub", "رمز", "۱۴۰۳", "yam"):
        assert piece not in left and quote(piece) not in left, left


def test_tokens_are_removed_by_value_wherever_they_are():
    token, refresh = "eyQ" + "x7" * 40, "r3fr3sh-t0k3n-v4lu3"
    echoed = f"GET /x?access={token}\nx-custom: {token}\n" + json.dumps(
        {"note": f"seen {refresh} and {token}"}
    )
    out = scrub(echoed, secrets=[None, "", token, refresh])
    assert token[:12] not in out and refresh[:8] not in out
    assert "x-custom: ***" in out and "GET /x?access=***" in out


@pytest.mark.parametrize(
    "text",
    [
        "password: enter it without them",
        "Your password is wrong; try again",
        "رمز عبور را بدون فاصله وارد کنید: رمز باید دست‌کم ۸ نویسه باشد",
        "نام کاربری یا رمز اشتباه است (password incorrect)",
        "Basic information is missing; Bearer tokens expire after 15 minutes",
        "token: see the guide, section A.1",
        '{"errors":{"Password":["The Password field is required."]}}',
        "Use grant_type=password with a client secret",
    ],
)
def test_ordinary_text_is_not_garbled(text):
    assert scrub(text) == " ".join(text.split())
    assert scrub(text, secrets=["Kh-ayyam-1403"]) == " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ('{"Password": "Kh\\"ay{y}am", "user": "u"}', "ay{y}am", '"user": "u"'),
        ("{'client_secret': 'a\\'b-c', 'id': 1}", "b-c", "'id': 1"),
        ('{"detail": "{\\"password\\":\\"Kh\\\\\\"ayyam\\"}"}', "ayyam", '"detail"'),
        ('{"AccessToken":"abc.def","RefreshToken":null}', "abc.def", "AccessToken"),
        ("grant_type=password&username=u&password=Kh%22ay&scope=x", "Kh%22ay", "scope=x"),
        ("POST /t\nAuthorization: Basic ZGVtbzpzM2NyZXQ=\nAccept: */*", "ZGVtb", "Accept"),
        ("authorization: Bearer abcdefghijklmnop\ntoken: abcd1234efgh", "efgh", "token:"),
        ("x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl y", "eyJhbG", "x *** y"),
        ("https://office:Kh-ayyam@simad.example/api", "ayyam", "https://"),
    ],
)
def test_credential_shapes_are_hidden_without_knowing_the_secret(text, hidden, kept):
    out = scrub(text)
    assert hidden not in out and kept in out and HIDDEN in out


def test_a_short_secret_is_hidden_only_as_a_whole_value():
    text = 'pin=ab7&user=u {"code": "ab7", "note": "tab7 ab7x"} ab7'
    out = scrub(text, secrets=["ab7"])
    assert out == 'pin=***&user=u {"code": "***", "note": "tab7 ab7x"} ab7'


def test_a_secret_the_cut_goes_through_leaves_nothing():
    """A long text is cut before it is read: the part of a secret before the cut is not
    found as the secret, and must not come back once white space is collapsed."""
    secret = "Kh-ayyam-Rubaiyat-1403"
    scan = 8 * 200  # redact.SCAN_FACTOR × the limit
    for at in range(4, len(secret), 3):
        text = "lead" + " " * (scan - 4 - at) + secret + " and more"
        out = scrub(text, secrets=[secret], limit=200)
        assert not [f for f in fragments(secret) if f in out], out


def test_the_log_keeps_no_credential_shape():
    event = {
        "event": "row_failed",
        "error": 'HTTP 500 {"password":"Kh\\"ayyam"} authorization: Bearer abcdef123456',
        "exception": "Traceback ...\nRuntimeError: token=abc12345&x=1",
        "status": 500,
    }
    out = without_credentials(None, "warning", dict(event))
    assert "ayyam" not in out["error"] and "abcdef123456" not in out["error"]
    assert "abc12345" not in out["exception"] and "Traceback ...\n" in out["exception"]
    assert out["status"] == 500 and out["event"] == "row_failed"
    assert redact_text("a\n  b", identifiers=False) == "a\n  b"  # lines and spaces kept


# -- the sandbox: any wrong password is a 403 -----------------------------------------------------

WRONG = [
    "رمز‌عبور۱۴۰۳",
    'Kh"ayyam&Rubaiyat',
    "\x00",
    "a\x00b",
    "\ud800",
    "x" * 200_000,
    "😀 emoji",
    "\\u0000",
]


def sandbox_http(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=BASE)


@pytest.mark.anyio
@pytest.mark.parametrize("password", WRONG, ids=range(len(WRONG)))
async def test_the_sandbox_refuses_any_wrong_password_with_403(sandbox, password):
    body = json.dumps({"username": SANDBOX_USERNAME, "password": password})  # \\ud800 as sent
    async with sandbox_http(sandbox) as http:
        r = await http.post(
            "/api/Token/authenticate",
            content=body.encode(),
            headers={"content-type": "application/json"},
        )
    assert (r.status_code, r.text) == (403, "Incorrect username or password")


@hypothesis_settings(40)
@given(password=st.text(min_size=1, max_size=60))
def test_the_sandbox_refuses_generated_wrong_passwords_with_403(make_sandbox, password):
    assume(password not in (SANDBOX_PASSWORD, MAXA_SANDBOX_PASSWORD))  # the right ones
    app = make_sandbox(db_path=":memory:")

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with sandbox_http(app) as http:
            simad = await http.post(
                "/api/Token/authenticate",
                content=json.dumps({"username": SANDBOX_USERNAME, "password": password}),
                headers={"content-type": "application/json"},
            )
            form = {"grant_type": "password", "username": MAXA_SANDBOX_USERNAME}
            ditas = await http.post(
                "/oauth/token",
                content=urlencode({**form, "password": password}),
                headers={"content-type": "application/x-www-form-urlencoded"},
                auth=(MAXA_SANDBOX_CLIENT_ID, MAXA_SANDBOX_CLIENT_SECRET),
            )
            return simad, ditas

    simad, ditas = asyncio.run(go())
    assert (simad.status_code, simad.text) == (403, "Incorrect username or password")
    assert ditas.status_code == 400 and ditas.json()["error"] == "invalid_grant"


@pytest.mark.anyio
@pytest.mark.parametrize("password", WRONG, ids=range(len(WRONG)))
async def test_ditas_answers_invalid_grant_to_any_wrong_password(sandbox, password):
    form = urlencode(
        {"grant_type": "password", "username": MAXA_SANDBOX_USERNAME, "password": password},
        encoding="utf-8",
        errors="surrogatepass",
    )
    async with sandbox_http(sandbox) as http:
        r = await http.post(
            "/oauth/token",
            content=form,
            headers={"content-type": "application/x-www-form-urlencoded"},
            auth=(MAXA_SANDBOX_CLIENT_ID, MAXA_SANDBOX_CLIENT_SECRET),
        )
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "Bad credentials"}


@pytest.mark.anyio
@pytest.mark.parametrize("secret", ["سکرت", 'a"b', "\x00", "x" * 10_000])
async def test_ditas_answers_invalid_client_to_any_wrong_client_secret(sandbox, secret):
    pair = base64.b64encode(f"{MAXA_SANDBOX_CLIENT_ID}:{secret}".encode()).decode()
    async with sandbox_http(sandbox) as http:
        r = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": MAXA_SANDBOX_USERNAME, "password": "p"},
            headers={"authorization": f"Basic {pair}"},
        )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_a_wrong_persian_password_is_refused_as_a_login_not_a_fault(tmp_path):
    from pipeline.commands.submit import SubmitOptions, run_submit
    from pipeline.core.config import Credentials
    from pipeline.core.context import Context

    app = create_app(SandboxSettings(db_path=tmp_path / "s.db", echo_errors=True))
    password = "رمز «خیام» ۱۴۰۳"
    result = run_submit(
        SubmitOptions(
            [Path(__file__).parents[1] / "input_templates" / "sample.xlsx"],
            target="sandbox",
            report=tmp_path / "out" / "r.xlsx",
        ),
        transport=httpx.ASGITransport(app=app),
        credentials=Credentials(SANDBOX_USERNAME, password),
        ctx=Context(lang="en"),
    )
    assert result.exit_code == 3
    assert isinstance(result.fatal, AuthError) and result.fatal.status == 403
    said = str(result.fatal)
    assert "Incorrect username or password" in said and "خیام" not in said
    assert not leaks(password, file_texts(tmp_path / "out"))
