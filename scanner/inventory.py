"""The inventory: the organization's keys, their owners and lifecycle, as fingerprints only.

A TOML file reviewed like code. Reading uses the standard library's `tomllib` (strict), once
per version of the file: the validated result is cached (`scanner.inventory_cache`). Edits go
through `scanner.inventory_edit`, which keeps the file's comments.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scanner.charsets import BY_NAME, PEM
from scanner.errors import ConfigError

INVENTORY_ENV = "KEYSPRAWL_INVENTORY"
DEFAULT_INVENTORY = "keysprawl-inventory.toml"
FORMAT_VERSION = 1

KEY_FIELDS = frozenset(
    {
        "id",
        "owner",
        "purpose",
        "scope",
        "provider",
        "created",
        "rotated",
        "rotate_every",
        "revoke",
        "approved",
        "status",
        "revoked",
        "fingerprints",
    }
)
FINGERPRINT_FIELDS = frozenset({"digest", "length", "charset", "preview", "added", "retired"})
_DIGEST = re.compile(r"^(sha256|hmac-sha256):[0-9a-f]{64}$")
_STATUSES = ("active", "revoked")


@dataclass(frozen=True, slots=True)
class KeyFingerprint:
    digest: str
    length: int
    charset: str
    preview: str
    added: date | None = None
    retired: date | None = None

    @property
    def current(self) -> bool:
        return self.retired is None


@dataclass(frozen=True, slots=True)
class InventoryKey:
    id: str
    owner: str | None
    purpose: str | None
    scope: str | None
    provider: str | None
    created: date | None
    rotated: date | None
    rotate_every: str | None
    revoke: str | None
    approved: tuple[str, ...]
    status: str
    revoked: date | None
    fingerprints: tuple[KeyFingerprint, ...]
    unknown_fields: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Inventory:
    path: Path | None
    keys: tuple[InventoryKey, ...]
    unknown_fields: tuple[str, ...] = ()

    def get(self, key_id: str) -> InventoryKey | None:
        return next((key for key in self.keys if key.id == key_id), None)

    def fingerprints(self) -> Iterator[tuple[InventoryKey, KeyFingerprint]]:
        for key in self.keys:
            for fingerprint in key.fingerprints:
                yield key, fingerprint

    def by_digest(self) -> dict[str, tuple[InventoryKey, KeyFingerprint]]:
        return {fingerprint.digest: (key, fingerprint) for key, fingerprint in self.fingerprints()}

    def uses_keyed_digests(self) -> bool:
        return any(fp.digest.startswith("hmac-") for _, fp in self.fingerprints())


def resolve_path(explicit: str | None) -> Path:
    """--inventory, then $KEYSPRAWL_INVENTORY, then ./keysprawl-inventory.toml."""
    return Path(explicit or os.environ.get(INVENTORY_ENV) or DEFAULT_INVENTORY)


def load(path: Path) -> Inventory:
    """The inventory in `path`: validated once per version of the file, then from the cache."""
    from scanner import inventory_cache  # deferred: it builds this module's classes

    raw = _read(path)
    cached = inventory_cache.read(raw, path)
    if cached is not None:
        return cached
    inventory = parse(_parse_toml(raw, path), path)
    inventory_cache.write(raw, inventory)
    return inventory


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"inventory not found: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read inventory {path}: {error.strerror}") from None


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    import tomllib  # deferred: only a new version of the file is parsed (see `load`)

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None


def parse(document: Mapping[str, Any], path: Path | None = None) -> Inventory:
    version = document.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ConfigError(f"{path}: inventory format version {version!r} is not supported")
    entries = document.get("keys", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'keys' must be an array of tables ([[keys]])")
    keys = tuple(_parse_key(entry, index, path) for index, entry in enumerate(entries, 1))
    _check_unique_ids(keys, path)
    unknown = tuple(sorted(set(document) - {"version", "keys"}))
    return Inventory(path, keys, unknown)


def _parse_key(entry: object, index: int, path: Path | None) -> InventoryKey:
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: keys entry #{index} is not a table")
    where = f"{path}: key #{index}"
    key_id = entry.get("id")
    if not isinstance(key_id, str) or not key_id:
        raise ConfigError(f"{where}: 'id' is missing or not a string")
    where = f"{path}: key {key_id!r}"
    status = _text(entry, "status", where) or "active"
    if status not in _STATUSES:
        raise ConfigError(f"{where}: 'status' must be one of {', '.join(_STATUSES)}")
    fingerprints = entry.get("fingerprints", [])
    if not isinstance(fingerprints, list):
        raise ConfigError(f"{where}: 'fingerprints' must be an array of tables")
    return InventoryKey(
        id=key_id,
        owner=_text(entry, "owner", where),
        purpose=_text(entry, "purpose", where),
        scope=_text(entry, "scope", where),
        provider=_text(entry, "provider", where),
        created=_date(entry, "created", where),
        rotated=_date(entry, "rotated", where),
        rotate_every=_text(entry, "rotate_every", where),
        revoke=_text(entry, "revoke", where),
        approved=_strings(entry, "approved", where),
        status=status,
        revoked=_date(entry, "revoked", where),
        fingerprints=tuple(_parse_fingerprint(fp, where) for fp in fingerprints),
        unknown_fields=tuple(sorted(set(entry) - KEY_FIELDS)),
    )


def _parse_fingerprint(entry: object, where: str) -> KeyFingerprint:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a fingerprints entry is not a table")
    digest = entry.get("digest")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise ConfigError(
            f"{where}: fingerprint digest must be 'sha256:' or 'hmac-sha256:' + 64 hex"
        )
    charset = entry.get("charset")
    if charset != PEM and charset not in BY_NAME:
        raise ConfigError(f"{where}: fingerprint charset {charset!r} is unknown")
    length = entry.get("length")
    if not isinstance(length, int) or (length < 1 and charset != PEM):
        raise ConfigError(f"{where}: fingerprint length must be a positive integer")
    return KeyFingerprint(
        digest=digest,
        length=length,
        charset=charset,
        preview=_text(entry, "preview", where) or "",
        added=_date(entry, "added", where),
        retired=_date(entry, "retired", where),
    )


def _text(entry: Mapping[str, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is None or isinstance(value, str):
        return value or None
    raise ConfigError(f"{where}: {name!r} must be a string")


def _strings(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{where}: {name!r} must be an array of strings")


def _date(entry: Mapping[str, Any], name: str, where: str) -> date | None:
    value = entry.get(name)
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: {name!r} must be a date like 2026-01-31")


def _check_unique_ids(keys: tuple[InventoryKey, ...], path: Path | None) -> None:
    seen: set[str] = set()
    for key in keys:
        if key.id in seen:
            raise ConfigError(f"{path}: key id {key.id!r} appears twice")
        seen.add(key.id)
