"""The incident's time window: which dated copies count.

A bound is a date (`2026-11-01`: `--since` from its first second, `--until` through its last)
or an ISO 8601 time (`2026-11-01T09:30:00Z`; without an offset it is UTC). Dates of copies
are compared as instants, so a commit made at 23:00-05:00 is placed correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


class WindowError(ValueError):
    """A bound is not a date or an ISO 8601 time; `bound` names it (since or until)."""

    def __init__(self, message: str, bound: str) -> None:
        super().__init__(message)
        self.bound = bound


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> Window:
        window = cls(_bound(since, "since", end=False), _bound(until, "until", end=True))
        if window.since and window.until and window.since > window.until:
            raise WindowError(f"since ({since}) is after until ({until})", "until")
        return window

    @property
    def unbounded(self) -> bool:
        return self.since is None and self.until is None

    def holds(self, when: str | None) -> bool:
        """Whether a copy dated `when` falls inside; an undated copy always does."""
        instant = instant_of(when)
        if instant is None:
            return True
        return (self.since is None or instant >= self.since) and (
            self.until is None or instant <= self.until
        )

    def to_dict(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def instant_of(when: str | None) -> datetime | None:
    """A location's date as an aware instant, or None when it has none or it is unreadable."""
    if not when:
        return None
    try:
        parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _bound(text: str | None, name: str, *, end: bool) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        instant = instant_of(text)
        if instant is None:
            raise WindowError(
                f"{name} {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time", name
            ) from None
        return instant
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1, microseconds=-1) if end else start
