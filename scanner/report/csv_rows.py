"""`--format csv`: one row per occurrence, with the worklist columns a spreadsheet needs.

Cells that a spreadsheet would run as a formula (starting with = + - @) are prefixed with a
quote: paths and messages come from scanned content and must not execute.
"""

from __future__ import annotations

import csv
from typing import TextIO

from scanner.model import Finding, Occurrence
from scanner.report.document import Report, WorkItem

COLUMNS = (
    "kind",
    "severity",
    "key_id",
    "owner",
    "purpose",
    "scope",
    "revoke",
    "rule_id",
    "preview",
    "fingerprint",
    "source",
    "repo",
    "ref",
    "commit",
    "path",
    "line",
    "column",
    "field",
    "url",
    "author",
    "date",
    "visibility",
    "encodings",
    "first_seen",
    "due",
    "state",
    "finding_id",
    "occurrence_id",
)


def render_csv(report: Report, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    work = {item.fingerprint: item for item in report.worklist}
    for finding in report.findings:
        for occurrence in finding.occurrences:
            row = _row(finding, occurrence, work.get(finding.fingerprint), report)
            writer.writerow({name: _cell(value) for name, value in row.items()})


def _row(
    finding: Finding, occurrence: Occurrence, item: WorkItem | None, report: Report
) -> dict[str, object]:
    occurrence_id = occurrence.occurrence_id(finding.finding_id)
    return {
        "kind": occurrence.kind.value,
        "severity": occurrence.severity.value,
        "key_id": finding.key_id,
        "owner": finding.owner,
        "purpose": item.purpose if item else None,
        "scope": item.scope if item else None,
        "revoke": item.revoke if item else None,
        "rule_id": occurrence.rule_id,
        "preview": finding.preview,
        "fingerprint": finding.fingerprint,
        "source": occurrence.source,
        **occurrence.location.to_dict(),
        "encodings": "+".join(occurrence.encodings),
        "first_seen": report.first_seen.get(occurrence_id),
        "due": occurrence.due,
        "state": item.state if item and occurrence.due else None,
        "finding_id": finding.finding_id,
        "occurrence_id": occurrence_id,
    }


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
