"""The JSON records every machine-readable format is built from (the design's contract)."""

from __future__ import annotations

from typing import Any

from scanner import __version__
from scanner.engine import ScanResult
from scanner.model import Finding, Occurrence

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


def report_record(result: ScanResult) -> dict[str, Any]:
    """`--format json`: findings grouped, with errors and statistics."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "keysprawl", "version": __version__},
        "complete": result.complete,
        "findings": [finding_record(finding) for finding in result.findings],
        "errors": [
            {"source": p.source, "where": p.where, "message": p.message} for p in result.problems
        ],
        "notes": list(result.notes),
        "stats": {
            "chunks": result.stats.chunks,
            "bytes": result.stats.bytes,
            "seconds": round(result.stats.seconds, 3),
            "skipped": result.stats.skipped,
        },
    }
