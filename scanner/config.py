"""`keysprawl.toml`: the settings of a deployment (policy, state store; sweeps extend it).

Each section has its own small parser; unknown top-level tables are left to the commands that
own them (`[sources]`, `[reports]`, ...), but an unknown key inside a known table is an error,
so a typo never silently falls back to a default. Errors name the file, line and key.

    [policy]
    due_after = { critical = "1d", high = "7d", medium = "30d", low = "90d" }
    [policy.scope_severity]
    "prod*" = "critical"
    [store]
    path = ".keysprawl/state.db"    # relative to this file's folder
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from scanner.config_lines import KeyLines
from scanner.durations import InvalidDuration, parse_duration
from scanner.errors import ConfigError
from scanner.model import Severity
from scanner.policy import DEFAULT_DUE_AFTER

CONFIG_ENV = "KEYSPRAWL_CONFIG"
DEFAULT_CONFIG = "keysprawl.toml"
_POLICY_KEYS = frozenset({"due_after", "scope_severity"})
_STORE_KEYS = frozenset({"path"})


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    due_after: Mapping[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_DUE_AFTER))
    scope_severity: Mapping[str, Severity] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    store_path: Path | None = None
    # The whole parsed document, for the sections other commands own.
    document: Mapping[str, Any] = field(default_factory=dict)


def resolve_path(explicit: str | None) -> tuple[Path, bool]:
    """The config file and whether it must exist (named by --config or $KEYSPRAWL_CONFIG)."""
    named = explicit or os.environ.get(CONFIG_ENV)
    return (Path(named), True) if named else (Path(DEFAULT_CONFIG), False)


def load(explicit: str | None = None) -> Config:
    """--config, then $KEYSPRAWL_CONFIG, then ./keysprawl.toml if present; else the defaults."""
    path, required = resolve_path(explicit)
    if not required and not path.exists():
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read config file {path}: not UTF-8 text") from None
    return parse(text, path)


def parse(text: str, path: Path) -> Config:
    import tomllib  # deferred: most runs (and every hook) have no config file to parse

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None
    where = KeyLines(path, text)
    policy = _policy(_table(document, "policy", where), where)
    store = _table(document, "store", where)
    _check_keys(store, _STORE_KEYS, "store", where)
    store_path = _string(store, "path", "store", where)
    return Config(
        path=path,
        policy=policy,
        store_path=path.parent / store_path if store_path else None,
        document=document,
    )


def _table(document: Mapping[str, Any], name: str, where: KeyLines) -> Mapping[str, Any]:
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where(None, name)} must be a table")
    return value


def _check_keys(
    table: Mapping[str, Any], allowed: frozenset[str], name: str, where: KeyLines
) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{where(name, key)}: unknown setting (expected {', '.join(sorted(allowed))})"
            )


def _string(table: Mapping[str, Any], key: str, name: str, where: KeyLines) -> str | None:
    value = table.get(key)
    if value is None or (isinstance(value, str) and value):
        return value
    raise ConfigError(f"{where(name, key)} must be a non-empty string")


def _severity(value: Any, name: str, key: str, where: KeyLines) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{where(name, key)} = {value!r}: not a severity ({choices})") from None


def _policy(table: Mapping[str, Any], where: KeyLines) -> PolicyConfig:
    _check_keys(table, _POLICY_KEYS, "policy", where)
    due_table = _table(table, "due_after", where)
    due_after = dict(DEFAULT_DUE_AFTER)
    for key, value in due_table.items():
        severity = _severity(key, "policy.due_after", key, where)
        try:
            due_after[severity] = parse_duration(str(value))
        except InvalidDuration as error:
            raise ConfigError(f"{where('policy.due_after', key)}: {error}") from None
    scopes = _table(table, "scope_severity", where)
    scope_severity = {
        pattern: _severity(value, "policy.scope_severity", pattern, where)
        for pattern, value in scopes.items()
    }
    return PolicyConfig(due_after=due_after, scope_severity=scope_severity)
