"""A retired code reads the same offline and online, on the page and in the CLI: when the
local mirror holds versions before the one that answered, they are looked in, and the answer
names the last version that had the code and its name then."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.inprocess import in_process

runner = CliRunner()
RETIRED = "60045"  # in eRX 10000, no longer in 11000
NAME = "AMOXICILLIN 250 mg CAPSULE ORAL"


def pull(*versions: str) -> None:
    for version in versions:
        pulled = runner.invoke(app, ["maxa", "pull", "eRX", "--version", version, "--json"])
        assert pulled.exit_code == 0, pulled.output


def test_cli_offline_looks_in_the_older_mirrored_versions():
    pull("latest", "10000")
    told = runner.invoke(app, ["--lang", "en", "maxa", "lookup", "erx", RETIRED, "--offline"])
    assert told.exit_code == 1  # not in the current version
    assert "retired" in told.output and "10000" in told.output and NAME in told.output
    assert "Offline" not in told.output
    fa = runner.invoke(app, ["--lang", "fa", "maxa", "lookup", "erx", RETIRED, "--offline"])
    assert "کنار گذاشته شده" in fa.output and "10000" in fa.output


def test_cli_online_says_retired_as_the_page_does():
    told = runner.invoke(app, ["--lang", "en", "maxa", "lookup", "erx", RETIRED])
    assert told.exit_code == 1
    assert "retired" in told.output and "10000" in told.output and NAME in told.output
    assert "not found" not in told.output
    unknown = runner.invoke(app, ["--lang", "en", "maxa", "lookup", "erx", "99999"])
    assert "retired" not in unknown.output


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_page_offline_says_retired_when_the_mirror_holds_older_versions(lang):
    pull("latest", "10000")
    with in_process(lang) as (client, token, _state):
        h = {"x-csrf-token": token, "hx-request": "true"}
        form = {"terminology": "eRX", "code": RETIRED, "offline": "on"}
        told = client.post("/maxa/lookup", data=form, headers=h)
    assert told.status_code == 200, told.text
    assert ("کنار گذاشته شده" if lang == "fa" else "retired") in told.text
    assert "10000" in told.text and NAME in told.text
    assert ("«بدون اینترنت»" if lang == "fa" else "“Offline”") not in told.text
