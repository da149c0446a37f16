"""SIMAD_HOME on a shared PC: what another user created there first is refused, what is the
user's own but open to others is made owner-only, and a home that cannot be used stops every
command with one line and exit 3 before anything is sent."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core import config, i18n, private
from pipeline.core.errors import LocalStorageError

from .test_submit import SAMPLE

runner = CliRunner()
posix_only = pytest.mark.skipif(os.name != "posix", reason="owners and modes are POSIX's")
NOBODY = 65534


def home() -> Path:
    return Path(os.environ["SIMAD_HOME"])


def simad(*args: str):
    config.reset_settings_cache()
    return runner.invoke(app, ["--lang", "en", *args])


def refused(result, *words: str) -> str:
    """Exit 3 with exactly one error line, which says ``words``; that line."""
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


COMMANDS = [
    ("submit", str(SAMPLE), "--report", "r.xlsx"),
    ("runs",),
    ("results", "--year", "1402"),
    ("reconcile", "--year", "1402"),
    ("maxa", "lookup", "eRX", "60281"),
]


def nothing_was_sent() -> None:
    assert not (home() / "sandbox.db").exists()  # the embedded server never started
    assert not (home() / "ledger.db").exists()
    assert not Path("r.xlsx").exists()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_home_that_another_user_owns_is_refused_before_anything_is_sent(command, monkeypatch):
    home().mkdir(mode=0o700)
    real = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real + 4242)  # we are someone else now
    refused(simad(*command), str(home()), "belongs to another user")
    nothing_was_sent()


@posix_only
def test_the_web_app_does_not_start_on_a_home_of_another_user(monkeypatch):
    from pipeline.web.server import build

    home().mkdir(mode=0o700)
    real = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real + 4242)
    with i18n.language("en"), pytest.raises(LocalStorageError, match="another user") as raised:
        build("127.0.0.1", 8000, "en")
    assert raised.value.exit_code == 3
    assert not (home() / "ui").exists()


@posix_only
def test_a_home_that_is_a_link_is_judged_by_where_it_leads(tmp_path, monkeypatch):
    theirs = tmp_path / "their-folder"
    theirs.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(theirs)
    monkeypatch.setenv("SIMAD_HOME", str(link))
    assert simad("runs").exit_code == 0  # a link to one's own folder is fine
    real = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real + 4242)
    line = refused(simad("runs"), f"{link} → {theirs}", "belongs to another user")
    assert "SIMAD_HOME" in line


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="chown needs root")
@pytest.mark.parametrize("entry", ["ledger.db", "ledger.db-wal", "logs", "locks", "ui/s1/up.xlsx"])
def test_what_another_user_created_in_the_home_first_is_refused(entry):
    """Another account created the ledger (0666) or a folder (0777) before this user's first
    run: it could read every payload, or plant outcomes. Refused, naming it."""
    home().mkdir(mode=0o700)
    path = home() / entry
    if "." in path.name:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        path.chmod(0o666)
    else:
        path.mkdir(mode=0o777)
        path.chmod(0o777)
    os.chown(path, NOBODY, NOBODY)
    for command in (("runs",), ("submit", str(SAMPLE), "--report", "r.xlsx")):
        refused(simad(*command), str(path), "belongs to another user")
    assert not (home() / "sandbox.db").exists() and not Path("r.xlsx").exists()
    assert mode(path) in (0o666, 0o777)  # not theirs to repair


@posix_only
def test_own_files_open_to_others_are_made_owner_only():
    h = home()
    h.mkdir()
    h.chmod(0o777)
    files = [h / "ledger.db", h / "logs" / "simad-20260101.jsonl", h / "ui" / "s1" / "up.xlsx"]
    files += [h / "reports" / "r.xlsx", h / "maxa-mirror.db-wal"]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o777)
        path.write_bytes(b"")
        path.chmod(0o666)
    unrelated = h / "notes.txt"  # not the tool's: left as it is
    unrelated.write_text("x", encoding="utf-8")
    unrelated.chmod(0o644)
    result = simad("runs")
    assert result.exit_code == 0, result.output
    assert mode(h) == 0o700
    for path in files:
        assert mode(path) == 0o600, path
        assert mode(path.parent) == 0o700, path.parent
    assert mode(unrelated) == 0o644


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_locks_that_is_a_plain_file_is_refused_by_every_command(command):
    home().mkdir()
    (home() / "locks").write_text("", encoding="utf-8")
    refused(simad(*command), str(home() / "locks"), "is not a folder")
    nothing_was_sent()


def test_a_home_that_is_a_file_or_under_one_is_refused(tmp_path, monkeypatch):
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SIMAD_HOME", str(a_file))
    refused(simad("runs"), str(a_file), "is not a folder")
    monkeypatch.setenv("SIMAD_HOME", str(a_file / "home"))
    refused(simad("runs"), str(a_file / "home"), "cannot be created or written")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_read_only_home_is_refused_before_anything_is_sent(command, monkeypatch):
    home().mkdir(mode=0o700)

    def read_only(**_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    # A mounted read-only folder, as the system says it (root writes anywhere else).
    monkeypatch.setattr(config, "tempfile", SimpleNamespace(TemporaryFile=read_only))
    refused(simad(*command), str(home()), "cannot be created or written", "Read-only")
    nothing_was_sent()


def test_the_home_is_checked_once_per_process(monkeypatch):
    calls = []
    real = private._guard
    monkeypatch.setattr(private, "_guard", lambda *a, **k: calls.append(a) or real(*a, **k))
    config.reset_settings_cache()
    config.simad_home()
    config.simad_home()
    assert len(calls) == 1  # the home alone, once: nothing else is in it yet


def test_elsewhere_than_posix_only_the_kinds_are_checked(monkeypatch):
    """On Windows owners and modes mean little (the user's profile protects the data): the
    home of "another user" is used, and nothing is chmodded; a file where a folder belongs is
    still refused."""
    monkeypatch.setattr(private, "POSIX", False)
    monkeypatch.setattr(os, "geteuid", lambda: 4242, raising=False)
    home().mkdir()
    mirror = home() / "maxa-mirror.db"  # not opened by `simad runs`
    mirror.write_bytes(b"")
    mirror.chmod(0o644)
    assert simad("runs").exit_code == 0
    if os.name == "posix":
        assert mode(mirror) == 0o644
    shutil.rmtree(home() / "logs", ignore_errors=True)
    (home() / "logs").write_text("", encoding="utf-8")
    refused(simad("runs"), str(home() / "logs"), "is not a folder")
