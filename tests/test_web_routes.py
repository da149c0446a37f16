"""The web app's shape, like datasette's: one list of routes, each handler a plain module-level
``async def`` in the module of its page, reading the app from the request (no closure); one
route per MAXA action; the language set once per request (by the guard), never by a handler;
no lock taken on the event loop. And a page driven in-process through httpx's ASGI transport."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import httpx
import pytest
from starlette.routing import Mount, Route

from pipeline.web import routes as routes_package
from pipeline.web.routes import routes
from pipeline.web.server import build

WEB = Path(routes_package.__file__).parents[1]
# A page is a module of pipeline/web/routes/ (a new page, a new module).
PAGES = {p.stem for p in WEB.glob("routes/*.py")} - {"__init__"}


def handlers() -> list[Route]:
    return [r for r in routes if isinstance(r, Route)]


def test_every_handler_is_a_module_level_coroutine_of_its_page():
    for route in handlers():
        handler = route.endpoint
        assert inspect.iscoroutinefunction(handler), route.path
        assert handler.__qualname__ == handler.__name__, f"{route.path}: a closure"
        module = handler.__module__.rsplit(".", 1)
        assert module[0] == "pipeline.web.routes" and module[1] in PAGES, route.path
    assert any(isinstance(r, Mount) and r.path == "/static" for r in routes)


def test_one_route_per_maxa_action():
    maxa = {r.path: r.endpoint.__name__ for r in handlers() if r.path.startswith("/maxa/")}
    assert maxa == {f"/maxa/{a}": a for a in ("lookup", "validate", "versions", "diff", "pull")}
    assert not any("{" in r.path for r in handlers() if r.path.startswith("/maxa"))


def _sources() -> list[Path]:
    return sorted([*WEB.glob("routes/*.py"), WEB / "pages.py", WEB / "uploads.py", WEB / "app.py"])


def test_no_handler_sets_the_language_and_no_lock_is_taken_on_the_loop():
    """The guard sets the language; a lock is only taken inside a worker thread's function
    (never in an ``async def``, where it would be held across an await or block the loop)."""
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            text = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
            assert "language(" not in text or node.name == "fault", (path.name, node.name)
            assert not re.search(r"\bwith [\w.]*lock\b", text), (path.name, node.name)


def test_templates_join_lists_with_the_catalogue_helper():
    for template in (WEB / "templates").glob("*.html"):
        assert "، " not in template.read_text(encoding="utf-8"), template.name


@pytest.mark.anyio
async def test_pages_in_process_speak_the_app_language_set_once():
    """The language chosen is the page's, its direction and its words, for every page."""
    app, keys, state = build("127.0.0.1", 8766, "en")
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8766") as c:
            page = await c.get(f"/?token={keys.once}", follow_redirects=True)
            assert page.status_code == 200 and 'lang="en" dir="ltr"' in page.text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
            h = {"x-csrf-token": token, "hx-request": "true"}
            assert (await c.post("/lang", data={"lang": "fa"}, headers=h)).status_code == 204
            for path in ("/", "/check", "/submit", "/runs", "/results", "/maxa"):
                answer = await c.get(path)
                assert answer.status_code == 200, path
                assert 'lang="fa" dir="rtl"' in answer.text, path
            missing = await c.post("/maxa/lookup", data={"terminology": ""}, headers=h)
            assert missing.status_code == 400 and "flash" in missing.text
            assert (await c.post("/maxa/nothing", headers=h)).status_code == 404
    finally:
        state.close()
