"""UTC time as keysprawl records it: `2026-03-01T12:00:00Z` timestamps and today's date."""

from __future__ import annotations

from datetime import UTC, date, datetime


def timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def today_utc() -> date:
    return datetime.now(UTC).date()
