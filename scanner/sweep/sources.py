"""`[[sources]]` in keysprawl.toml: what the nightly sweep scans.

    [[sources]]
    kind = "git"                 # folder | git | github | gitlab | jira
    url = "https://git.example.com/payments.git"   # git: url or path
    name = "payments"            # optional, unique; default: the target

Each source becomes a target string (the same syntax `keysprawl scan` takes) plus the service
options it needs, so the sweep and an ad-hoc scan use one code path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.git_clone import display_url
from scanner.errors import ConfigError

# The settings each kind accepts; `kind` and `name` are common to all.
KIND_KEYS: dict[str, frozenset[str]] = {
    "folder": frozenset({"path"}),
    "git": frozenset({"path", "url", "branch"}),
    "github": frozenset({"target", "url", "token_env"}),
    "gitlab": frozenset({"target", "url", "token_env"}),
    "jira": frozenset({"jql", "url", "token_env", "email_env"}),
}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
_REQUIRED = {"folder": ("path",), "github": ("target",), "jira": ("jql", "url")}


@dataclass(frozen=True, slots=True)
class Source:
    kind: str
    name: str
    target: str
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def service(self) -> bool:
        return self.kind in ("github", "gitlab", "jira")


class SourceLines:
    """Finds the line of a key inside the n-th `[[sources]]` table, for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self._lines = text.splitlines()
        self._starts = [
            n
            for n, line in enumerate(self._lines, 1)
            if re.match(r"^\s*\[\[\s*sources\s*\]\]", line)
        ]

    def __call__(self, index: int, key: str | None = None) -> str:
        start = self._starts[index] if index < len(self._starts) else None
        line = start
        if start is not None and key is not None:
            line = next(
                (
                    n
                    for n in range(start + 1, len(self._lines) + 1)
                    if re.match(rf"^\s*{re.escape(key)}\s*=", self._lines[n - 1])
                ),
                start,
            )
        place = f"{self.path}:{line}" if line else str(self.path)
        return f"{place}: [[sources]] #{index + 1}" + (f" {key}" if key else "")


def parse_sources(document: Mapping[str, Any], base: Path, where: SourceLines) -> list[Source]:
    entries = document.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where.path}: 'sources' must be an array of tables ([[sources]])")
    sources = [parse_source(entry, index, base, where) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for index, source in enumerate(sources):
        if source.name in seen:
            raise ConfigError(f"{where(index, 'name')}: the name {source.name!r} is used twice")
        seen.add(source.name)
    return sources


def _check_value(key: str, value: object, place: str) -> None:
    if not isinstance(value, str):
        raise ConfigError(f"{place}: must be a string")
    if key == "branch" and value.startswith("-"):
        raise ConfigError(f"{place}: a ref name cannot start with '-'")  # git reads it as an option
    if key.endswith("_env") and not _ENV_NAME.match(value):
        # Never echoed: a token may have been pasted where its variable's name goes.
        raise ConfigError(
            f"{place}: must name an environment variable in capitals,"
            " like GITHUB_TOKEN (never the token itself)"
        )


def parse_source(entry: object, index: int, base: Path, where: SourceLines) -> Source:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where(index)}: must be a table")
    kind = entry.get("kind")
    if kind not in KIND_KEYS:
        raise ConfigError(f"{where(index, 'kind')}: kind must be one of {', '.join(KIND_KEYS)}")
    allowed = KIND_KEYS[kind] | {"kind", "name"}
    for key, value in entry.items():
        if key not in allowed:
            raise ConfigError(
                f"{where(index, key)}: unknown setting for a {kind} source "
                f"(expected {', '.join(sorted(allowed))})"
            )
        _check_value(key, value, where(index, key))
    for key in _REQUIRED.get(kind, ()):
        if not entry.get(key):
            raise ConfigError(f"{where(index)}: a {kind} source needs {key!r}")
    if kind == "git" and bool(entry.get("path")) == bool(entry.get("url")):
        raise ConfigError(f"{where(index)}: a git source needs exactly one of 'path' or 'url'")
    target = _target(kind, entry, base)
    settings = {key: value for key, value in entry.items() if key not in ("kind", "name")}
    # The name goes into logs, the summary and the store: never a credential from a URL.
    return Source(kind, entry.get("name") or display_url(target), target, settings)


def _target(kind: str, entry: Mapping[str, str], base: Path) -> str:
    """The `keysprawl scan` target for this source; relative paths are from the config's folder."""
    if kind in ("folder", "git") and entry.get("path"):
        path = Path(entry["path"]).expanduser()
        return str(path if path.is_absolute() else base / path)
    if kind == "git":
        return entry["url"]
    if kind == "jira":
        return f"jira:{entry['jql']}"
    return f"{kind}:{entry.get('target', '')}"
