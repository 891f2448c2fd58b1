"""A sweep thread's DetectorSet, reused source after source (scanner.sweep.detector_sets)."""

from __future__ import annotations

import string
import threading
from pathlib import Path

from conftest import random_key
from gitrepo import write_inventory

from connectors.filesystem import FilesystemConnector
from detectors.base import DetectorSet, DetectorSpec
from detectors.fingerprint_matcher import FingerprintMatcher
from detectors.rule_engine import RuleMatcher
from detectors.rule_model import Rule, RuleSet
from scanner import engine, inventory, setup
from scanner.fingerprint import Fingerprinter
from scanner.sweep.detector_sets import ThreadDetectors


def test_a_thread_keeps_its_set_and_other_threads_get_their_own() -> None:
    sets, spec = ThreadDetectors(), DetectorSpec(())
    mine = sets.get(spec)
    assert sets.get(spec) is mine
    theirs: list[DetectorSet] = []
    other = threading.Thread(target=lambda: theirs.append(sets.get(spec)))
    other.start()
    other.join()
    assert theirs[0] is not mine
    assert sets.get(DetectorSpec(())) is not mine  # another plan: built afresh


def test_a_reused_set_finds_the_same_and_reports_only_this_scans_timeouts(
    tmp_path: Path,
) -> None:
    key = random_key(40, alphabet=string.ascii_uppercase + string.digits)  # no "ab" in it
    loaded = inventory.load(write_inventory(tmp_path / "inventory.toml", {"k": key}))
    spec = setup.detector_spec(loaded, setup.MatchingOptions())
    slow = Rule(id="slow", description="catastrophic backtracking", regex=r"((?:a|aa)+b)")
    stalling = RuleMatcher(RuleSet((slow,)), fingerprinter=Fingerprinter(), timeout=0.2)
    keys = FingerprintMatcher(spec.targets, fingerprinter=Fingerprinter(spec.pepper))
    reused = DetectorSet([keys, stalling])
    (tmp_path / "stall.txt").write_text("a" * 60 + "x ab\n")
    (tmp_path / "clean.txt").write_text(f"TOKEN={key}\n")

    def scan(name: str) -> engine.ScanResult:
        return engine.scan(
            [FilesystemConnector(tmp_path / name)],
            detectors=spec,
            classifier=setup.classifier(loaded),
            detector_set=lambda: reused,
        )

    assert [p.where for p in scan("stall.txt").problems] == ["slow"]
    clean = scan("clean.txt")
    assert clean.problems == []  # the first scan's timeout is not counted again
    assert [f.key_id for f in clean.findings] == ["k"]
