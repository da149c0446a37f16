"""The per-user settings file: target, username, MAXA target and language — never a password.

It lives in the platform's folder for a user's settings (``platformdirs.user_config_dir``:
``%LOCALAPPDATA%\\simad-sync`` on Windows, ``~/Library/Application Support/simad-sync`` on
macOS, ``~/.config/simad-sync`` on Linux), or in ``SIMAD_CONFIG_DIR`` when that is set. It is
a small JSON file, written to a temporary file and moved into place, owner-only.

Each setting is taken from the command line first, then the environment, then this file,
then the default (``config.resolve_target`` and the language of the command line).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import platformdirs

from pipeline.core.errors import ConfigError, LocalStorageError
from pipeline.core.i18n import t

FILE_NAME = "settings.json"
# The settings a person may keep, and the variable of the environment that overrides each.
KEYS: dict[str, str] = {
    "target": "SIMAD_TARGET",
    "username": "SIMAD_USERNAME",
    "maxa-target": "MAXA_TARGET",
    "lang": "SIMAD_LANG",
}
_SECRET_WORDS = ("password", "secret", "token", "pass", "pwd")


def folder() -> Path:
    """Where the settings file (and a ``.env``, if the office keeps one) lives."""
    raw = os.environ.get("SIMAD_CONFIG_DIR")
    return Path(raw).expanduser() if raw else Path(platformdirs.user_config_dir("simad-sync"))


def path() -> Path:
    return folder() / FILE_NAME


def load() -> dict[str, str]:
    """Every setting kept, or none when there is no file; ``ConfigError`` (exit 2) when the
    file is there but cannot be read as settings."""
    where = path()
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(t("settings_bad_file", path=where, reason=_reason(exc))) from None
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConfigError(t("settings_bad_file", path=where, reason=_reason(exc))) from None
    if not isinstance(data, dict):
        raise ConfigError(t("settings_bad_file", path=where, reason="not an object"))
    return {k: v for k, v in data.items() if k in KEYS and isinstance(v, str) and v}


def get(key: str) -> str | None:
    return load().get(check_key(key))


def saved_lang() -> str | None:
    """The language kept in the settings file, or None."""
    return load().get("lang")


def check_key(key: str) -> str:
    """``key`` if a person may keep it; ``ConfigError`` (exit 2) otherwise, with a word of its
    own for anything that looks like a password."""
    name = key.strip().lower()
    if any(word in name for word in _SECRET_WORDS):
        raise ConfigError(t("settings_no_password"))
    if name not in KEYS:
        raise ConfigError(t("settings_unknown_key", name=key, keys=", ".join(KEYS)))
    return name


def put(key: str, value: str | None) -> Path:
    """Keep ``value`` for ``key`` (None: remove it); the file's path."""
    name = check_key(key)
    data = load()
    if value is None:
        data.pop(name, None)
    else:
        data[name] = value
    _write(data)
    return path()


def _write(data: dict[str, str]) -> None:
    """The whole file, written beside itself, owner-only, then moved into place."""
    where = path()
    try:
        where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=where.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
                out.write("\n")
            os.replace(temporary, where)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        if os.name == "posix":
            os.chmod(where, 0o600)
    except OSError as exc:
        raise LocalStorageError(t("settings_unwritable", path=where, reason=_reason(exc))) from None


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)
