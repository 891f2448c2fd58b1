"""A per-user cache folder for derived data (parsed inventories, compiled databases).

Everything here is derived from files the user already has and holds no plaintext; a cache
that cannot be read or written is ignored, never an error.
"""

from __future__ import annotations

import os
from pathlib import Path

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
