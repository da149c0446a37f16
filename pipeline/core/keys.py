"""Credentials kept in the system keyring: Windows Credential Manager, the macOS Keychain or a
Secret Service on Linux, through the ``keyring`` package.

Each target has its own entry (service ``simad-sync:<target>`` or ``simad-sync-maxa:<target>``),
so the sandbox's and the ministry's credentials never mix. The entry holds the service's
fields (SIMAD: username and password; DITAS: client id and secret, username, password, pid) as
one JSON value. Where no keyring exists, storing is refused (``KeyringMissing``, exit 2) and
nothing is written anywhere else; looking up finds nothing and the command asks as before.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from pipeline.core.errors import ConfigError, KeyringMissing
from pipeline.core.i18n import t

SERVICES = ("simad", "maxa")
ENTRY = "credentials"  # the keyring's "username" of the one entry each target has
log = structlog.get_logger("simad.keys")


def service_name(service: str, target: str) -> str:
    prefix = "simad-sync" if service == "simad" else f"simad-sync-{service}"
    return f"{prefix}:{target}"


def _backend() -> Any:
    """The keyring in use, or ``KeyringMissing`` when there is none that can keep secrets."""
    import keyring
    from keyring.backends import fail

    try:
        found = keyring.get_keyring()
    except Exception as exc:  # a PYTHON_KEYRING_BACKEND or keyringrc naming what cannot load
        raise ConfigError(t("keyring_failed", reason=type(exc).__name__)) from None
    if isinstance(found, fail.Keyring):
        raise KeyringMissing(t("keyring_missing"))
    return found


def available() -> None:
    """Nothing when a system keyring can keep secrets; ``KeyringMissing`` (exit 2) otherwise."""
    _backend()


def store(service: str, target: str, values: dict[str, str]) -> None:
    """Keep ``values`` for ``target`` in the system keyring (replacing what was there)."""
    from keyring.errors import KeyringError, NoKeyringError

    backend = _backend()
    try:
        backend.set_password(service_name(service, target), ENTRY, json.dumps(values))
    except NoKeyringError:
        raise KeyringMissing(t("keyring_missing")) from None
    except KeyringError as exc:
        raise ConfigError(t("keyring_failed", reason=type(exc).__name__)) from None


def load(service: str, target: str) -> dict[str, str]:
    """What the keyring keeps for ``target``, or nothing (no keyring, no entry, or a keyring
    that cannot be read: the command then asks, as it would without one)."""
    from keyring.errors import KeyringError

    try:
        raw = _backend().get_password(service_name(service, target), ENTRY)
    except (ConfigError, KeyringError) as exc:  # KeyringMissing too
        log.info("keyring_unavailable", kind=type(exc).__name__)
        return {}
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def remove(service: str, target: str) -> bool:
    """Forget what the keyring keeps for ``target``; False when it kept nothing."""
    from keyring.errors import KeyringError, PasswordDeleteError

    backend = _backend()
    name = service_name(service, target)
    try:
        if backend.get_password(name, ENTRY) is None:
            return False
        backend.delete_password(name, ENTRY)
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise ConfigError(t("keyring_failed", reason=type(exc).__name__)) from None
    return True
