"""How urgent each kind of copy is: severity, and the revocation due date that follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from scanner.model import Kind, Severity

DEFAULT_DUE_AFTER = {
    Severity.CRITICAL: timedelta(days=1),
    Severity.HIGH: timedelta(days=7),
    Severity.MEDIUM: timedelta(days=30),
    Severity.LOW: timedelta(days=90),
}
# Severity of a copy by kind, before the place it was found raises it (a public repository or
# ticket makes an exposure critical; see the lifecycle policy).
DEFAULT_KIND_SEVERITY = {
    Kind.EXPOSURE: Severity.HIGH,
    Kind.STALE: Severity.LOW,
    Kind.ALLOWED: Severity.LOW,
}


@dataclass(frozen=True, slots=True)
class Policy:
    today: date
    due_after: dict[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_DUE_AFTER))

    def severity(self, kind: Kind, rule_severity: Severity | None = None) -> Severity:
        if kind is Kind.UNMANAGED:
            return rule_severity or Severity.MEDIUM
        return DEFAULT_KIND_SEVERITY[kind]

    def due(self, kind: Kind, severity: Severity, first_seen: date | None = None) -> date | None:
        """Only an exposure is due for revocation; stale copies are clean-up without a date."""
        if kind is not Kind.EXPOSURE:
            return None
        return (first_seen or self.today) + self.due_after[severity]
