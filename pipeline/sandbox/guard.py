"""Limits a real server puts on what it reads, before any login check: a body larger than
``max_body`` is refused with 413 (a 500 MB body costs nothing), and JSON nested deeper than
``MAX_DEPTH`` (ASP.NET Core's System.Text.Json default is 64) is a 400.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 8 * 1024 * 1024  # a 2 MB photo in base64 is under 3 MB
MAX_DEPTH = 64


class BodyTooLarge(Exception):
    pass


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def too_deep(body: bytes) -> bool:
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False  # cannot be deeper: no need to parse
    try:
        return json_depth(json.loads(body)) > MAX_DEPTH
    except RecursionError:
        return True
    except ValueError:
        return False  # not JSON: the handler answers that


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            await _reply(send, 413, "Request body too large.")
            return
        try:
            body = await self._read(receive)
        except BodyTooLarge:
            await _reply(send, 413, "Request body too large.")
            return
        ctype = headers.get(b"content-type", b"").lower()
        if b"json" in ctype and body and too_deep(body):
            await _reply(send, 400, f"The JSON value is nested deeper than {MAX_DEPTH}.")
            return
        await self.app(scope, replaying(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        return await read_body(receive, self.max_body)


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; ``BodyTooLarge`` past ``limit`` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits for the client's disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _reply(send: Send, status: int, text: str) -> None:
    payload = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
