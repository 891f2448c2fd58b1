"""The transactional API over the state store.

Writes happen inside `transaction()` (BEGIN IMMEDIATE … COMMIT): a process killed at any point
leaves every committed transaction and none of the one in flight. Re-finding a copy updates its
row (unique by finding fingerprint + occurrence id) and never adds a second one. The file and
its folder are created readable by the owner only: locations are sensitive even without values.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from scanner.clock import timestamp, today_utc
from scanner.errors import ConfigError
from scanner.store import schema
from scanner.store.paths import DEFAULT_STORE, STORE_ENV, resolve_path

__all__ = ["DEFAULT_STORE", "STORE_ENV", "Store", "resolve_path", "timestamp", "today_utc"]

_BUSY_TIMEOUT_MS = 30_000


class Store:
    """One open state store. Use `Store.open(path)`; close it (or use `with`)."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        if not path.exists():
            if not create:
                raise ConfigError(f"no state store at {path}: run a scan with --store first")
            _create_private(path)
        else:
            _make_private(path)
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: every committed transaction survives a killed process (SIGKILL);
            # only a power loss may drop the last few, which the next scan re-finds (upserts).
            # FULL would fsync each commit: a sweep of many small sources paid ~30% for it.
            db.execute("PRAGMA synchronous = NORMAL")
            schema.migrate(db, str(path))
        except sqlite3.DatabaseError as error:
            raise ConfigError(f"{path}: not a usable keysprawl store ({error})") from None
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def begin(self) -> None:
        """Start a transaction the caller ends with `commit()` (for batched writes)."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")


def _create_private(path: Path) -> None:
    """The folder (when new) and the file with owner-only permissions, before SQLite opens it.

    SQLite gives its -wal and -shm files the permissions of the database file.
    """
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(descriptor)
    except FileExistsError:
        pass
    except OSError as error:
        raise ConfigError(f"cannot create state store {path}: {error.strerror}") from None


def _make_private(path: Path) -> None:
    """A store copied or created with a loose umask is narrowed to its owner on first use."""
    with contextlib.suppress(OSError):  # not ours to change: SQLite reports what matters
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def json_list(values: object) -> str:
    return json.dumps(values, sort_keys=True)
