"""A per-user cache folder for derived data (validated inventories, parsed rule files,
compiled databases).

Everything here is derived from files the user already has and holds no plaintext; a cache
that cannot be read or written is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_ENV = "KEYSPRAWL_CACHE_DIR"


def cache_dir() -> Path | None:
    """$KEYSPRAWL_CACHE_DIR, else $XDG_CACHE_HOME/keysprawl, else ~/.cache/keysprawl.

    KEYSPRAWL_CACHE_DIR set to an empty string turns caching off.
    """
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "keysprawl"


def read_cached(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_cached(name: str, data: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = folder / f".{name}.{os.getpid()}"
        temporary.write_bytes(data)
        temporary.chmod(0o600)
        temporary.replace(folder / name)
    except OSError:
        return


def parsed_toml(raw: bytes, kind: str, parse: Callable[[bytes], dict[str, Any]]) -> dict[str, Any]:
    """A TOML file's parsed content, from a JSON copy cached under the file's digest.

    Parsing TOML in pure Python costs ~20 ms for the built-in rules, on every scan and every
    commit hook; reading the JSON copy costs a tenth. The copy holds exactly the file's own
    (public) content, dates as strings. (The inventory caches its validated form instead:
    `scanner.inventory_cache`.)
    """
    name = f"{kind}-{hashlib.sha256(raw).hexdigest()[:32]}.json"
    cached = read_cached(name)
    if cached is not None:
        try:
            document: dict[str, Any] = json.loads(cached)
            return document
        except ValueError:
            pass
    document = parse(raw)
    write_cached(name, json.dumps(document, default=str).encode())
    return document
