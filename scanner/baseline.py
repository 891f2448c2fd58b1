"""The baseline file: unmanaged findings a team has accepted, so only new ones fail a scan.

Entries are keyed by the secret's fingerprint and the path it lives at, with no line
numbers: moving code, or editing around a secret, does not re-open it. The file is JSON,
sorted, one entry per (fingerprint, path), so it diffs well in review. No value is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.model import Finding, Kind
from scanner.suppress import place_key

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    path: str
    fingerprint: str
    rule_id: str | None
    preview: str

    def key(self) -> tuple[str, str]:
        return self.fingerprint, self.path


Entries = dict[tuple[str, str], BaselineEntry]


def entries_from(findings: list[Finding]) -> Entries:
    """One entry per unmanaged (fingerprint, path) of a scan's findings."""
    found: Entries = {}
    for finding in findings:
        for occurrence in finding.occurrences:
            if occurrence.kind is Kind.UNMANAGED:
                place = place_key(occurrence)
                rule = occurrence.rule_id
                entry = BaselineEntry(place, finding.fingerprint, rule, finding.preview)
                found.setdefault(entry.key(), entry)
    return found


def read_entries(path: Path) -> Entries:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline not found: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read baseline {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not a keysprawl baseline ({error})") from None
    return _parse(document, path)


def _parse(document: Any, path: Path) -> Entries:
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise ConfigError(f"{path}: not a version {FORMAT_VERSION} keysprawl baseline")
    entries: Entries = {}
    for item in document.get("entries", []):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(name), str) for name in ("path", "fingerprint")
        ):
            raise ConfigError(f"{path}: each entry needs a 'path' and a 'fingerprint'")
        rule = item.get("rule_id")
        entry = BaselineEntry(
            item["path"],
            item["fingerprint"],
            rule if isinstance(rule, str) else None,
            str(item.get("preview", "")),
        )
        entries[entry.key()] = entry
    return entries


def load_baseline(path: Path) -> frozenset[tuple[str, str]]:
    return frozenset(read_entries(path))


def write_entries(path: Path, entries: Entries) -> None:
    document = {
        "version": FORMAT_VERSION,
        "tool": "keysprawl",
        "entries": [
            {
                "path": e.path,
                "fingerprint": e.fingerprint,
                "rule_id": e.rule_id,
                "preview": e.preview,
            }
            for e in sorted(entries.values(), key=lambda e: (e.path, e.fingerprint))
        ],
    }
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot write baseline {path}: {error.strerror}") from None
