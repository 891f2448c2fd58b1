"""The JSON records every machine-readable format is built from (the design's contract)."""

from __future__ import annotations

from typing import Any

from scanner import __version__
from scanner.engine import ScanStats
from scanner.model import Finding, Occurrence
from scanner.report.document import Report, WorkItem

SCHEMA_VERSION = 1


def occurrence_record(finding: Finding, occurrence: Occurrence) -> dict[str, Any]:
    """One line of `--format jsonl`: one occurrence, with its finding's identity."""
    return {
        "kind": occurrence.kind.value,
        "key_id": finding.key_id,
        "owner": finding.owner,
        "rule_id": occurrence.rule_id,
        "fingerprint": finding.fingerprint,
        "preview": finding.preview,
        "source": occurrence.source,
        "location": occurrence.location.to_dict(),
        "encodings": list(occurrence.encodings),
        "severity": occurrence.severity.value,
        "due": occurrence.due,
        "finding_id": finding.finding_id,
        "occurrence_id": occurrence.occurrence_id(finding.finding_id),
    }


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "finding_id": finding.finding_id,
        "kind": finding.kind.value,
        "key_id": finding.key_id,
        "owner": finding.owner,
        "rule_ids": list(finding.rule_ids),
        "fingerprint": finding.fingerprint,
        "preview": finding.preview,
        "severity": finding.severity.value,
        "due": finding.due,
        "occurrences": [
            {
                key: value
                for key, value in occurrence_record(finding, o).items()
                if key in _OCCURRENCE_FIELDS
            }
            for o in finding.occurrences
        ],
    }


_OCCURRENCE_FIELDS = (
    "occurrence_id",
    "kind",
    "rule_id",
    "source",
    "location",
    "encodings",
    "severity",
    "due",
)


def report_record(report: Report) -> dict[str, Any]:
    """`--format json`: findings grouped, the worklist, errors and statistics."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "keysprawl", "version": __version__},
        "generated": report.generated,
        "origin": report.origin,
        "complete": report.complete,
        "findings": [finding_record(finding) for finding in report.findings],
        "exposures": [work_item_record(item) for item in report.worklist],
        "errors": [
            {"source": p.source, "where": p.where, "message": p.message} for p in report.problems
        ],
        "notes": list(report.notes),
        "stats": _stats(report.stats),
    }


def work_item_record(item: WorkItem) -> dict[str, Any]:
    return {
        "key_id": item.key_id,
        "owner": item.owner,
        "purpose": item.purpose,
        "scope": item.scope,
        "revoke": item.revoke,
        "fingerprint": item.fingerprint,
        "preview": item.preview,
        "severity": item.severity.value,
        "state": item.state,
        "first_seen": item.first_seen,
        "due": item.due,
        "closed_at": item.closed_at,
        "closed_reason": item.closed_reason,
        "locations": [
            {"source": location.source, **location.to_dict()} for location in item.locations
        ],
    }


def _stats(stats: ScanStats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {
        "chunks": stats.chunks,
        "bytes": stats.bytes,
        "seconds": round(stats.seconds, 3),
        "skipped": dict(stats.skipped),
    }
