"""The sandbox: a faithful simulator of the SIMAD service (and the DITAS/MAXA gateway).

``create_app(settings)`` returns an ASGI app, served by ``simad sandbox serve`` or used in-process
through ``httpx.ASGITransport`` (the default ``sandbox`` target and the tests).
"""

from __future__ import annotations

from email.utils import formatdate

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.sandbox.faults import FaultInjector, Faults
from pipeline.sandbox.guard import RequestGuard
from pipeline.sandbox.maxa_app import MaxaSandbox
from pipeline.sandbox.settings import SandboxSettings
from pipeline.sandbox.simad_app import SimadSandbox
from pipeline.sandbox.store import SandboxStore

__all__ = ["SandboxApp", "SandboxSettings", "SandboxStore", "create_app"]


class SandboxApp:
    """The ASGI app plus handles on its state, for tests and rehearsal commands."""

    def __init__(self, settings: SandboxSettings):
        self.settings = settings
        self.store = SandboxStore(settings.db_path)
        self.simad = SimadSandbox(self.store, settings)
        self.maxa = MaxaSandbox(settings)
        routes = [*self.simad.routes(), *self.maxa.routes()]
        self._paths = {r.path.lower(): r.path for r in routes}
        self._owners: dict[str, str] = {}  # bearer token → account
        inner: ASGIApp = Starlette(routes=routes)
        self.faults: FaultInjector | None = None
        faults = Faults.of(settings)
        if faults.any:
            self.faults = FaultInjector(
                inner, faults, account_of=self._account_of, clock=settings.clock
            )
            inner = self.faults
        self._app = RequestGuard(inner)

    def _account_of(self, scope: Scope) -> str:
        """The account a request is made for (its bearer token's owner), for per-account
        limits; a request without a known token counts as the anonymous account."""
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                token = value[7:].decode("latin-1").strip()
                owner = self._owners.get(token)
                if owner is None:
                    row = self.store.token(token)
                    owner = self._owners[token] = row["username"] if row else ""
                return owner
        return ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # ASP.NET routes ignore case: so does the sandbox.
            canonical = self._paths.get(scope["path"].rstrip("/").lower())
            if canonical is not None and canonical != scope["path"]:
                scope = {**scope, "path": canonical, "raw_path": canonical.encode()}
            await self._app(scope, receive, self._dated(send))
            return
        await self._app(scope, receive, send)

    def _dated(self, send: Send) -> Send:
        """Every answer carries the sandbox's own time as its ``Date`` (shifted by
        ``clock_offset``), as a server's clock would say it."""

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(self.settings.clock(), usegmt=True).encode()
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*kept, (b"date", date)]}
            await send(message)

        return dated


def create_app(settings: SandboxSettings | None = None) -> SandboxApp:
    return SandboxApp(settings or SandboxSettings())
