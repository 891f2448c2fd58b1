"""The `[services]` table of keysprawl.toml: base URLs, token variables, HTTP patience.

    [services.github]
    url = "https://github.example.com/api/v3"   # GitHub Enterprise Server
    token_env = "GHE_TOKEN"                     # the *name* of the variable holding the token
    [services.gitlab]
    url = "https://gitlab.example.com"
    [services.jira]
    url = "https://acme.atlassian.net"
    token_env = "JIRA_TOKEN"
    email_env = "JIRA_EMAIL"                    # set in the environment: Jira Cloud
    [services.http]
    workers = 4        # requests in flight per source
    retries = 4        # of a 429, 5xx or timed-out request
    backoff = 1.0      # first retry delay (s), doubled each time, at most 30 s
    max_wait = 120     # longest rate-limit wait honoured (s)
    timeout = 30       # per request (s)

Tokens themselves never go in the file. Command-line options win over the file. A mistake is
one error naming the file, line and key (`keysprawl.toml:7: [services.http] retries ...`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from connectors.github_secrets import SecretPlace
from connectors.http import HttpPolicy
from connectors.services import ServiceOptions
from scanner.config_lines import KeyLines
from scanner.errors import ConfigError
from scanner.inventory import Inventory, InventoryKey

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
_TABLES: dict[str, frozenset[str]] = {
    "github": frozenset({"url", "token_env"}),
    "gitlab": frozenset({"url", "token_env"}),
    "jira": frozenset({"url", "token_env", "email_env"}),
    "http": frozenset({"workers", "retries", "backoff", "max_wait", "timeout"}),
}
_NUMBERS = {"workers": (1, 32), "retries": (0, 10), "backoff": (0, 60), "max_wait": (0, 86400),
            "timeout": (1, 600)}  # fmt: skip


def service_options(document: Mapping[str, Any], path: Path | None) -> ServiceOptions:
    services = _table(document, None, "services", path)
    unknown = sorted(set(services) - set(_TABLES))
    if unknown:
        raise ConfigError(f"{_where(path, 'services', unknown[0])}: unknown service table "
                          f"(expected {', '.join(sorted(_TABLES))})")  # fmt: skip
    tables = {name: _table(services, "services", name, path) for name in _TABLES}
    for name, table in tables.items():
        _check_keys(table, name, path)
    defaults = ServiceOptions()
    return ServiceOptions(
        github_url=_text(tables["github"], "url", "github", path),
        gitlab_url=_text(tables["gitlab"], "url", "gitlab", path),
        jira_url=_text(tables["jira"], "url", "jira", path),
        github_token_env=_env(tables["github"], "token_env", "github", path)
        or defaults.github_token_env,
        gitlab_token_env=_env(tables["gitlab"], "token_env", "gitlab", path)
        or defaults.gitlab_token_env,
        jira_token_env=_env(tables["jira"], "token_env", "jira", path) or defaults.jira_token_env,
        jira_email_env=_env(tables["jira"], "email_env", "jira", path) or defaults.jira_email_env,
        http=_http(tables["http"], path),
    )


def _where(path: Path | None, table: str | None, key: str) -> str:
    """`FILE:LINE: [TABLE] KEY`. The file is read again only to word an error: the parsed
    document that every command shares does not keep its text."""
    try:
        text = path.read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        text = ""  # best effort: the message still names the file and key
    return KeyLines(path or Path("keysprawl.toml"), text)(table, key)


def _table(document: Mapping[str, Any], parent: str | None, key: str, path: Path | None) -> Any:
    value = document.get(key, {})
    if not isinstance(value, dict):
        name = f"{parent}.{key}" if parent else key
        raise ConfigError(f"{_where(path, parent, key)}: must be a table ([{name}])")
    return value


def _check_keys(table: Mapping[str, Any], name: str, path: Path | None) -> None:
    for key in table:
        if key not in _TABLES[name]:
            allowed = ", ".join(sorted(_TABLES[name]))
            where = _where(path, f"services.{name}", key)
            raise ConfigError(f"{where}: unknown setting (expected {allowed})")


def _text(table: Mapping[str, Any], key: str, name: str, path: Path | None) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    # A URL that is not text must not silently fall back to the public service.
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{_where(path, f'services.{name}', key)}: must be a non-empty string")
    return value


def _env(table: Mapping[str, Any], key: str, name: str, path: Path | None) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    # The value is never echoed: someone may have pasted a token where its variable's name goes.
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise ConfigError(
            f"{_where(path, f'services.{name}', key)} must name an environment variable in "
            "capitals, like GITHUB_TOKEN (never the token itself)"
        )
    return value


def _http(table: Mapping[str, Any], path: Path | None) -> HttpPolicy:
    values: dict[str, float] = {}
    for key, (low, high) in _NUMBERS.items():
        if key not in table:
            continue
        value = table[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ConfigError(
                f"{_where(path, 'services.http', key)} must be a number from {low} to {high}"
            )
        values[key] = value
    policy = HttpPolicy()
    return patience(
        replace(
            policy,
            workers=int(values.get("workers", policy.workers)),
            retries=int(values.get("retries", policy.retries)),
            backoff=float(values.get("backoff", policy.backoff)),
            max_wait=float(values.get("max_wait", policy.max_wait)),
            timeout=float(values.get("timeout", policy.timeout)),
        )
    )


def patience(http: HttpPolicy) -> HttpPolicy:
    """Retry delays double up to 30 s, never past the longest wait honoured (`max_wait`)."""
    return replace(http, backoff_max=max(http.backoff, min(30.0, http.max_wait)))


def secret_places(inventory: Inventory) -> tuple[SecretPlace, ...]:
    """The inventory's approved `github-secret:` places, with when each key's value was made."""
    places = []
    for key in inventory.keys:
        # Most keys name no such place: look at their fingerprints only when one does (a
        # 10,000-key inventory is read on every scan).
        patterns = [p for p in key.approved if p.startswith("github-secret:")]
        if patterns:
            since = _value_made(key)
            places += [SecretPlace(pattern, key.id, since) for pattern in patterns]
    return tuple(places)


def _value_made(key: InventoryKey) -> date | None:
    current = next((fp.added for fp in key.fingerprints if fp.current and fp.added), None)
    return current or key.rotated or key.created
