"""GitHub Actions secrets: names and dates only (the API never returns a value).

A secret cannot be scanned, but it is often where an inventory key is supposed to live. Given
the inventory's approved `github-secret:OWNER[/REPO]:NAME` places, this says for each one
whether the secret exists, when it was last set, and whether it was set before the key's
last rotation (then it may still hold a retired value). The lines go into the report's notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from typing import Any

SOURCE = "github-secret"


@dataclass(frozen=True, slots=True)
class SecretPlace:
    """An approved place of an inventory key, and when the key's current value was made."""

    pattern: str  # github-secret:acme/payments:DEPLOY_TOKEN (globs allowed)
    key_id: str
    current_since: date | None = None


@dataclass(frozen=True, slots=True)
class SeenSecret:
    place: str  # github-secret:acme/payments:environments/production/DEPLOY_TOKEN
    updated: datetime | None


def listed(secrets: Iterable[Any], owner: str, prefix: str = "") -> Iterator[SeenSecret]:
    for secret in secrets:
        yield SeenSecret(f"{SOURCE}:{owner}:{prefix}{secret.name}", secret.updated_at)


def secret_notes(
    places: Iterable[SecretPlace], seen: list[SeenSecret], owners: set[str], today: date
) -> list[str]:
    """Notes for the approved places within `owners` (the org and repositories read)."""
    notes: list[str] = []
    for place in places:
        if _owner(place.pattern) not in owners and not _has_glob(_owner(place.pattern)):
            continue
        matches = [s for s in seen if fnmatchcase(s.place, place.pattern)]
        if not matches and not _has_glob(place.pattern):
            notes.append(f"{place.key_id}: approved place {place.pattern} does not exist")
        notes.extend(_note(place, secret, today) for secret in matches)
    return notes


def _note(place: SecretPlace, secret: SeenSecret, today: date) -> str:
    if secret.updated is None:
        return f"{place.key_id} lives in {secret.place} (date unknown)"
    updated = (
        secret.updated.astimezone(UTC).date() if secret.updated.tzinfo else secret.updated.date()
    )
    text = (
        f"{place.key_id} lives in {secret.place}, set {updated} ({(today - updated).days} days ago)"
    )
    if place.current_since and updated < place.current_since:
        text += (
            f": set before the key's current value ({place.current_since}),"
            " it may still hold a retired one"
        )
    return text


def _owner(pattern: str) -> str:
    parts = pattern.split(":")
    return parts[1] if len(parts) >= 3 else ""


def _has_glob(text: str) -> bool:
    return any(char in text for char in "*?[")
