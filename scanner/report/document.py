"""What every renderer draws from: findings, the revocation worklist, errors and statistics.

A report comes from a scan (`Report.from_scan`: the worklist is the exposures that scan
found, first seen today) or from the state store (`keysprawl report`: the worklist is the
store's exposures, with their first-seen dates and closure). Everything in it is masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from scanner.engine import ScanResult, ScanStats
from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Location, Problem, Severity


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One exposed key value on the revocation worklist."""

    key_id: str
    owner: str | None
    purpose: str | None
    scope: str | None
    revoke: str | None
    fingerprint: str
    preview: str
    severity: Severity
    state: str  # open | overdue | closed
    first_seen: str
    due: str | None
    locations: tuple[Location, ...]
    closed_at: str | None = None
    closed_reason: str | None = None


@dataclass(slots=True)
class Report:
    findings: list[Finding]
    worklist: list[WorkItem]
    generated: str  # when the report was made (UTC timestamp)
    origin: str  # "scan" or "store"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: ScanStats | None = None
    # occurrence id → first seen, when the store knows (for timelines)
    first_seen: Mapping[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.problems

    @classmethod
    def from_scan(
        cls,
        result: ScanResult,
        keys: Mapping[str, InventoryKey],
        *,
        generated: str,
        today: date,
    ) -> Report:
        worklist = [
            _scan_work_item(finding, keys.get(finding.key_id or ""), generated)
            for finding in result.findings
            if finding.key_id and any(o.kind is Kind.EXPOSURE for o in finding.occurrences)
        ]
        return cls(
            findings=list(result.findings),
            worklist=[_with_state(item, today) for item in worklist],
            generated=generated,
            origin="scan",
            problems=list(result.problems),
            notes=list(result.notes),
            stats=result.stats,
        )

    def by_owner(self) -> list[tuple[str, list[WorkItem]]]:
        """The worklist grouped by owning team, most urgent first within each team."""
        groups: dict[str, list[WorkItem]] = {}
        for item in self.worklist:
            groups.setdefault(item.owner or "(no owner)", []).append(item)
        return [(owner, sorted(groups[owner], key=_urgency)) for owner in sorted(groups)]

    def counts(self) -> dict[str, int]:
        """Findings by kind; from the store, also worklist items by state."""
        counted: dict[str, int] = {}
        for finding in self.findings:
            counted[finding.kind.value] = counted.get(finding.kind.value, 0) + 1
        if self.origin == "store":
            for item in self.worklist:
                counted[item.state] = counted.get(item.state, 0) + 1
        return counted


_STATE_ORDER = {"overdue": 0, "open": 1, "closed": 2}


def _urgency(item: WorkItem) -> tuple[int, int, str, str]:
    return (_STATE_ORDER.get(item.state, 3), -item.severity.rank, item.due or "9999", item.key_id)


def _scan_work_item(finding: Finding, key: InventoryKey | None, generated: str) -> WorkItem:
    exposed = [o for o in finding.occurrences if o.kind is Kind.EXPOSURE]
    return WorkItem(
        key_id=finding.key_id or "",
        owner=finding.owner,
        purpose=key.purpose if key else None,
        scope=key.scope if key else None,
        revoke=key.revoke if key else None,
        fingerprint=finding.fingerprint,
        preview=finding.preview,
        severity=max((o.severity for o in exposed), key=lambda s: s.rank),
        state="open",
        first_seen=generated,
        due=min((o.due for o in exposed if o.due), default=None),
        locations=tuple(o.location for o in exposed),
    )


def _with_state(item: WorkItem, today: date) -> WorkItem:
    if item.state == "open" and item.due and item.due < today.isoformat():
        return replace(item, state="overdue")
    return item
