"""Recording what a scan found: findings, occurrences, and the exposures they open.

Every function here runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Occurrence, Severity
from scanner.store.store import json_list

OPEN = "open"
CLOSED = "closed"


@dataclass(slots=True)
class Memo:
    """What one run has already written, so a key found in 5,000 places updates its finding
    and exposure rows once (and again only when something changes), not 5,000 times."""

    findings: dict[str, frozenset[str]] = field(default_factory=dict)
    exposures: dict[tuple[str, str], tuple[int, Severity, str | None]] = field(default_factory=dict)


def record(
    db: sqlite3.Connection,
    run_id: int,
    finding: Finding,
    occurrence: Occurrence,
    key: InventoryKey | None,
    now: str,
    memo: Memo | None = None,
) -> bool:
    """Upsert the finding and the occurrence (and its exposure); True if the copy is new."""
    memo = memo if memo is not None else Memo()
    if memo.findings.get(finding.fingerprint) != frozenset(finding.rule_ids):
        _upsert_finding(db, finding, now)
        memo.findings[finding.fingerprint] = frozenset(finding.rule_ids)
    occurrence_id = occurrence.occurrence_id(finding.finding_id)
    new = _upsert_occurrence(db, run_id, finding.fingerprint, occurrence_id, occurrence, now)
    if occurrence.kind is Kind.EXPOSURE and key is not None:
        exposure_id = _exposure(db, finding, occurrence, key, now, memo)
        db.execute(
            "INSERT OR IGNORE INTO exposure_occurrences VALUES (?, ?, ?)",
            (exposure_id, finding.fingerprint, occurrence_id),
        )
    return new


def _upsert_finding(db: sqlite3.Connection, finding: Finding, now: str) -> None:
    row = db.execute(
        "SELECT rule_ids FROM findings WHERE fingerprint = ?", (finding.fingerprint,)
    ).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                finding.finding_id,
                finding.fingerprint,
                finding.preview,
                finding.key_id,
                finding.owner,
                json_list(sorted(finding.rule_ids)),
                now,
                now,
            ),
        )
        return
    rule_ids = sorted(set(json.loads(row["rule_ids"])) | set(finding.rule_ids))
    db.execute(
        "UPDATE findings SET last_seen = ?, rule_ids = ?, key_id = ?, owner = ?"
        " WHERE fingerprint = ?",
        (now, json_list(rule_ids), finding.key_id, finding.owner, finding.fingerprint),
    )


def _upsert_occurrence(
    db: sqlite3.Connection,
    run_id: int,
    fingerprint: str,
    occurrence_id: str,
    occurrence: Occurrence,
    now: str,
) -> bool:
    cursor = db.execute(
        "INSERT INTO occurrences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (fingerprint, occurrence_id) DO NOTHING",
        (
            fingerprint,
            occurrence_id,
            occurrence.kind.value,
            occurrence.severity.value,
            occurrence.source,
            json.dumps(occurrence.location.to_dict(), sort_keys=True),
            json_list(list(occurrence.encodings)),
            occurrence.rule_id,
            occurrence.due,
            now,
            now,
            run_id,
            run_id,
        ),
    )
    if cursor.rowcount:
        return True
    # Seen before: the place may have moved lines or changed kind (a rotation made it stale);
    # the due date stays the one set when the copy was first found.
    db.execute(
        "UPDATE occurrences SET kind = ?, severity = ?, location = ?, encodings = ?,"
        " last_seen = ?, last_run = ?, due = CASE WHEN ? IS NULL THEN NULL"
        " ELSE coalesce(min(due, ?), ?) END"
        " WHERE fingerprint = ? AND occurrence_id = ?",
        (
            occurrence.kind.value,
            occurrence.severity.value,
            json.dumps(occurrence.location.to_dict(), sort_keys=True),
            json_list(list(occurrence.encodings)),
            now,
            run_id,
            occurrence.due,
            occurrence.due,
            occurrence.due,
            fingerprint,
            occurrence_id,
        ),
    )
    return False


def _exposure(
    db: sqlite3.Connection,
    finding: Finding,
    occurrence: Occurrence,
    key: InventoryKey,
    now: str,
    memo: Memo,
) -> int:
    known = memo.exposures.get((key.id, finding.fingerprint))
    if known is not None:
        exposure_id, severity, due = known
        raises = occurrence.severity.rank > severity.rank
        if not raises and (occurrence.due is None or (due is not None and due <= occurrence.due)):
            return exposure_id  # nothing this copy changes
    exposure_id, severity, due = _open_exposure(db, finding, occurrence, key, now)
    memo.exposures[(key.id, finding.fingerprint)] = (exposure_id, severity, due)
    return exposure_id


def _open_exposure(
    db: sqlite3.Connection, finding: Finding, occurrence: Occurrence, key: InventoryKey, now: str
) -> tuple[int, Severity, str | None]:
    """Open the exposure or update the open one: its id, severity and due date now."""
    row = db.execute(
        "SELECT id, severity, due FROM exposures WHERE key_id = ? AND fingerprint = ?"
        " AND status = ?",
        (key.id, finding.fingerprint, OPEN),
    ).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO exposures (key_id, fingerprint, preview, owner, purpose, scope, revoke,"
            " severity, status, first_seen, last_seen, due) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                key.id,
                finding.fingerprint,
                finding.preview,
                key.owner,
                key.purpose,
                key.scope,
                key.revoke,
                occurrence.severity.value,
                OPEN,
                now,
                now,
                occurrence.due,
            ),
        )
        return int(cursor.lastrowid or 0), occurrence.severity, occurrence.due
    severity = max(Severity(row["severity"]), occurrence.severity, key=lambda s: s.rank)
    due = min(filter(None, (row["due"], occurrence.due)), default=None)
    db.execute(
        "UPDATE exposures SET last_seen = ?, severity = ?, due = ?, owner = ?, purpose = ?,"
        " scope = ?, revoke = ? WHERE id = ?",
        (now, severity.value, due, key.owner, key.purpose, key.scope, key.revoke, row["id"]),
    )
    return int(row["id"]), severity, due
