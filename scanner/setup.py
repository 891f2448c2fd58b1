"""Building the detectors, classifier and suppressions for a scan from its configuration."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from detectors.base import DetectorSpec
from detectors.decoders.decoding import DEFAULT_DEPTH
from detectors.fingerprint_matcher import Target
from detectors.rule_loader import LoadedRules, load_sources, parse_allowlist
from detectors.rule_model import NO_RULES, Allowlist, RuleSet
from rules import RULES_DIR
from scanner import inventory as inventory_module
from scanner.classify import Classifier
from scanner.clock import today_utc
from scanner.errors import ConfigError
from scanner.fingerprint import PEPPER_ENV, Fingerprinter, preview_tail
from scanner.inventory import Inventory
from scanner.policy import Policy
from scanner.suppress import Suppressions

if TYPE_CHECKING:  # the hook runs without a configuration file: it never loads the module
    from scanner.config import Config, PolicyConfig


@dataclass(frozen=True, slots=True)
class MatchingOptions:
    exhaustive: bool = False
    accelerate: bool = True
    decode_depth: int = DEFAULT_DEPTH


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """`extra`: rule folders, keysprawl rule files or gitleaks configurations."""

    extra: tuple[Path, ...] = ()
    builtin: bool = True


def load_inventory(explicit: str | None) -> tuple[Inventory, str | None]:
    """The inventory, or none when none was asked for and the default file does not exist:
    then the scan reports credentials of known formats only (the returned note says so).
    An inventory named by --inventory or $KEYSPRAWL_INVENTORY must exist."""
    path = inventory_module.resolve_path(explicit)
    named = explicit is not None or bool(os.environ.get(inventory_module.INVENTORY_ENV))
    if not named and not path.exists():
        note = f"no inventory ({path} not found): reporting credentials of known formats only"
        return Inventory(None, ()), note
    return inventory_module.load(path), None


def load_rules(options: RuleOptions) -> LoadedRules:
    sources: Sequence[Path] = ([RULES_DIR] if options.builtin else []) + list(options.extra)
    return load_sources(sources)


def detector_spec(
    inventory: Inventory, options: MatchingOptions, rule_set: RuleSet = NO_RULES
) -> DetectorSpec:
    fingerprinter = Fingerprinter.from_environment()
    if inventory.uses_keyed_digests() and fingerprinter.pepper is None:
        raise ConfigError(f"the inventory holds hmac-sha256 fingerprints: set {PEPPER_ENV}")
    targets = tuple(
        Target(fp.digest, fp.length, fp.charset, preview_tail(fp.preview))
        for _, fp in inventory.fingerprints()
    )
    return DetectorSpec(
        targets,
        pepper=fingerprinter.pepper,
        exhaustive=options.exhaustive,
        accelerate=options.accelerate,
        rules=rule_set,
        decode_depth=options.decode_depth,
    )


def policy(config: PolicyConfig | None = None, today: date | None = None) -> Policy:
    if config is None:
        return Policy(today or today_utc())  # the same defaults as an empty [policy] table
    return Policy(
        today or today_utc(), due_after=config.due_after, scope_severity=config.scope_severity
    )


def classifier(
    inventory: Inventory,
    today: date | None = None,
    *,
    config: PolicyConfig | None = None,
    rule_set: RuleSet = NO_RULES,
) -> Classifier:
    return Classifier(inventory, policy(config, today), rule_set.severities())


def suppressions(rule_set: RuleSet, baseline: Path | None = None) -> Suppressions:
    return Suppressions(
        baseline=_baseline(baseline) if baseline else frozenset(),
        paths=rule_set.allowlist_paths,
        rule_paths=rule_set.path_allowlists(),
    )


def _baseline(path: Path) -> frozenset[tuple[str, str]]:
    from scanner.baseline import load_baseline  # deferred: only scans with a baseline read it

    return load_baseline(path)


@dataclass(frozen=True, slots=True)
class ScanPlan:
    """Everything `engine.scan` needs besides the connectors, and notes for the report."""

    detectors: DetectorSpec
    classifier: Classifier
    suppressions: Suppressions
    inventory: Inventory
    notes: tuple[str, ...] = ()


def plan(
    *,
    inventory_path: str | None,
    matching: MatchingOptions,
    rules: RuleOptions,
    baseline: Path | None = None,
    config: Config | None = None,
) -> ScanPlan:
    inventory, note = load_inventory(inventory_path)
    loaded = load_rules(rules)
    if config is not None:
        rule_set = with_allowlist(loaded.rule_set, config_allowlist(config))
    else:
        rule_set = loaded.rule_set
    if not inventory.keys and not rule_set.rules:
        raise ConfigError("nothing to look for: no inventory keys and no rules")
    notes = (*loaded.warnings, *([note] if note else []))
    return ScanPlan(
        detector_spec(inventory, matching, rule_set),
        classifier(inventory, config=config.policy if config else None, rule_set=rule_set),
        suppressions(rule_set, baseline),
        inventory,
        notes,
    )


def config_allowlist(config: Config) -> Allowlist:
    """The global `[allowlist]` of keysprawl.toml (same keys as a rule file's)."""
    table = config.document.get("allowlist")
    if table is None:
        return Allowlist()
    return parse_allowlist(table, f"{config.path}: [allowlist]")


def with_allowlist(rule_set: RuleSet, extra: Allowlist) -> RuleSet:
    """The rule set with one more global allowlist, kept apart so its regexes test its own
    `regex_target`."""
    if extra.empty:
        return rule_set
    return RuleSet(rule_set.rules, (*rule_set.allowlists, extra))
