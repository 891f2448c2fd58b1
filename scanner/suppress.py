"""Suppression of unmanaged findings: baselines and path allowlists.

Only `unmanaged` occurrences can be suppressed. A copy of an inventory key is governed by the
inventory (its `approved` locations): a comment or a baseline must not be able to hide it.
Suppression keys carry no line numbers, so moving code never re-opens a finding.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from scanner.model import Kind, Occurrence


def place_key(occurrence: Occurrence) -> str:
    """Where an occurrence lives, as a baseline records it: the path (or URL), no line."""
    location = occurrence.location
    return location.path or location.url or location.address()


@dataclass
class Suppressions:
    baseline: frozenset[tuple[str, str]] = frozenset()
    paths: tuple[str, ...] = ()
    rule_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._paths = [re.compile(pattern) for pattern in self.paths]
        self._rule_paths = {
            rule: [re.compile(pattern) for pattern in patterns]
            for rule, patterns in self.rule_paths.items()
        }

    def suppressed(self, fingerprints: tuple[str, ...], occurrence: Occurrence) -> bool:
        """Whether to drop the occurrence; counts why, for the report's notes."""
        if occurrence.kind is not Kind.UNMANAGED:
            return False
        reason = self._reason(fingerprints, occurrence)
        if reason:
            self.counts[reason] += 1
        return reason is not None

    def _reason(self, fingerprints: tuple[str, ...], occurrence: Occurrence) -> str | None:
        place = place_key(occurrence)
        if any((fingerprint, place) in self.baseline for fingerprint in fingerprints):
            return "baseline"
        path = occurrence.location.path or ""
        patterns = [*self._paths, *self._rule_paths.get(occurrence.rule_id or "", [])]
        if path and any(pattern.search(path) for pattern in patterns):
            return "allowlisted path"
        return None

    def notes(self) -> list[str]:
        return [
            f"{count} unmanaged occurrence(s) suppressed by {reason}"
            for reason, count in sorted(self.counts.items())
        ]
