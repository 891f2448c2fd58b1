"""What the bundle says about each exposed value: its first copy, whether it is still
present, its revocation path; the timeline of first copies; the revocation list by urgency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scanner.incident.investigate import Investigation
from scanner.incident.status import UNKNOWN, Presence
from scanner.incident.window import instant_of
from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Location, Occurrence
from scanner.report.text import name as finding_name

_KIND_ORDER = {Kind.EXPOSURE: 0, Kind.UNMANAGED: 1, Kind.STALE: 2, Kind.ALLOWED: 3}


@dataclass(frozen=True, slots=True)
class Copy:
    """One place a value was copied to, at its earliest dated occurrence there."""

    finding: Finding
    occurrence: Occurrence
    presence: Presence

    @property
    def location(self) -> Location:
        return self.occurrence.location


@dataclass(frozen=True, slots=True)
class KeyEvidence:
    finding: Finding
    key: InventoryKey | None
    first: Copy | None  # the earliest dated copy; None when no copy has a date
    copies: tuple[Copy, ...]  # one per place, earliest first

    @property
    def present(self) -> bool:
        return any(copy.presence.present for copy in self.copies)

    @property
    def present_state(self) -> str:
        if self.present:
            return "yes"
        return "unknown" if any(c.presence.state == UNKNOWN for c in self.copies) else "no"

    @property
    def name(self) -> str:
        return finding_name(self.finding)


def evidence(found: Investigation) -> list[KeyEvidence]:
    keys = {key.id: key for key in found.plan.scan.inventory.keys}
    return [_key_evidence(f, keys, found.presence) for f in found.findings]


def _key_evidence(
    finding: Finding, keys: Mapping[str, InventoryKey], presence: Mapping[str, Presence]
) -> KeyEvidence:
    places: dict[str, Copy] = {}
    for occurrence in sorted(finding.occurrences, key=_when):
        location = occurrence.location
        place = location.address()
        if not (location.source == "git" and location.path and location.field is None):
            place += "\0" + (location.commit or "")  # a file's first commit is its first copy
        if place not in places:
            state = presence.get(occurrence.occurrence_id(finding.finding_id), Presence(UNKNOWN))
            places[place] = Copy(finding, occurrence, state)
    copies = tuple(places.values())  # earliest first: added in that order
    dated = [copy for copy in copies if instant_of(copy.location.date)]
    return KeyEvidence(finding, keys.get(finding.key_id or ""), dated[0] if dated else None, copies)


def _when(occurrence: Occurrence) -> tuple[int, str]:
    instant = instant_of(occurrence.location.date)
    return (0, instant.isoformat()) if instant else (1, "")


def timeline(items: list[KeyEvidence]) -> list[Copy]:
    """Every place's first copy, oldest first; undated places (working trees, folders) last."""
    return sorted(
        (copy for item in items for copy in item.copies), key=lambda c: _when(c.occurrence)
    )


def revocation_list(items: list[KeyEvidence]) -> list[KeyEvidence]:
    """Values to revoke, most urgent first: still present, then the kind (exposure before
    unmanaged before stale), severity, due date, and the oldest first copy."""
    wanted = [item for item in items if item.finding.kind is not Kind.ALLOWED]
    return sorted(wanted, key=_urgency)


def _urgency(item: KeyEvidence) -> tuple[int, int, int, str, tuple[int, str]]:
    finding = item.finding
    first = _when(item.first.occurrence) if item.first else (1, "")
    return (
        0 if item.present else 1,
        _KIND_ORDER[finding.kind],
        -finding.severity.rank,
        finding.due or "9999-12-31",
        first,
    )
