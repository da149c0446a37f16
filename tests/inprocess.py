"""The web app driven in-process: httpx's ASGI transport, no socket. A synchronous client whose
calls run on an event loop in a thread of its own (as the server's is), signed in as a browser
that opened the printed address."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal

from pipeline.web.server import build, one_time_address


class InProcess:
    """A synchronous client of the app in-process (``get``, ``post``, its base URL and
    cookies), over an ``httpx.AsyncClient`` on the ASGI transport."""

    def __init__(self, portal: Any, client: httpx.AsyncClient) -> None:
        self.portal, self.client = portal, client
        self.base_url, self.cookies = client.base_url, client.cookies

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.get, url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.post, url, **kwargs))


@contextlib.contextmanager
def in_process(lang: str = "en", port: int = 8765) -> Iterator[tuple[InProcess, str, Any]]:
    """An app in ``lang`` and a client signed in to it: (client, the page's CSRF token, the
    app's memory). ``port`` is only named in the addresses: nothing listens."""
    app, keys, state = build("127.0.0.1", port, lang)
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://127.0.0.1:{port}",
            follow_redirects=True,
        )
        try:
            browser = InProcess(portal, client)
            page = browser.get(one_time_address("127.0.0.1", port, keys))
            assert page.status_code == 200
            token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
            assert token is not None
            yield browser, token.group(1), state
        finally:
            portal.call(client.aclose)
            state.close()
