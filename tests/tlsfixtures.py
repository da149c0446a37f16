"""Real TLS and real proxies on 127.0.0.1 for the tests: certificates made here (a private CA,
a certificate for another name, an expired one), the sandbox served over HTTPS by uvicorn in
a thread, and a small HTTP proxy (CONNECT tunnels, a login it may ask for, or a page of its
own answered to everything)."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
import uvicorn

from pipeline.net import transport
from pipeline.sandbox.server import server_config
from pipeline.sandbox.settings import SandboxSettings

CA_NAME = "Rehearsal University Intranet CA"
PROXY_PAGE = (
    "<!DOCTYPE html><html><head><title>Proxy login</title></head>"
    "<body><h1>Please sign in to the office proxy</h1></body></html>"
)


@dataclass(frozen=True)
class Certs:
    ca: Path  # the private CA's certificate (PEM): what SIMAD_CA_BUNDLE names
    good: tuple[Path, Path]  # (certificate chain, key) for 127.0.0.1 and localhost
    other_name: tuple[Path, Path]  # for simad.other.example only
    expired: tuple[Path, Path]  # for 127.0.0.1, expired a year ago
    other_ca: Path  # another CA's certificate, which trusts none of the above


def make_certs(folder: Path) -> Certs:
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Rehearsal University")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    now = dt.datetime.now(dt.UTC)

    def leaf(name: str, *identities: str, **times: dt.datetime) -> tuple[Path, Path]:
        cert = ca.issue_cert(*identities, **times)
        chain, key = folder / f"{name}.pem", folder / f"{name}.key"
        for blob in cert.cert_chain_pems:
            blob.write_to_path(str(chain), append=True)
        cert.private_key_pem.write_to_path(str(key))
        return chain, key

    other = trustme.CA(organization_name="Somebody Else")
    other_file = folder / "other-ca.pem"
    other.cert_pem.write_to_path(str(other_file))
    return Certs(
        ca=ca_file,
        good=leaf("good", "127.0.0.1", "localhost"),
        other_name=leaf("other-name", "simad.other.example"),
        expired=leaf(
            "expired",
            "127.0.0.1",
            "localhost",
            not_before=now - dt.timedelta(days=730),
            not_after=now - dt.timedelta(days=365),
        ),
        other_ca=other_file,
    )


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def https_sandbox(db: Path, tls: tuple[Path, Path]) -> Iterator[str]:
    """The sandbox (SIMAD and DITAS/MAXA) over HTTPS on 127.0.0.1; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(server_config(SandboxSettings(db_path=db), "127.0.0.1", port, tls))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the HTTPS sandbox did not start")
        time.sleep(0.02)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Proxy:
    """An HTTP proxy on 127.0.0.1: ``tunnel`` (CONNECT, ``user``/``password`` required when
    given) or ``page`` (its own page, 200 text/html, to every request)."""

    mode: str = "tunnel"
    user: str | None = None
    password: str | None = None
    port: int = 0
    seen_auth: list[str] = field(default_factory=list)  # Proxy-Authorization values received
    tunnels: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _authorized(self, head: str) -> bool:
        if self.user is None:
            return True
        wanted = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "proxy-authorization":
                self.seen_auth.append(value.strip())
                if value.strip() == f"Basic {wanted}":
                    return True
        return False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        if self.mode == "page":
            await self._answer(writer, "200 OK", PROXY_PAGE, "text/html; charset=utf-8")
            return
        if not self._authorized(head):
            await self._answer(
                writer,
                "407 Proxy Authentication Required",
                "<html><body>Proxy login required</body></html>",
                "text/html",
                'Proxy-Authenticate: Basic realm="office"\r\n',
            )
            return
        method, target = head.split(" ", 2)[:2]
        if method != "CONNECT":
            await self._answer(writer, "405 Method Not Allowed", "", "text/plain")
            return
        host, _, port = target.rpartition(":")
        try:
            up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except OSError:
            await self._answer(writer, "502 Bad Gateway", "", "text/plain")
            return
        self.tunnels += 1
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    @staticmethod
    async def _answer(
        writer: asyncio.StreamWriter, status: str, body: str, ctype: str, extra: str = ""
    ) -> None:
        data = body.encode()
        writer.write(
            (
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(data)}\r\n"
                f"{extra}Connection: close\r\n\r\n"
            ).encode()
            + data
        )
        try:
            await writer.drain()
        finally:
            writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


@contextmanager
def running(proxy: Proxy) -> Iterator[Proxy]:
    """``proxy`` served on a free port of 127.0.0.1 in a thread of its own."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, asyncio.Server] = {}

    async def start() -> None:
        server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        holder["server"] = server
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the proxy did not start")
    try:
        yield proxy
    finally:

        async def stop() -> None:
            holder["server"].close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


# Settings that choose a proxy or a certificate bundle, as the machine running the tests may
# have them (both cases: on Linux the lower-case ones are the common ones).
NETWORK_SETTINGS = (
    *("SIMAD_CA_BUNDLE", "SIMAD_PROXY", "SIMAD_INSECURE_TLS"),
    *("HTTPS_PROXY", "ALL_PROXY", "HTTP_PROXY", "NO_PROXY"),
    *("https_proxy", "all_proxy", "http_proxy", "no_proxy"),
)


def clear_network_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or bundle from the machine running the tests, and none given before."""
    for name in NETWORK_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(transport, "_given", {})
