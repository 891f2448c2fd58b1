"""Classification: what a match means for the organization, given the inventory."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase

from scanner.inventory import Inventory, InventoryKey, KeyFingerprint
from scanner.model import Kind, Location, Match, Occurrence, Severity
from scanner.policy import Policy


def approved_at(key: InventoryKey, location: Location) -> bool:
    """Whether a location is one of the key's approved places.

    A pattern without a colon is a path glob (`deploy/*.enc.yaml`); one with colons names a
    place in a service, `SOURCE:REPO:PATH` (`gitlab-variable:acme/payments:STRIPE_KEY`), each
    part a glob.
    """
    path = location.path or ""
    full = f"{location.source}:{location.repo or ''}:{path}"
    return any(fnmatchcase(full if ":" in pattern else path, pattern) for pattern in key.approved)


class Classifier:
    def __init__(
        self,
        inventory: Inventory,
        policy: Policy,
        rule_severities: Mapping[str, Severity] | None = None,
    ) -> None:
        self._by_digest = inventory.by_digest()
        self._policy = policy
        self._rule_severities = dict(rule_severities or {})

    def inventory_entry(self, match: Match) -> tuple[InventoryKey, KeyFingerprint] | None:
        for digest in match.fingerprints:
            entry = self._by_digest.get(digest)
            if entry is not None:
                return entry
        return None

    def occurrence(
        self, match: Match, location: Location, *, rule_severity: Severity | None = None
    ) -> tuple[Occurrence, InventoryKey | None, str]:
        """The occurrence, the inventory key it belongs to (if any) and the finding's digest."""
        entry = self.inventory_entry(match)
        key = entry[0] if entry else None
        kind = self._kind(entry, location)
        if rule_severity is None and match.rule_id is not None:
            rule_severity = self._rule_severities.get(match.rule_id)
        severity = self._policy.severity(
            kind,
            rule_severity,
            visibility=location.visibility,
            scope=key.scope if key else None,
        )
        due = self._policy.due(kind, severity)
        occurrence = Occurrence(
            kind=kind,
            severity=severity,
            location=location.at(match.line, match.column),
            source=location.source,
            encodings=match.encodings,
            rule_id=match.rule_id,
            due=due.isoformat() if due else None,
        )
        return occurrence, key, entry[1].digest if entry else match.fingerprint

    @staticmethod
    def _kind(entry: tuple[InventoryKey, KeyFingerprint] | None, location: Location) -> Kind:
        if entry is None:
            return Kind.UNMANAGED
        key, fingerprint = entry
        if not key.active or not fingerprint.current:
            return Kind.STALE
        return Kind.ALLOWED if approved_at(key, location) else Kind.EXPOSURE
