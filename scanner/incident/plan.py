"""What an incident scan looks for: the inventory (optionally narrowed to some keys) and the
rules, with the digests the manifest records so the evidence says exactly what was used."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from detectors.rule_model import NO_RULES
from rules import RULES_DIR
from scanner import setup
from scanner.config import PolicyConfig
from scanner.errors import ConfigError
from scanner.incident.scope import Scope
from scanner.inventory import Inventory


@dataclass(frozen=True, slots=True)
class IncidentPlan:
    scan: setup.ScanPlan
    inventory_file: Path | None
    rule_files: tuple[Path, ...]

    def fingerprints(self) -> dict[str, Any]:
        """Digests only: of the inventory file, each key's value fingerprints, each rule file."""
        inventory = self.scan.inventory
        return {
            "inventory": {
                "path": str(self.inventory_file) if self.inventory_file else None,
                "sha256": file_digest(self.inventory_file) if self.inventory_file else None,
                "keys": {
                    key.id: [fingerprint.digest for fingerprint in key.fingerprints]
                    for key in inventory.keys
                },
            },
            "rules": {
                "count": len(self.scan.detectors.rules.rules),
                "files": [{"path": str(p), "sha256": file_digest(p)} for p in self.rule_files],
            },
        }


def incident_plan(
    scope: Scope,
    inventory_option: str | None,
    *,
    exhaustive: bool = False,
    policy: PolicyConfig | None = None,
) -> IncidentPlan:
    explicit = str(scope.inventory) if scope.inventory else inventory_option
    inventory, note = setup.load_inventory(explicit)
    if scope.keys:
        inventory = _only(inventory, scope.keys)
    rule_files: tuple[Path, ...] = ()
    rule_set = NO_RULES
    notes = [note] if note else []
    if not scope.keys:  # keys named: only they are looked for, so no unmanaged findings
        options = setup.RuleOptions(scope.rules, scope.builtin_rules)
        loaded = setup.load_rules(options)
        rule_set, rule_files = loaded.rule_set, _rule_files(options)
        notes.extend(loaded.warnings)
    if not inventory.keys and not rule_set.rules:
        raise ConfigError("nothing to look for: no inventory keys and no rules")
    matching = setup.MatchingOptions(exhaustive=exhaustive)
    plan = setup.ScanPlan(
        setup.detector_spec(inventory, matching, rule_set),
        setup.classifier(inventory, config=policy, rule_set=rule_set),
        setup.suppressions(rule_set),
        inventory,
        tuple(notes),
    )
    return IncidentPlan(plan, inventory.path if inventory.keys else None, rule_files)


def _only(inventory: Inventory, ids: tuple[str, ...]) -> Inventory:
    known = {key.id for key in inventory.keys}
    unknown = [key_id for key_id in ids if key_id not in known]
    if unknown:
        where = f"the inventory {inventory.path}" if inventory.path else "the inventory"
        raise ConfigError(f"--keys: not in {where}: {', '.join(unknown)}")
    return replace(inventory, keys=tuple(key for key in inventory.keys if key.id in ids))


def _rule_files(options: setup.RuleOptions) -> tuple[Path, ...]:
    roots = ([RULES_DIR] if options.builtin else []) + list(options.extra)
    files: list[Path] = []
    for root in roots:
        files.extend(sorted(Path(root).glob("*.toml")) if Path(root).is_dir() else [Path(root)])
    return tuple(files)


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
