"""Shared fixtures: an in-process sandbox with a fake clock, and a client wired to it."""

from __future__ import annotations

import random

import httpx
import pytest

from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.net.limiter import Pace
from pipeline.sandbox import SandboxApp, SandboxSettings, create_app
from pipeline.simad.client import SimadClient
from schemas.identifiers import national_code_check_digit

BASE = "http://sandbox.local"


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_sandbox(clock, tmp_path):
    def factory(**overrides) -> SandboxApp:
        settings = SandboxSettings(
            db_path=overrides.pop("db_path", tmp_path / "sandbox.db"), clock=clock, **overrides
        )
        return create_app(settings)

    return factory


@pytest.fixture
def sandbox(make_sandbox) -> SandboxApp:
    return make_sandbox()


@pytest.fixture
def make_client(clock):
    clients: list[SimadClient] = []

    def factory(app, password: str = SANDBOX_PASSWORD, username: str = SANDBOX_USERNAME):
        client = SimadClient(
            BASE,
            Credentials(username, password),
            transport=httpx.ASGITransport(app=app),
            clock=clock,
            pace=Pace(clock=clock, sleep=clock.sleep, rng=random.Random(1)),  # on the fake clock
        )
        clients.append(client)
        return client

    yield factory


@pytest.fixture
def client(sandbox, make_client) -> SimadClient:
    return make_client(sandbox)


def national_code(prefix: str) -> str:
    """A valid national code starting with the nine digits of ``prefix`` (zero-padded)."""
    nine = prefix.zfill(9)
    return nine + national_code_check_digit(nine)


def resident(student_number: str = "98123001", **over) -> dict:
    body = {
        "StudentNumber": student_number,
        "NationalCode": national_code("1234567" + student_number[-2:]),
        "CourseStudyCode": "1710",
        "ResidencyStartYear": 1401,
        "ResidentStatusId": 1,
        "DurationId": 2,
        "StartResidencyDate": "2022-09-23T00:00:00",
        "EndResidencyDate": None,
        "FirstName": "مریم",
        "LastName": "احمدی",
        "FatherName": "علی",
        "IsIrani": True,
        "BirthDate": "1994-03-01T00:00:00",
        "Email": "m.ahmadi@example.ir",
        "Mobile": "09121234567",
        "Address": "تهران، خیابان انقلاب",
        "GenderId": 1,
    }
    body.update(over)
    return body


def declaration(student_number: str = "98123001", **over) -> dict:
    body = {
        "StudentNumber": student_number,
        "YearId": 1402,
        "DeclareCode": 3,
        "DeclarationTypeId": 1,
        "RejectReasonTypeId": None,
        "DurationId": 2,
        "HasLogBook": True,
        "BaliniScore": 52.5,
        "OperationScore": 48,
        "EthicsScore": 27.25,
        "StartResidencyDate": "2022-09-23T00:00:00",
        "EndResidencyDate": None,
        "Description": "",
    }
    body.update(over)
    return body


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)


@pytest.fixture
def browser():
    """Headless Chromium for a browser test; the test is skipped where none is installed."""
    from .browser import chromium_path, launch

    if chromium_path() is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own SIMAD_HOME and no stray credentials or log output."""
    import keyring.backends.fail

    from pipeline.core import config, i18n, logs

    monkeypatch.setenv("SIMAD_HOME", str(tmp_path / "home"))
    # Neither the user's settings file nor the user's system keyring reaches a test.
    monkeypatch.setenv("SIMAD_CONFIG_DIR", str(tmp_path / "settings"))
    keyring.set_keyring(keyring.backends.fail.Keyring())
    for name in ("SIMAD_USERNAME", "SIMAD_PASSWORD", "SIMAD_TARGET", "SIMAD_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    config.reset_settings_cache()
    logs.configure(None)
    i18n.set_lang("fa")
