"""Reading findings back from the store, as the same Finding/Occurrence values a scan makes."""

from __future__ import annotations

import json
import sqlite3

from scanner.model import Finding, Kind, Occurrence, Severity
from scanner.store.exposures import location_from, place_order
from scanner.store.store import Store


def stored_findings(store: Store, *, owner: str | None = None) -> list[Finding]:
    findings: dict[str, Finding] = {}
    for row in store.db.execute(
        "SELECT * FROM findings WHERE (? IS NULL OR owner = ?)"
        " ORDER BY key_id IS NULL, key_id, fingerprint",
        (owner, owner),
    ):
        findings[row["fingerprint"]] = Finding(
            row["fingerprint"],
            row["preview"],
            row["key_id"],
            row["owner"],
            list(json.loads(row["rule_ids"])),
        )
    for row in store.db.execute("SELECT * FROM occurrences"):
        finding = findings.get(row["fingerprint"])
        if finding is not None:
            finding.occurrences.append(_occurrence(row))
    for finding in findings.values():
        finding.occurrences.sort(key=lambda o: place_order(o.location))
    return [finding for finding in findings.values() if finding.occurrences]


def _occurrence(row: sqlite3.Row) -> Occurrence:
    return Occurrence(
        kind=Kind(row["kind"]),
        severity=Severity(row["severity"]),
        location=location_from(row["source"], row["location"]),
        source=row["source"],
        encodings=tuple(json.loads(row["encodings"])),
        rule_id=row["rule_id"],
        due=row["due"],
    )


def first_seen(store: Store) -> dict[str, str]:
    """occurrence id → when it was first found (for timelines)."""
    rows = store.db.execute("SELECT occurrence_id, first_seen FROM occurrences")
    return {row["occurrence_id"]: row["first_seen"] for row in rows}
