"""The per-user settings file (`simad config`), the order settings are taken in, `.env` only
from a safe place, and `simad validate` on a workbook with no rows."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core import config, settings

runner = CliRunner()
MINISTRY = "https://simad.example.invalid"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "settings"
    monkeypatch.setenv("SIMAD_CONFIG_DIR", str(where))
    return where


def test_set_get_unset_and_path(folder):
    assert runner.invoke(app, ["config", "path"]).output.strip() == str(folder / "settings.json")
    done = runner.invoke(app, ["--lang", "en", "config", "set", "target", MINISTRY + "/"])
    assert done.exit_code == 0, done.output
    assert json.loads((folder / "settings.json").read_text("utf-8")) == {"target": MINISTRY}
    if os.name == "posix":
        assert stat.S_IMODE((folder / "settings.json").stat().st_mode) == 0o600
    assert runner.invoke(app, ["config", "get", "target"]).output.strip() == MINISTRY
    assert runner.invoke(app, ["config", "set", "username", "clerk-7"]).exit_code == 0
    listed = runner.invoke(app, ["config", "get"]).output
    assert f"target = {MINISTRY}" in listed and "username = clerk-7" in listed
    assert runner.invoke(app, ["config", "unset", "target"]).exit_code == 0
    missing = runner.invoke(app, ["--lang", "en", "config", "get", "target"])
    assert missing.exit_code == 1 and "target is not set." in missing.output
    assert [p.name for p in folder.iterdir()] == ["settings.json"]  # no temporary left


@pytest.mark.parametrize("key", ["password", "SIMAD_PASSWORD", "maxa-client-secret"])
def test_a_password_is_refused(folder, key):
    done = runner.invoke(app, ["--lang", "en", "config", "set", key, "Hidden-Pw-5"])
    assert done.exit_code == 2
    assert "A password is never kept in the settings file" in done.output
    assert "Hidden-Pw-5" not in done.output
    assert not (folder / "settings.json").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [("colour", "red"), ("lang", "de"), ("target", "http://simad.example.invalid")],
)
def test_a_bad_key_or_value_is_a_usage_error(folder, key, value):
    done = runner.invoke(app, ["--lang", "en", "config", "set", key, value])
    assert done.exit_code == 2, done.output
    assert not (folder / "settings.json").exists()


def test_option_then_environment_then_file_then_default(folder, monkeypatch):
    assert config.resolve_target(None) == config.SANDBOX
    settings.put("target", MINISTRY)
    settings.put("maxa-target", "https://ditas.example.invalid")
    assert config.resolve_target(None) == MINISTRY
    assert config.resolve_target(None, env_var="MAXA_TARGET") == "https://ditas.example.invalid"
    monkeypatch.setenv("SIMAD_TARGET", "https://env.example.invalid")
    assert config.resolve_target(None) == "https://env.example.invalid"
    assert config.resolve_target("sandbox") == config.SANDBOX


def test_the_kept_language_speaks_unless_told_otherwise(folder, monkeypatch):
    settings.put("lang", "en")
    assert "No runs recorded yet." in runner.invoke(app, ["runs"]).output
    assert "Show the version." in runner.invoke(app, ["--help"]).output
    assert "هنوز اجرایی ثبت نشده است." in runner.invoke(app, ["runs", "--lang", "fa"]).output
    monkeypatch.setenv("SIMAD_LANG", "fa")
    assert "هنوز اجرایی ثبت نشده است." in runner.invoke(app, ["runs"]).output


def test_a_settings_file_that_cannot_be_read_is_said(folder):
    folder.mkdir()
    (folder / "settings.json").write_text("{not json", encoding="utf-8")
    done = runner.invoke(app, ["--lang", "en", "config", "get"])
    assert done.exit_code == 2
    assert "settings.json cannot be read" in done.output
    assert runner.invoke(app, ["runs"]).exit_code == 2  # its language would come from it


def test_the_kept_username_is_offered_at_the_prompt(folder, monkeypatch):
    settings.put("username", "clerk-7")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed-pw")
    found = config.simad_credentials(MINISTRY)
    assert (found.username, found.password) == ("clerk-7", "typed-pw")


def test_a_dotenv_in_the_working_folder_is_ignored_and_said(tmp_path, folder, capsys):
    (tmp_path / ".env").write_text("SIMAD_TARGET=https://evil.example.invalid\n", "utf-8")
    config.reset_settings_cache()
    assert config.resolve_target(None) == config.SANDBOX
    said = capsys.readouterr().err
    assert ".env" in said and str(tmp_path / ".env") in said and str(folder) in said
    config.setting("SIMAD_TIMEOUT")
    assert capsys.readouterr().err == ""  # once


@pytest.mark.parametrize("where", ["home", "settings"])
def test_a_dotenv_in_a_safe_place_is_read(tmp_path, folder, where):
    place = tmp_path / where
    place.mkdir(mode=0o700)
    (place / ".env").write_text(f"SIMAD_TARGET={MINISTRY}\n", "utf-8")
    config.reset_settings_cache()
    assert config.resolve_target(None) == MINISTRY


def test_validate_on_the_empty_template_says_there_are_no_rows(tmp_path):
    assert runner.invoke(app, ["template", "--out", str(tmp_path / "t")]).exit_code == 0
    books = sorted(str(p) for p in (tmp_path / "t").glob("*.xlsx"))
    done = runner.invoke(app, ["validate", *books, "--report", str(tmp_path / "r.xlsx")])
    assert done.exit_code == 1, done.output
    assert "هیچ ردیفی برای بررسی نیست" in done.output
    assert "همه ردیف‌ها معتبرند" not in done.output
    english = runner.invoke(app, ["--lang", "en", "validate", books[0], "--json"])
    assert english.exit_code == 1
    answer = json.loads(english.stdout)
    assert (answer["ok"], answer["rows"]) == (False, 0)
