"""Where the state store is: its file, named by --store, the environment or the config.

Apart from the store itself (scanner.store.store) so that a command that only needs the
name, such as a scan that records nothing, does not load SQLite and the store's modules
(~6 ms of every scan's start-up)."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "KEYSPRAWL_STORE"
DEFAULT_STORE = Path(".keysprawl/state.db")


def resolve_path(explicit: str | Path | None, configured: Path | None = None) -> Path:
    """--store, then $KEYSPRAWL_STORE, then `[store] path` in the config, then the default."""
    named = explicit or os.environ.get(STORE_ENV) or configured
    return Path(named) if named else DEFAULT_STORE
