"""The stamp a sweep cursor is trusted for: what the scan searched for, not what it hid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import random_key
from gitrepo import write_inventory

from detectors.base import DetectorSpec
from detectors.rule_model import Allowlist, Rule, RuleSet
from scanner.inventory import load
from scanner.sweep.cursors import detection_stamp

RULE = Rule(id="demo-token", description="demo", regex=r"demo_([a-z0-9]{20})", keywords=("demo_",))


def test_the_stamp_changes_with_keys_rules_and_decoding_not_with_allowlists(
    tmp_path: Path,
) -> None:
    first = load(write_inventory(tmp_path / "a.toml", {"one": random_key(32)}))
    second = load(write_inventory(tmp_path / "b.toml", {"one": random_key(32)}))
    spec = DetectorSpec(targets=(), rules=RuleSet((RULE,)))
    stamp = detection_stamp(first, spec)

    assert detection_stamp(first, spec) == stamp
    assert detection_stamp(second, spec) != stamp  # a rotated key
    assert detection_stamp(first, replace(spec, rules=RuleSet())) != stamp  # a rule removed
    changed = replace(RULE, regex=r"demo_([a-z0-9]{24})")
    assert detection_stamp(first, replace(spec, rules=RuleSet((changed,)))) != stamp
    assert detection_stamp(first, replace(spec, decode_depth=0)) != stamp
    hidden = RuleSet((RULE,), allowlists=(Allowlist(stopwords=("example",)),))
    assert detection_stamp(first, replace(spec, rules=hidden)) == stamp
