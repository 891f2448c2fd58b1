"""The config's `[allowlist]` joins the rule files' global allowlists, each keeping its target."""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import random_key

from detectors.base import DetectorSpec
from detectors.rule_loader import load_sources
from detectors.rule_model import Allowlist
from scanner.setup import suppressions, with_allowlist

RULES = """
schema = "keysprawl-rules/1"
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''(acme_[a-z0-9]{24})'''
keywords = ["acme_"]

[allowlist]
regexes = ['''^acme_0{24}$''']
paths = ['''^vendor/''']
"""


def test_an_extra_line_allowlist_keeps_its_target_beside_the_rule_files(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text(RULES)
    loaded = load_sources([tmp_path / "rules.toml"]).rule_set
    extra = Allowlist(regexes=(r"#\s*fixture",), paths=("^third_party/",), regex_target="line")
    # The rule set travels to worker processes.
    rule_set = pickle.loads(pickle.dumps(with_allowlist(loaded, extra)))
    detectors = DetectorSpec((), accelerate=False, rules=rule_set).build()
    value = "acme_" + random_key(24, alphabet="abcdefghijklmnopqrstuvwxyz")
    assert len(detectors.find(f"x = {value}\n".encode())) == 1
    assert detectors.find(f"x = {value}  # fixture\n".encode()) == []  # the config's, on lines
    assert detectors.find(b"x = acme_" + b"0" * 24 + b"\n") == []  # the rule file's, on secrets
    assert suppressions(rule_set).paths == ("^vendor/", "^third_party/")
