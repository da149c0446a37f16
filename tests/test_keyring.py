"""`simad login` / `logout`: credentials in the system keyring, per target, asked for hidden,
used by the commands without a question, never shown or logged; no keyring, nothing kept."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core import config
from pipeline.core.errors import ConfigError

runner = CliRunner()
SAMPLE = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
SECRET = "Keyring-Secret-73"
MINISTRY = "https://simad.example.invalid"


class MemoryKeyring(KeyringBackend):
    """A keyring held in a dict, as Windows Credential Manager would hold the entries."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(service)


@pytest.fixture
def memory(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMAD_CONFIG_DIR", str(tmp_path / "settings"))
    for name in config.MAXA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def no_secret_in(tmp_path: Path, *texts: str) -> None:
    for text in texts:
        assert SECRET not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_login_keeps_them_per_target_and_logout_removes(memory, tmp_path):
    done = runner.invoke(
        app, ["--lang", "en", "login", "--target", MINISTRY], input=f"clerk-7\n{SECRET}\n"
    )
    assert done.exit_code == 0, done.output
    assert "Stored in the system keyring for https://simad.example.invalid" in done.output
    assert list(memory.entries) == [(f"simad-sync:{MINISTRY}", "credentials")]
    found = config.simad_credentials(MINISTRY, interactive=False)  # no question asked
    assert (found.username, found.password) == ("clerk-7", SECRET)
    # Another target's credentials are not these: the sandbox keeps its demo account.
    assert config.simad_credentials(config.SANDBOX).username == config.SANDBOX_USERNAME
    with pytest.raises(ConfigError):
        config.simad_credentials("https://other.example.invalid", interactive=False)
    gone = runner.invoke(app, ["--lang", "en", "logout", "--target", MINISTRY])
    assert gone.exit_code == 0 and "Removed from the system keyring" in gone.output
    assert memory.entries == {}
    again = runner.invoke(app, ["--lang", "en", "logout", "--target", MINISTRY])
    assert again.exit_code == 0 and "holds nothing" in again.output
    no_secret_in(tmp_path, done.output, gone.output)


def test_a_command_uses_the_keyring_without_asking(memory, tmp_path):
    """A wrong password kept for the sandbox is used (and refused by it, exit 3) with no
    prompt; after logout the sandbox's demo account is used again."""
    done = runner.invoke(
        app, ["login", "--target", "sandbox"], input=f"demo-university\n{SECRET}\n"
    )
    assert done.exit_code == 0, done.output
    args = ["--lang", "en", "submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx")]
    refused = runner.invoke(app, args, input="")  # a prompt would meet end of input
    assert refused.exit_code == 3, refused.output
    assert "Incorrect username or password" in refused.output
    assert "password:" not in refused.output.lower()
    assert runner.invoke(app, ["logout", "--target", "sandbox"]).exit_code == 0
    accepted = runner.invoke(app, args, input="")
    assert accepted.exit_code in (0, 1), accepted.output  # the sample's invalid rows: 1
    assert "Incorrect username or password" not in accepted.output
    no_secret_in(tmp_path, done.output, refused.output, accepted.output)


def test_the_environment_comes_before_the_keyring(memory, monkeypatch):
    runner.invoke(app, ["login", "--target", MINISTRY], input=f"clerk-7\n{SECRET}\n")
    monkeypatch.setenv("SIMAD_USERNAME", "from-env")
    monkeypatch.setenv("SIMAD_PASSWORD", "env-pass")
    found = config.simad_credentials(MINISTRY, interactive=False)
    assert (found.username, found.password) == ("from-env", "env-pass")
    monkeypatch.delenv("SIMAD_PASSWORD")  # another account's password is never mixed in
    with pytest.raises(ConfigError):
        config.simad_credentials(MINISTRY, interactive=False)


def test_maxa_login_keeps_every_field(memory, tmp_path):
    answers = ["his-client", SECRET, "maxa-user", "maxa-" + SECRET, "pid-9"]
    done = runner.invoke(
        app,
        ["login", "--service", "maxa", "--target", "https://ditas.example.invalid"],
        input="\n".join(answers) + "\n",
    )
    assert done.exit_code == 0, done.output
    found = config.maxa_credentials("https://ditas.example.invalid", interactive=False)
    assert (found.client_id, found.client_secret, found.username, found.pid) == (
        "his-client",
        SECRET,
        "maxa-user",
        "pid-9",
    )
    assert SECRET not in repr(found)
    no_secret_in(tmp_path, done.output)


def test_an_empty_answer_keeps_nothing(memory):
    done = runner.invoke(app, ["--lang", "en", "login", "--target", MINISTRY], input="clerk\n\n")
    assert done.exit_code != 0
    assert memory.entries == {}


def test_no_keyring_is_said_and_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMAD_CONFIG_DIR", str(tmp_path / "settings"))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        done = runner.invoke(
            app, ["--lang", "en", "login", "--target", MINISTRY], input=f"clerk\n{SECRET}\n"
        )
        fa = runner.invoke(app, ["login", "--target", MINISTRY], input=f"clerk\n{SECRET}\n")
        gone = runner.invoke(app, ["--lang", "en", "logout", "--target", MINISTRY])
        with pytest.raises(ConfigError):  # looking up finds nothing; no prompt here
            config.simad_credentials(MINISTRY, interactive=False)
    finally:
        keyring.set_keyring(before)
    assert done.exit_code == 2, done.output
    assert "This computer has no system keyring" in done.output
    assert "SIMAD username:" not in done.output  # said before anything is asked
    assert fa.exit_code == 2 and "جاکلیدی سیستم ندارد" in fa.output
    assert gone.exit_code == 2
    no_secret_in(tmp_path, done.output, fa.output)


def test_a_password_is_never_taken_from_a_flag(memory):
    done = runner.invoke(app, ["login", "--password", SECRET])
    assert done.exit_code == 2
    assert memory.entries == {}
