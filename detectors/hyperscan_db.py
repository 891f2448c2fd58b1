"""Hyperscan block-mode databases, compiled once and then loaded from the cache folder.

Compiling costs milliseconds for one small pattern and hundreds of milliseconds for a large
inventory; loading a serialized copy costs a fraction of that. The pre-commit hook and every
worker process would otherwise pay the compilation on each start. A database depends only on
its expressions (alphabets, lengths, public patterns), never on key values.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scanner.cache import read_cached, write_cached


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def block_database(hyperscan: Any, expressions: list[bytes]) -> Any:
    """The database matching `expressions` (pattern id = index, no flags), cached by recipe."""
    recipe = b"\0".join([str(getattr(hyperscan, "__version__", "")).encode(), *expressions])
    name = "hyperscan-" + hashlib.sha256(recipe).hexdigest()[:32] + ".db"
    cached = read_cached(name)
    if cached is not None:
        try:
            return hyperscan.loadb(cached, hyperscan.HS_MODE_BLOCK)
        except Exception:  # a stale or damaged cache file: compile again
            pass
    database = compile_block(
        hyperscan, expressions, list(range(len(expressions))), [0] * len(expressions)
    )
    write_cached(name, bytes(hyperscan.dumpb(database)))
    return database


def compile_block(
    hyperscan: Any, expressions: list[bytes], ids: list[int], flags: list[int]
) -> Any:
    """A freshly compiled block-mode database (raises `hyperscan.error`)."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=ids, flags=flags)
    return database
