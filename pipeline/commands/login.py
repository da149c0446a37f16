"""``simad login`` / ``logout`` and ``simad config``: credentials in the system keyring, the
other settings in the per-user settings file (never a password there)."""

from __future__ import annotations

from pipeline.core import config, i18n, keys, settings
from pipeline.core.errors import ConfigError
from pipeline.core.i18n import t

# What each service asks for, in order, and which of them are secret (asked for hidden).
FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    "simad": (("username", False), ("password", True)),
    "maxa": tuple((name, name.endswith(("SECRET", "PASSWORD"))) for name in config.MAXA_VARIABLES),
}


def service_of(service: str) -> str:
    name = service.strip().lower()
    if name not in keys.SERVICES:
        raise ConfigError(t("login_bad_service", value=service[:40]))
    return name


def target_of(service: str, target: str | None) -> str:
    """The target the credentials are for: as given, else as a command would choose it."""
    env_var = "MAXA_TARGET" if service == "maxa" else "SIMAD_TARGET"
    return config.resolve_target(target, env_var=env_var)


def check_keyring() -> None:
    """``KeyringMissing`` (exit 2) before anything is asked, where no keyring exists."""
    keys.available()


def store(service: str, target: str, values: dict[str, str]) -> None:
    """Keep a service's credentials for ``target`` in the system keyring; every field must be
    given (``ConfigError`` otherwise, nothing kept)."""
    if not all(values.get(name) for name, _ in FIELDS[service]):
        raise ConfigError(t("login_empty"))
    keys.store(service, target, {name: values[name] for name, _ in FIELDS[service]})


def forget(service: str, target: str) -> bool:
    return keys.remove(service, target)


def setting_value(key: str, value: str) -> str:
    """``value`` as it is kept for ``key``, checked as the command line would check it."""
    name = settings.check_key(key)
    value = value.strip()
    if name == "lang":
        return i18n.checked(value)
    if name in ("target", "maxa-target"):
        return config.resolve_target(value)
    if not value:
        raise ConfigError(t("settings_not_set", name=name))
    return value
