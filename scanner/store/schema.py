"""The store's schema, versioned: one migration function per version, applied in order.

The version lives in SQLite's `user_version`. A store written by a newer keysprawl (a higher
version than `SCHEMA_VERSION`) is refused rather than guessed at. Each migration runs in the
same transaction as the version bump, so a crash mid-upgrade leaves the old version intact.
Nothing here ever holds a key's value: fingerprints, masked previews and locations only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from scanner.errors import ConfigError


class NewerStoreError(ConfigError):
    """The store was written by a newer keysprawl."""


def _script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript: it would commit the migration's transaction halfway.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            sources TEXT NOT NULL,            -- JSON array of what was scanned
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,             -- running | complete | incomplete | interrupted
            pid INTEGER,
            chunks INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER NOT NULL DEFAULT 0,
            findings INTEGER NOT NULL DEFAULT 0,
            occurrences INTEGER NOT NULL DEFAULT 0,
            new_occurrences INTEGER NOT NULL DEFAULT 0,
            errors TEXT NOT NULL DEFAULT '[]' -- JSON array of {source, where, message}
        );
        CREATE TABLE findings (
            finding_id TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE,
            preview TEXT NOT NULL,
            key_id TEXT,
            owner TEXT,
            rule_ids TEXT NOT NULL DEFAULT '[]',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE TABLE occurrences (
            fingerprint TEXT NOT NULL REFERENCES findings(fingerprint),
            occurrence_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            source TEXT NOT NULL,
            location TEXT NOT NULL,           -- JSON, Location.to_dict()
            encodings TEXT NOT NULL DEFAULT '[]',
            rule_id TEXT,
            due TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_run INTEGER REFERENCES runs(id),
            last_run INTEGER REFERENCES runs(id),
            PRIMARY KEY (fingerprint, occurrence_id)
        );
        CREATE TABLE exposures (
            id INTEGER PRIMARY KEY,
            key_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            preview TEXT NOT NULL,
            owner TEXT,
            purpose TEXT,
            scope TEXT,
            revoke TEXT,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,             -- open | closed
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            due TEXT,
            closed_at TEXT,
            closed_reason TEXT                -- revoked | rotated
        );
        -- One open exposure per key value: re-finding a copy updates it, never duplicates it.
        CREATE UNIQUE INDEX one_open_exposure ON exposures(key_id, fingerprint)
            WHERE status = 'open';
        CREATE TABLE exposure_occurrences (
            exposure_id INTEGER NOT NULL REFERENCES exposures(id),
            fingerprint TEXT NOT NULL,
            occurrence_id TEXT NOT NULL,
            PRIMARY KEY (exposure_id, occurrence_id),
            FOREIGN KEY (fingerprint, occurrence_id)
                REFERENCES occurrences(fingerprint, occurrence_id)
        );
        CREATE INDEX exposures_by_owner ON exposures(owner, status);
        """,
    )


def _v2(db: sqlite3.Connection) -> None:
    """Sweeps: one row per sweep and per source in it (to resume a killed sweep), and the
    per-source cursors that make the next sweep incremental."""
    _script(
        db,
        """
        CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,             -- running | complete | incomplete
            pid INTEGER,
            exposures_before INTEGER NOT NULL -- highest exposure id when it began: newer are new
        );
        CREATE TABLE sweep_sources (
            sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
            source TEXT NOT NULL,
            status TEXT NOT NULL,             -- done | failed
            attempts INTEGER NOT NULL,
            finished TEXT NOT NULL,
            chunks INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER NOT NULL DEFAULT 0,
            errors TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (sweep_id, source)
        );
        CREATE TABLE cursors (
            source TEXT PRIMARY KEY,
            cursor TEXT NOT NULL,             -- JSON: what the last complete scan covered
            updated TEXT NOT NULL
        );
        """,
    )


def _v3(db: sqlite3.Connection) -> None:
    """Revocation tickets: one per exposure, and the places already reported in it."""
    _script(
        db,
        """
        CREATE TABLE tickets (
            exposure_id INTEGER PRIMARY KEY REFERENCES exposures(id),
            issue_key TEXT NOT NULL,
            reported TEXT NOT NULL DEFAULT '[]', -- JSON array of place names already in it
            updated TEXT NOT NULL
        );
        """,
    )


# MIGRATIONS[n] upgrades a store at version n to version n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, where: str) -> None:
    """Bring the store to SCHEMA_VERSION, or refuse a newer one. `db` is in autocommit mode."""
    current = version(db)
    if current > SCHEMA_VERSION:
        raise NewerStoreError(
            f"{where}: store schema version {current} is newer than this keysprawl supports"
            f" ({SCHEMA_VERSION}); upgrade keysprawl"
        )
    for target in range(current + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if version(db) == target - 1:  # another process may have upgraded meanwhile
                MIGRATIONS[target - 1](db)
                db.execute(f"PRAGMA user_version = {target}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
