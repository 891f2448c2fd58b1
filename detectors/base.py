"""The detector contract and the picklable recipe that builds the detector set in a worker."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Protocol

from detectors.decoders import registry
from detectors.decoders.base import DecodeOptions
from detectors.decoders.decoding import DEFAULT_DEPTH, Decoding
from detectors.fingerprint_matcher import FingerprintMatcher, Target
from detectors.rule_engine import RuleMatcher
from detectors.rule_model import NO_RULES, RuleSet
from scanner.fingerprint import Fingerprinter
from scanner.model import Match


class Detector(Protocol):
    def find(self, data: bytes, *, first_line: int = 1) -> list[Match]: ...


@dataclass(frozen=True, slots=True)
class DetectorSpec:
    """Everything needed to build the detectors, cheap to send to a worker process."""

    targets: tuple[Target, ...]
    pepper: bytes | None = field(default=None, repr=False)
    exhaustive: bool = False
    accelerate: bool = True
    rules: RuleSet = NO_RULES
    decode_depth: int = DEFAULT_DEPTH  # 0: look at content only as it is

    def build(self) -> DetectorSet:
        fingerprinter = Fingerprinter(self.pepper)
        matcher = FingerprintMatcher(
            self.targets,
            fingerprinter=fingerprinter,
            exhaustive=self.exhaustive,
            accelerate=self.accelerate,
        )
        detectors: list[Detector] = [] if matcher.empty else [matcher]
        rules = RuleMatcher(self.rules, fingerprinter=fingerprinter, accelerate=self.accelerate)
        if not rules.empty:
            detectors.append(rules)
        return DetectorSet(detectors, decoding=self._decoding())

    def _decoding(self) -> Decoding | None:
        if self.decode_depth < 1:
            return None
        lengths = [target.length for target in self.targets if target.length > 0]
        options = DecodeOptions(min_length=min([16, *lengths]))
        decoders = registry.build(options, accelerate=self.accelerate)
        return Decoding(decoders, depth=self.decode_depth)


class DetectorSet:
    """Runs every detector over a piece of content and over each decoded view of it; the only
    entry point the engine uses."""

    def __init__(self, detectors: list[Detector], *, decoding: Decoding | None = None) -> None:
        self._detectors = detectors
        self._decoding = decoding if detectors else None

    def find(self, data: bytes, *, first_line: int = 1) -> list[Match]:
        matches = self._find(data, first_line)
        if self._decoding is not None:
            matches = self._decoding.with_decoded(data, first_line, self._find, matches)
        return matches

    def _find(self, data: bytes, first_line: int = 1) -> list[Match]:
        matches: list[Match] = []
        for detector in self._detectors:
            matches.extend(detector.find(data, first_line=first_line))
        return _one_per_span(matches)

    @property
    def timeouts(self) -> Counter[str]:
        """Rule ids that ran out of time on some content, and how often."""
        total: Counter[str] = Counter()
        for detector in self._detectors:
            if isinstance(detector, RuleMatcher):
                total.update(detector.timeouts)
        return total


def _one_per_span(matches: list[Match]) -> list[Match]:
    """One match per value and place: the fingerprint matcher and a rule, or two rules, that
    saw the same span report it once, named by the first rule (specific rules come first)."""
    kept: dict[tuple[int, int, tuple[str, ...]], Match] = {}
    for match in matches:
        key = (match.start, match.end, match.encodings)
        earlier = kept.get(key)
        if earlier is None:
            kept[key] = match
        elif earlier.rule_id is None and match.rule_id is not None:
            kept[key] = replace(earlier, rule_id=match.rule_id)
    return list(kept.values())
