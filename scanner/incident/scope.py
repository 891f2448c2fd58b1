"""The scope file of an incident: what to scan, for which keys, over which time.

    name = "INC-2041 payments webhook leak"
    description = "Laptop of a contractor stolen on 2026-11-18"
    inventory = "keysprawl-inventory.toml"   # optional; relative to this file
    since = "2026-10-01"                     # optional time window (dates or ISO 8601 times)
    until = "2026-11-20"
    keys = ["payments-webhook"]              # optional: only these inventory keys
    rules = ["extra-rules"]                  # optional extra rule folders or files
    builtin_rules = true                     # also the shipped rules (default)

    [[sources]]                              # same tables as in keysprawl.toml
    kind = "git"
    path = "../payments"

The command line's --since/--until/--keys override the file's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.config_lines import KeyLines
from scanner.errors import ConfigError
from scanner.incident.window import Window, WindowError
from scanner.sweep.sources import Source, SourceLines, parse_sources

_STRINGS = ("name", "description", "inventory", "since", "until")
TOP_LEVEL = frozenset({*_STRINGS, "keys", "rules", "builtin_rules", "sources"})


@dataclass(frozen=True, slots=True)
class Scope:
    path: Path
    name: str
    description: str
    sources: tuple[Source, ...]
    window: Window
    keys: tuple[str, ...]
    inventory: Path | None
    rules: tuple[Path, ...]
    builtin_rules: bool

    def overridden(
        self, *, keys: tuple[str, ...] | None, since: str | None, until: str | None
    ) -> Scope:
        """The scope with the command line's choices in place of the file's."""
        try:
            window = Window.parse(
                since if since is not None else _iso(self.window.since),
                until if until is not None else _iso(self.window.until),
            )
        except WindowError as error:
            raise ConfigError(f"--{error.bound}: {error}") from None
        chosen = keys if keys is not None else self.keys
        return replace(self, window=window, keys=chosen)


def load_scope(path: Path) -> Scope:
    path = path.absolute()  # the evidence names the scope file wherever it was run from
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read scope file {path}: {error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None
    return parse_scope(document, path, text)


def parse_scope(document: Mapping[str, Any], path: Path, text: str) -> Scope:
    where = KeyLines(path, text)
    for key in document:
        if key not in TOP_LEVEL:
            expected = ", ".join(sorted(TOP_LEVEL))
            raise ConfigError(f"{where(None, key)}: unknown setting (expected {expected})")
    strings = {key: _string(document, key, where) for key in _STRINGS}
    base = path.parent
    sources = tuple(parse_sources(document, base, SourceLines(path, text)))
    if not sources:
        raise ConfigError(f"{path}: the scope has no [[sources]]")
    try:
        window = Window.parse(strings["since"], strings["until"])
    except WindowError as error:
        raise ConfigError(f"{where(None, error.bound)}: {error}") from None
    builtin = document.get("builtin_rules", True)
    if not isinstance(builtin, bool):
        raise ConfigError(f"{where(None, 'builtin_rules')}: must be true or false")
    return Scope(
        path=path,
        name=strings["name"] or path.stem,
        description=strings["description"] or "",
        sources=sources,
        window=window,
        keys=tuple(_strings(document, "keys", where)),
        inventory=base / strings["inventory"] if strings["inventory"] else None,
        rules=tuple(base / rule for rule in _strings(document, "rules", where)),
        builtin_rules=builtin,
    )


def _string(document: Mapping[str, Any], key: str, where: KeyLines) -> str | None:
    value = document.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where(None, key)}: must be a string")
    return value


def _strings(document: Mapping[str, Any], key: str, where: KeyLines) -> list[str]:
    value = document.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where(None, key)}: must be a list of non-empty strings")
    return list(value)


def _iso(instant: object) -> str | None:
    return instant.isoformat() if instant is not None and hasattr(instant, "isoformat") else None
