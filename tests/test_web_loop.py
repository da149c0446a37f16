"""The web app's event loop stays free while a big workbook is validated again: a second
request (a style sheet, a light page) is answered while the first one is still validating a
3,000-row workbook. Driven in-process through httpx's ASGI transport (no socket)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest

from pipeline.commands import workspace as ws_commands
from pipeline.core.context import Context
from pipeline.sheets.fakedata import write_workbook
from pipeline.web.server import build

pytestmark = pytest.mark.anyio
PORT = 8765
ROWS = 3000


@pytest.fixture(scope="module")
def big_book(tmp_path_factory) -> Path:
    return write_workbook(
        tmp_path_factory.mktemp("books") / "residents-3000.xlsx", "residents", ROWS
    )


class Watched:
    """``revalidate`` that says when it starts and when it ends, and that does not end before
    the light requests are answered (``release``) — or, when they cannot be because it holds
    the loop, 20 seconds later. So the order of the two shows where it ran, however loaded
    the machine is."""

    def __init__(self, real) -> None:
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.ended: float | None = None

    def __call__(self, ws, ctx=Context()):
        self.started.set()
        try:
            result = self.real(ws, ctx)
            self.release.wait(timeout=20)
            return result
        finally:
            self.ended = time.perf_counter()


@pytest.fixture
async def app_and_client(big_book) -> AsyncIterator[tuple[httpx.AsyncClient, object, str]]:
    """A signed-in client of an app holding the 3,000-row workbook open: (client, state,
    the page's CSRF token)."""
    app, keys, state = build("127.0.0.1", PORT, "en")
    ws = await anyio.to_thread.run_sync(
        lambda: ws_commands.open_workspace([big_book], ctx=Context(lang="en"))
    )
    state.opened(ws)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://127.0.0.1:{PORT}", timeout=120
    ) as client:
        signed = await client.get(f"/?token={keys.once}", follow_redirects=True)
        assert signed.status_code == 200
        token = re.search(r'name="csrf-token" content="([^"]+)"', signed.text).group(1)
        try:
            yield client, state, token
        finally:
            await anyio.to_thread.run_sync(state.close)


async def light_while_heavy(
    client: httpx.AsyncClient, watched: Watched, heavy, light_paths: list[str]
) -> tuple[httpx.Response, list[tuple[httpx.Response, float]], float]:
    """Send ``heavy()``; once its revalidation has started, GET each of ``light_paths``.
    (the heavy answer, [(light answer, when it came)], when the revalidation ended)."""
    answers: dict[str, httpx.Response] = {}
    light: list[tuple[httpx.Response, float]] = []

    async def send_heavy() -> None:
        answers["heavy"] = await heavy()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(send_heavy)
        deadline = time.perf_counter() + 60
        while not watched.started.is_set():
            assert time.perf_counter() < deadline, "the revalidation never started"
            await anyio.sleep(0.001)
        for path in light_paths:
            answer = await client.get(path)
            light.append((answer, time.perf_counter()))
        watched.release.set()
    assert watched.ended is not None
    return answers["heavy"], light, watched.ended


async def test_a_light_request_is_answered_while_a_cell_edit_revalidates(
    app_and_client, monkeypatch
):
    client, state, token = app_and_client
    watched = Watched(ws_commands.revalidate)
    monkeypatch.setattr(ws_commands, "revalidate", watched)
    sheet = state.workspace.run.results[0].sheet
    col = sheet.columns["NationalCode"]
    form = {"ws": state.workspace.id, "sheet": "0", "row": "3", "col": str(col), "value": "x1"}
    headers = {"x-csrf-token": token, "hx-request": "true"}

    heavy, light, ended = await light_while_heavy(
        client,
        watched,
        lambda: client.post("/cell", data=form, headers=headers),
        ["/static/app.css", "/"],
    )
    assert heavy.status_code == 200 and 'id="work"' in heavy.text
    for answer, came in light:
        assert answer.status_code == 200
        assert came < ended, "a light request waited for the revalidation to end"
    assert state.workspace.edits  # the edit was made


async def test_a_light_request_is_answered_while_a_language_switch_revalidates(
    app_and_client, monkeypatch
):
    """The findings are worded again in the other language on the next page (the whole
    workbook validated again): on a worker thread, never on the loop."""
    client, state, token = app_and_client
    watched = Watched(ws_commands.revalidate)
    monkeypatch.setattr(ws_commands, "revalidate", watched)
    headers = {"x-csrf-token": token, "hx-request": "true"}
    assert (await client.post("/lang", data={"lang": "fa"}, headers=headers)).status_code == 204

    heavy, light, ended = await light_while_heavy(
        client, watched, lambda: client.get("/check"), ["/static/app.js", "/runs"]
    )
    assert heavy.status_code == 200 and 'lang="fa"' in heavy.text
    for answer, came in light:
        assert answer.status_code == 200
        assert came < ended, "a light request waited for the revalidation to end"
    assert state.workspace.run.lang == "fa"
