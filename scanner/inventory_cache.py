"""The validated inventory, cached as compact JSON rows named by the inventory file's digest.

Reading a 1,000-key inventory from its TOML costs the hook ~40 ms (tomllib), and from a JSON
copy of the document still ~6 ms of validation; a 10,000-key inventory costs every scan ten
times that. The rows hold the already validated values in field order, so loading is one
`json.loads` and the constructors. A changed inventory file (or another version of the code
that validates it) has another digest, hence another cache file. Rows hold exactly what the
inventory file holds (fingerprints, previews, owners): no key value ever reaches an
inventory, so none reaches its cache. A cache file that cannot be read, is damaged, or was
written for other fields is ignored, and the caller rewrites it.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from scanner import inventory as inventory_module
from scanner.cache import read_cached, write_cached
from scanner.inventory import Inventory, InventoryKey, KeyFingerprint

# The rows are positional: a cache written for other fields is refused, not misread.
_LAYOUT = [
    [field.name for field in fields(InventoryKey)],
    [field.name for field in fields(KeyFingerprint)],
]


def _validator_digest() -> bytes:
    """Rows were validated by one version of `scanner.inventory`: after an upgrade that
    validates differently they must not skip the new checks, so its source names the cache
    too (and the layout, so two installed versions do not overwrite each other's rows)."""
    try:
        source = Path(inventory_module.__file__).read_bytes()
    except (OSError, TypeError):
        source = b""
    return hashlib.sha256(json.dumps(_LAYOUT).encode() + b"\0" + source).digest()


_VALIDATOR = _validator_digest()


def cache_name(raw: bytes) -> str:
    return f"inventory-rows-{hashlib.sha256(_VALIDATOR + raw).hexdigest()[:32]}.json"


def read(raw: bytes, path: Path | None) -> Inventory | None:
    """The inventory cached for the file content `raw`, or None (not cached, or damaged)."""
    data = read_cached(cache_name(raw))
    if data is None:
        return None
    try:
        with _collector_paused():
            document = json.loads(data)
            if document["layout"] != _LAYOUT:
                return None
            keys = tuple(_key(*row) for row in document["keys"])
        return Inventory(path, keys, tuple(document["unknown_fields"]))
    except (ValueError, TypeError, KeyError):  # a damaged file: the caller parses the TOML
        return None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading builds several objects per key, none of them in a reference cycle. Left on, the
    cyclic collector walks the growing heap again and again while they are built; paused, it
    walks them once afterwards: ~10 ms less CPU for a scan with a 10,000-key inventory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write(raw: bytes, inventory: Inventory) -> None:
    document = {
        "layout": _LAYOUT,
        "keys": [_key_row(key) for key in inventory.keys],
        "unknown_fields": list(inventory.unknown_fields),
    }
    write_cached(cache_name(raw), json.dumps(document, separators=(",", ":")).encode())


def _key_row(key: InventoryKey) -> list[Any]:
    return [
        key.id,
        key.owner,
        key.purpose,
        key.scope,
        key.provider,
        _iso(key.created),
        _iso(key.rotated),
        key.rotate_every,
        key.revoke,
        list(key.approved),
        key.status,
        _iso(key.revoked),
        [_fingerprint_row(fingerprint) for fingerprint in key.fingerprints],
        list(key.unknown_fields),
    ]


def _fingerprint_row(fingerprint: KeyFingerprint) -> list[Any]:
    return [
        fingerprint.digest,
        fingerprint.length,
        fingerprint.charset,
        fingerprint.preview,
        _iso(fingerprint.added),
        _iso(fingerprint.retired),
    ]


def _key(
    key_id: str,
    owner: str | None,
    purpose: str | None,
    scope: str | None,
    provider: str | None,
    created: str | None,
    rotated: str | None,
    rotate_every: str | None,
    revoke: str | None,
    approved: list[str],
    status: str,
    revoked: str | None,
    fingerprints: list[list[Any]],
    unknown_fields: list[str],
) -> InventoryKey:
    return InventoryKey(
        key_id,
        owner,
        purpose,
        scope,
        provider,
        _day(created),
        _day(rotated),
        rotate_every,
        revoke,
        tuple(approved),
        status,
        _day(revoked),
        tuple([_fingerprint(*row) for row in fingerprints]),
        tuple(unknown_fields),
    )


def _fingerprint(
    digest: str, length: int, charset: str, preview: str, added: str | None, retired: str | None
) -> KeyFingerprint:
    return KeyFingerprint(digest, length, charset, preview, _day(added), _day(retired))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
