"""How urgent each kind of copy is: severity, and the revocation due date that follows.

Severity of a copy comes from where it is and what the key can reach:
- an exposure in a public place (repository, ticket) is critical, wherever the key reaches;
- elsewhere (private, internal, or visibility unknown) it is high, unless the key's `scope`
  matches a `[policy.scope_severity]` glob, which sets it (e.g. `"prod*" = "critical"`);
- a stale copy (an old or revoked value) is low, medium when public: clean-up work;
- an allowed copy is low; an unmanaged one takes its rule's severity (medium without one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fnmatch import fnmatchcase

from scanner.model import PUBLIC, Kind, Severity

DEFAULT_DUE_AFTER = {
    Severity.CRITICAL: timedelta(days=1),
    Severity.HIGH: timedelta(days=7),
    Severity.MEDIUM: timedelta(days=30),
    Severity.LOW: timedelta(days=90),
}
# Severity of a copy by kind, before the place it was found raises it.
DEFAULT_KIND_SEVERITY = {
    Kind.EXPOSURE: Severity.HIGH,
    Kind.STALE: Severity.LOW,
    Kind.ALLOWED: Severity.LOW,
}
_PUBLIC_SEVERITY = {Kind.EXPOSURE: Severity.CRITICAL, Kind.STALE: Severity.MEDIUM}


@dataclass(frozen=True, slots=True)
class Policy:
    today: date
    due_after: Mapping[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_DUE_AFTER))
    # Glob over an inventory key's `scope` → the severity of its non-public exposures.
    scope_severity: Mapping[str, Severity] = field(default_factory=dict)

    def severity(
        self,
        kind: Kind,
        rule_severity: Severity | None = None,
        *,
        visibility: str | None = None,
        scope: str | None = None,
    ) -> Severity:
        if kind is Kind.UNMANAGED:
            return rule_severity or Severity.MEDIUM
        if visibility == PUBLIC and kind in _PUBLIC_SEVERITY:
            return _PUBLIC_SEVERITY[kind]
        if kind is Kind.EXPOSURE and scope:
            for pattern, severity in self.scope_severity.items():
                if fnmatchcase(scope, pattern):
                    return severity
        return DEFAULT_KIND_SEVERITY[kind]

    def due(self, kind: Kind, severity: Severity, first_seen: date | None = None) -> date | None:
        """Only an exposure is due for revocation; stale copies are clean-up without a date."""
        if kind is not Kind.EXPOSURE:
            return None
        return (first_seen or self.today) + self.due_after[severity]


@dataclass(frozen=True, slots=True)
class FailOn:
    """Which occurrences make a scan exit 1 (`--fail-on`): kinds, and a minimum severity.

    An occurrence fails when its kind is one of `kinds` and its severity is at least `minimum`
    (when set). No kinds means nothing fails.
    """

    kinds: frozenset[Kind]
    minimum: Severity | None = None

    def fails(self, kind: Kind, severity: Severity) -> bool:
        if kind not in self.kinds:
            return False
        return self.minimum is None or severity.rank >= self.minimum.rank

    @classmethod
    def parse(cls, text: str) -> FailOn:
        """`exposure,stale`, `high` (any failing kind at high or above), `exposure,critical`,
        `none`. Raises ValueError naming the bad word."""
        words = [word.strip().lower() for word in text.split(",") if word.strip()]
        if words == ["none"]:
            return cls(frozenset())
        kinds = {Kind(w) for w in words if w in Kind.__members__.values()}
        severities = [Severity(w) for w in words if w in Severity.__members__.values()]
        unknown = [w for w in words if w not in Kind.__members__.values()]
        unknown = [w for w in unknown if w not in Severity.__members__.values()]
        if unknown or len(severities) > 1 or not words:
            raise ValueError(unknown[0] if unknown else text)
        minimum = severities[0] if severities else None
        return cls(frozenset(kinds) or DEFAULT_FAIL_KINDS, minimum)


DEFAULT_FAIL_KINDS = frozenset({Kind.EXPOSURE, Kind.STALE, Kind.UNMANAGED})
