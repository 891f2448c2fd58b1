"""Changes to the inventory file: add, rotate, revoke. Comments and layout survive (tomlkit).

Values arrive as bytes, are reduced to a fingerprint here, and go no further.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from scanner.charsets import PEM, charset_of
from scanner.errors import ConfigError, UsageError
from scanner.fingerprint import HMAC_SHA256, SHA256, Fingerprinter, normalize, pem_label, preview
from scanner.inventory import FORMAT_VERSION

# Shorter values make too many candidate windows and are guessable from their digest.
MIN_KEY_LENGTH = 8


@dataclass(frozen=True, slots=True)
class KeyDetails:
    owner: str | None = None
    purpose: str | None = None
    scope: str | None = None
    provider: str | None = None
    rotate_every: str | None = None
    revoke: str | None = None
    approved: tuple[str, ...] = ()


def fingerprint_table(
    value: bytes, fingerprinter: Fingerprinter, *, keyed: bool, today: date
) -> Table:
    """The inventory record of one value: digest, length, alphabet, preview. No plaintext."""
    normalized = normalize(value)
    label = pem_label(value.strip()) if value.strip().startswith(b"-----BEGIN") else None
    _check_value(value, normalized, is_pem=label is not None)
    table = tomlkit.table()
    table["digest"] = fingerprinter.digest(normalized, HMAC_SHA256 if keyed else SHA256)
    table["length"] = 0 if label else len(normalized)
    table["charset"] = PEM if label else charset_of(normalized)
    table["preview"] = preview(normalized, pem_label=label)
    table["added"] = today
    return table


def _check_value(value: bytes, normalized: bytes, *, is_pem: bool) -> None:
    if not normalized:
        raise UsageError("no key value was given on standard input or in the variable")
    if not is_pem and b"\n" in value.strip():
        raise UsageError("the value spans several lines; only PEM keys may")
    if not is_pem and len(normalized) < MIN_KEY_LENGTH:
        raise UsageError(f"the value is shorter than {MIN_KEY_LENGTH} characters")


def check_new_id(path: Path, key_id: str) -> None:
    """Before a value is asked for: a taken id is the mistake to report, not the value's."""
    _require_absent(key_entries(read_document(path)), key_id, path)


def check_known_id(path: Path, key_id: str) -> None:
    """Before a value is asked for: an unknown id is the mistake to report, not the value's."""
    _require(key_entries(read_document(path)), key_id, path)


def add_key(
    path: Path, key_id: str, details: KeyDetails, fingerprint: Table, *, today: date
) -> None:
    document = read_document(path)
    keys = key_entries(document)
    _require_absent(keys, key_id, path)
    keys.append(new_entry(key_id, details, fingerprint, today=today))
    write_document(path, document)


def new_entry(key_id: str, details: KeyDetails, fingerprint: Table, *, today: date) -> Table:
    entry = tomlkit.table()
    entry["id"] = key_id
    for name in ("owner", "purpose", "scope", "provider"):
        if getattr(details, name):
            entry[name] = getattr(details, name)
    entry["created"] = today
    for name in ("rotate_every", "revoke"):
        if getattr(details, name):
            entry[name] = getattr(details, name)
    entry["approved"] = list(details.approved)
    entry["status"] = "active"
    entry["fingerprints"] = _array_of_tables([fingerprint])
    return entry


def rotate_key(path: Path, key_id: str, fingerprint: Table, *, today: date) -> None:
    document = read_document(path)
    entry = _require(key_entries(document), key_id, path)
    fingerprints = entry.setdefault("fingerprints", _array_of_tables([]))
    if any(fp.get("digest") == fingerprint["digest"] for fp in fingerprints):
        raise UsageError(f"key {key_id!r} already has this value; a rotation needs a new one")
    rotate_entry(entry, fingerprint, today=today)
    write_document(path, document)


def rotate_entry(entry: Any, fingerprint: Table, *, today: date) -> None:
    fingerprints = entry.setdefault("fingerprints", _array_of_tables([]))
    _retire_current(fingerprints, today)
    fingerprints.append(fingerprint)
    entry["rotated"] = today
    entry["status"] = "active"
    entry.pop("revoked", None)


def revoke_key(path: Path, key_id: str, *, today: date) -> None:
    document = read_document(path)
    entry = _require(key_entries(document), key_id, path)
    if entry.get("status") == "revoked":
        raise UsageError(f"key {key_id!r} is already revoked")
    _retire_current(entry.get("fingerprints", []), today)
    entry["status"] = "revoked"
    entry["revoked"] = today
    write_document(path, document)


def _retire_current(fingerprints: Any, today: date) -> None:
    for fingerprint in fingerprints:
        if "retired" not in fingerprint:
            fingerprint["retired"] = today


def read_document(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        document = tomlkit.document()
        document.add(tomlkit.comment("keysprawl inventory: fingerprints only, never key values."))
        document["version"] = FORMAT_VERSION
        return document
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as error:
        raise ConfigError(f"{path}: cannot edit inventory: {error}") from None


def key_entries(document: tomlkit.TOMLDocument) -> Any:
    if "keys" not in document:
        document["keys"] = _array_of_tables([])
    keys = document["keys"]
    if not isinstance(keys, AoT | list):
        raise ConfigError("'keys' must be an array of tables ([[keys]])")
    return keys


def find_entry(keys: Any, key_id: str) -> Any:
    return next((entry for entry in keys if entry.get("id") == key_id), None)


def _require(keys: Any, key_id: str, path: Path) -> Any:
    entry = find_entry(keys, key_id)
    if entry is None:
        raise UsageError(f"no key {key_id!r} in {path}")
    return entry


def _require_absent(keys: Any, key_id: str, path: Path) -> None:
    if find_entry(keys, key_id) is not None:
        raise UsageError(
            f"key {key_id!r} is already in {path}; use 'inventory rotate' for a new value"
        )


def _array_of_tables(tables: list[Table]) -> AoT:
    array = tomlkit.aot()
    for table in tables:
        array.append(table)
    return array


def write_document(path: Path, document: tomlkit.TOMLDocument) -> None:
    """Atomically: a crash mid-write leaves the old inventory, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".inventory-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(tomlkit.dumps(document))
        if path.exists():
            Path(temporary).chmod(path.stat().st_mode & 0o777)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
