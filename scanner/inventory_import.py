"""`inventory import`: CI variable stores as the inventory's source of truth.

Each variable whose value looks like a key becomes an inventory key (fingerprint only) with
the variable as its approved location. A value already in the inventory gains the variable as
one more approved location; a known variable whose value changed is recorded as a rotation.
Owner and purpose come from the caller (or stay empty, for `inventory audit` to flag). The
whole import is one atomic write of the inventory file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from scanner import inventory_edit
from scanner.errors import UsageError
from scanner.fingerprint import Fingerprinter, normalize
from scanner.model import Chunk, Location

DEFAULT_MIN_LENGTH = 16
_NOT_ID = re.compile(r"[^a-z0-9]+")

# Asked once per new key (e.g. a prompt); None leaves the field empty.
AskDetails = Callable[[str, str], inventory_edit.KeyDetails]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    names: tuple[str, ...] = ()  # variable-name globs; empty: every variable
    min_length: int = DEFAULT_MIN_LENGTH
    keyed: bool = False
    dry_run: bool = False


@dataclass(slots=True)
class ImportOutcome:
    """What the import did, one line per variable, values never included."""

    lines: list[str] = field(default_factory=list)
    added: int = 0
    approved: int = 0
    rotated: int = 0
    unchanged: int = 0
    skipped: int = 0


def approved_pattern(location: Location) -> str:
    """The `SOURCE:REPO:PATH` form `inventory.approved` and the classifier use."""
    return f"{location.source}:{location.repo or ''}:{location.path or ''}"


def key_id_for(location: Location) -> str:
    """`gitlab-variable` at acme/payments DEPLOY_TOKEN → `acme-payments-deploy-token`."""
    return _NOT_ID.sub("-", f"{location.repo or ''}-{location.path or ''}".lower()).strip("-")


def import_variables(
    path: Path,
    variables: Iterable[Chunk],
    *,
    ask: AskDetails,
    options: ImportOptions,
    fingerprinter: Fingerprinter,
    today: date,
) -> ImportOutcome:
    document = inventory_edit.read_document(path)
    keys = inventory_edit.key_entries(document)
    outcome = ImportOutcome()
    for chunk in variables:
        _import_one(keys, chunk, ask, options, fingerprinter, today, outcome)
    if not options.dry_run and (outcome.added or outcome.approved or outcome.rotated):
        inventory_edit.write_document(path, document)
    return outcome


def _import_one(
    keys: Any,
    chunk: Chunk,
    ask: AskDetails,
    options: ImportOptions,
    fingerprinter: Fingerprinter,
    today: date,
    outcome: ImportOutcome,
) -> None:
    pattern = approved_pattern(chunk.location)
    name = (chunk.location.path or "").rsplit("/", 1)[-1]
    if options.names and not any(fnmatchcase(name, glob) for glob in options.names):
        return
    reason = _not_key_like(chunk.data, options.min_length)
    table = None
    if reason is None:
        try:
            table = inventory_edit.fingerprint_table(
                chunk.data, fingerprinter, keyed=options.keyed, today=today
            )
        except UsageError as error:
            reason = str(error)
    if table is None:
        outcome.skipped += 1
        outcome.lines.append(f"skipped {pattern}: {reason}")
        return
    _apply(keys, chunk.location, pattern, table, ask, today, outcome)


def _apply(
    keys: Any,
    location: Location,
    pattern: str,
    table: Any,
    ask: AskDetails,
    today: date,
    outcome: ImportOutcome,
) -> None:
    preview = table["preview"]
    holder = _holding(keys, str(table["digest"]))
    if holder is not None:
        if _approve(holder, pattern):
            outcome.approved += 1
            outcome.lines.append(f"approved {pattern} for {holder['id']} ({preview})")
        else:
            outcome.unchanged += 1
        return
    key_id = key_id_for(location)
    existing = inventory_edit.find_entry(keys, key_id)
    if existing is not None:
        inventory_edit.rotate_entry(existing, table, today=today)
        _approve(existing, pattern)
        outcome.rotated += 1
        outcome.lines.append(f"rotated {key_id}: {pattern} holds a new value ({preview})")
        return
    details = ask(key_id, pattern)
    entry_details = inventory_edit.KeyDetails(
        owner=details.owner,
        purpose=details.purpose,
        provider=details.provider,
        approved=(pattern,),
    )
    keys.append(inventory_edit.new_entry(key_id, entry_details, table, today=today))
    outcome.added += 1
    outcome.lines.append(f"added {key_id} ({preview}) approved at {pattern}")


def _holding(keys: Any, digest: str) -> Any:
    """The key whose current value has this digest."""
    for entry in keys:
        for fingerprint in entry.get("fingerprints", []):
            if fingerprint.get("digest") == digest and "retired" not in fingerprint:
                return entry
    return None


def _approve(entry: Any, pattern: str) -> bool:
    approved = entry.setdefault("approved", [])
    if pattern in approved:
        return False
    approved.append(pattern)
    return True


def _not_key_like(value: bytes, min_length: int) -> str | None:
    normalized = normalize(value)
    if value.strip().startswith(b"-----BEGIN"):
        return None
    if len(normalized) < min_length:
        return f"shorter than {min_length} characters (not key-like)"
    if any(byte in normalized for byte in b" \t\r\n"):
        return "contains whitespace (not key-like)"
    return None
