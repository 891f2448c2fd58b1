"""Exposures: one inventory key value found outside its approved places, until revoked.

Lifecycle: `open` when a scan first finds the current value where it must not be (first seen,
last seen, every location, a due date from the policy); `overdue` is an open exposure past its
due date (derived, not stored); `closed` when the key is revoked or rotated, with the time and
the reason. Copies of the old value found later are stale clean-up, not a new exposure.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from datetime import date

from scanner.inventory import Inventory
from scanner.model import Location, Severity
from scanner.store import writes
from scanner.store.store import Store

OPEN = writes.OPEN
CLOSED = writes.CLOSED
OVERDUE = "overdue"
STATUSES = (OPEN, OVERDUE, CLOSED)
REVOKED = "revoked"
ROTATED = "rotated"


@dataclass(frozen=True, slots=True)
class Exposure:
    id: int
    key_id: str
    fingerprint: str
    preview: str
    owner: str | None
    purpose: str | None
    scope: str | None
    revoke: str | None
    severity: Severity
    status: str
    first_seen: str
    last_seen: str
    due: str | None
    closed_at: str | None
    closed_reason: str | None
    locations: tuple[Location, ...]

    def state(self, today: date) -> str:
        """`open`, `overdue` (open and past its due date) or `closed`."""
        if self.status == OPEN and self.due and self.due < today.isoformat():
            return OVERDUE
        return self.status


def close(store: Store, key_id: str, reason: str, when: str) -> int:
    """Close the key's open exposures (all its values); the number closed."""
    with store.transaction() as db:
        cursor = db.execute(
            "UPDATE exposures SET status = ?, closed_at = ?, closed_reason = ?"
            " WHERE key_id = ? AND status = ?",
            (CLOSED, when, reason, key_id, OPEN),
        )
        return cursor.rowcount


def sync_inventory(db: sqlite3.Connection, inventory: Inventory) -> int:
    """Close open exposures the inventory says are over (a hand-edited revoke or rotation)."""
    closed = 0
    rows = db.execute("SELECT id, key_id, fingerprint FROM exposures WHERE status = ?", (OPEN,))
    for row in rows.fetchall():
        key = inventory.get(row["key_id"])
        values = key.fingerprints if key else ()
        value = next((fp for fp in values if fp.digest == row["fingerprint"]), None)
        if key is None or value is None or (key.active and value.current):
            continue
        reason, when = (REVOKED, key.revoked) if not key.active else (ROTATED, value.retired)
        db.execute(
            "UPDATE exposures SET status = ?, closed_at = ?, closed_reason = ? WHERE id = ?",
            (CLOSED, when.isoformat() if when else None, reason, row["id"]),
        )
        closed += 1
    return closed


def listed(
    store: Store, *, today: date, owner: str | None = None, status: str | None = None
) -> list[Exposure]:
    """Exposures, most urgent first; `status` one of STATUSES (overdue ⊂ open)."""
    query = "SELECT * FROM exposures WHERE (? IS NULL OR owner = ?)"
    rows = store.db.execute(query + " ORDER BY status DESC, due, key_id", (owner, owner))
    exposures = [_exposure(store.db, row) for row in rows.fetchall()]
    if status == OVERDUE:
        return [e for e in exposures if e.state(today) == OVERDUE]
    if status is not None:
        return [e for e in exposures if e.status == status]
    return exposures


def _exposure(db: sqlite3.Connection, row: sqlite3.Row) -> Exposure:
    places = db.execute(
        "SELECT o.location, o.source, o.first_seen FROM exposure_occurrences e JOIN occurrences o"
        " ON o.fingerprint = e.fingerprint AND o.occurrence_id = e.occurrence_id"
        " WHERE e.exposure_id = ?",
        (row["id"],),
    ).fetchall()
    located = sorted(
        ((p["first_seen"], location_from(p["source"], p["location"])) for p in places),
        key=lambda pair: (pair[0], place_order(pair[1])),
    )
    return Exposure(
        id=row["id"],
        key_id=row["key_id"],
        fingerprint=row["fingerprint"],
        preview=row["preview"],
        owner=row["owner"],
        purpose=row["purpose"],
        scope=row["scope"],
        revoke=row["revoke"],
        severity=Severity(row["severity"]),
        status=row["status"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        due=row["due"],
        closed_at=row["closed_at"],
        closed_reason=row["closed_reason"],
        locations=tuple(location for _, location in located),
    )


def place_order(location: Location) -> tuple[str, str, str, str, int]:
    return (
        location.source,
        location.repo or "",
        location.path or "",
        location.url or "",
        location.line or 0,
    )


_LOCATION_FIELDS = frozenset(f.name for f in fields(Location))


def location_from(source: str, stored: str) -> Location:
    # Fields this version does not know (a store written by a later one) are dropped.
    values = {k: v for k, v in json.loads(stored).items() if k in _LOCATION_FIELDS}
    return Location(**{**values, "source": source})
