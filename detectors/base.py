"""The detector contract and the picklable recipe that builds the detector set in a worker."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from detectors.decoders import registry
from detectors.decoders.base import DecodeOptions
from detectors.decoders.decoding import DEFAULT_DEPTH, Decoding
from detectors.decoders.notebook import MARKER as NOTEBOOK_MARKER
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


# Small contents are matched together, joined by a line holding only a NUL: no token runs
# through it. `find` costs ~7 µs before it reads a byte; a history scan's commit messages and
# changed spans are mostly a few hundred bytes (bench/git_history.py).
_SEPARATOR = b"\n\0\n"
_JOIN_AT_MOST = 4096  # bytes of one content
_JOINED_BYTES = 16 * 1024


class DetectorSet:
    """Runs every detector over a piece of content and over each decoded view of it; the only
    entry point the engine uses."""

    def __init__(self, detectors: list[Detector], *, decoding: Decoding | None = None) -> None:
        self._detectors = detectors
        self._decoding = decoding if detectors else None
        # A pattern anchored to the content's start or end would see the joined content's.
        rules = [d for d in detectors if isinstance(d, RuleMatcher)]
        self._joins = not any(rule.anchored for rule in rules)

    def find_each(self, items: Sequence[tuple[bytes, int]]) -> list[list[Match]]:
        """`find` of each (data, first_line), the same answers, fewer calls.

        Consecutive small items are first matched joined (`_SEPARATOR` between them). What
        matches in a piece alone also matches in the joined content (a token ends at the
        separator as at the end of the data, no anchored rule), so a piece the joined
        content shows no match in has none; a piece it does, and the whole group if a rule
        ran out of time there, are matched alone: the joined matches are never reported."""
        found: list[list[Match]] = []
        for group in _groups(items, joins=self._joins):
            if len(group) == 1:
                data, first_line = items[group[0]]
                found.append(self.find(data, first_line=first_line))
            else:
                found.extend(self._find_joined([items[index] for index in group]))
        return found

    def _find_joined(self, items: list[tuple[bytes, int]]) -> list[list[Match]]:
        starts, offset = [], 0
        for data, _ in items:
            starts.append(offset)
            offset += len(data) + len(_SEPARATOR)
        timeouts = self.timeouts
        joined = self.find(_SEPARATOR.join(data for data, _ in items))
        if self.timeouts != timeouts:
            hit = set(range(len(items)))
        else:
            hit = {index for match in joined for index in _pieces(starts, match)}
        return [
            self.find(data, first_line=first_line) if index in hit else []
            for index, (data, first_line) in enumerate(items)
        ]

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


def _groups(items: Sequence[tuple[bytes, int]], *, joins: bool) -> list[list[int]]:
    """Indexes of the items, in order: runs of small ones up to _JOINED_BYTES, others (and
    all, if `joins` is off) alone."""
    groups: list[list[int]] = []
    run: list[int] = []
    size = 0
    for index, (data, _) in enumerate(items):
        small = joins and len(data) <= _JOIN_AT_MOST and _joins_safely(data)
        if run and (not small or size + len(data) > _JOINED_BYTES):
            groups.append(run)
            run, size = [], 0
        if small:
            run.append(index)
            size += len(data) + len(_SEPARATOR)
        else:
            groups.append([index])
    if run:
        groups.append(run)
    return groups


def _joins_safely(data: bytes) -> bool:
    """No NUL (the separator stays unambiguous) and no notebook (its decoder reads the JSON
    of the whole content)."""
    return b"\0" not in data and NOTEBOOK_MARKER not in data


def _pieces(starts: list[int], match: Match) -> range:
    """The joined pieces a match's span touches."""
    first = bisect.bisect_right(starts, match.start) - 1
    last = bisect.bisect_right(starts, max(match.start, match.end - 1)) - 1
    return range(first, last + 1)


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
