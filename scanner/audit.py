"""`inventory audit`: the lifecycle discipline an organization key needs, one problem a line.

An organization key must outlive the people who made it: an owning team, a purpose, a scope,
a rotation period and a revocation path, rotated on time, and not recorded twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scanner.durations import InvalidDuration, parse_duration
from scanner.errors import ConfigError
from scanner.inventory import Inventory, InventoryKey

REQUIRED = ("owner", "purpose", "scope", "rotate_every", "revoke")


@dataclass(frozen=True, slots=True)
class AuditProblem:
    key_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.key_id}: {self.message}" if self.key_id else self.message


def load_people(path: Path | None) -> frozenset[str]:
    """Names of people (one a line, `#` comments) who must not own a key by themselves."""
    if path is None:
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read people file {path}: {error}") from None
    names = (line.split("#", 1)[0].strip().casefold() for line in lines)
    return frozenset(name for name in names if name)


def audit(
    inventory: Inventory, *, today: date, people: frozenset[str] = frozenset()
) -> list[AuditProblem]:
    problems: list[AuditProblem] = [
        AuditProblem(None, f"unknown top-level field {name!r}") for name in inventory.unknown_fields
    ]
    for key in inventory.keys:
        problems.extend(
            AuditProblem(key.id, message) for message in _key_problems(key, today, people)
        )
    problems.extend(_duplicates(inventory))
    return problems


def _key_problems(key: InventoryKey, today: date, people: frozenset[str]) -> Iterator[str]:
    for name in REQUIRED:
        if not getattr(key, name):
            yield f"missing {name.replace('_', '-')}"
    if key.owner and _is_person(key.owner, people):
        yield f"owner {key.owner!r} is a person, not a team; the key must survive staff changes"
    for name in key.unknown_fields:
        yield f"unknown field {name!r}"
    if key.active and not any(fp.current for fp in key.fingerprints):
        yield "active key has no current fingerprint"
    yield from _rotation_problems(key, today)


def _is_person(owner: str, people: frozenset[str]) -> bool:
    return "@" in owner or owner.strip().casefold() in people


def _rotation_problems(key: InventoryKey, today: date) -> Iterator[str]:
    if not key.active or not key.rotate_every:
        return
    try:
        period = parse_duration(key.rotate_every)
    except InvalidDuration as error:
        yield f"rotate-every: {error}"
        return
    last = key.rotated or key.created
    if last is None:
        yield "no created or rotated date, so rotation cannot be checked"
    elif last + period < today:
        yield f"rotation overdue since {last + period} (last {last}, every {key.rotate_every})"


def _duplicates(inventory: Inventory) -> Iterable[AuditProblem]:
    owners: dict[str, list[str]] = {}
    for key, fingerprint in inventory.fingerprints():
        owners.setdefault(fingerprint.digest, []).append(key.id)
    for digest, key_ids in owners.items():
        if len(set(key_ids)) > 1:
            listed = ", ".join(sorted(set(key_ids)))
            yield AuditProblem(None, f"the same fingerprint {digest[:19]}… is in keys {listed}")
