"""The detector contract and the picklable recipe that builds the detector set in a worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from detectors.decoders import registry
from detectors.decoders.base import DecodeOptions
from detectors.decoders.decoding import DEFAULT_DEPTH, Decoding
from detectors.fingerprint_matcher import FingerprintMatcher, Target
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
    decode_depth: int = DEFAULT_DEPTH  # 0: look at content only as it is

    def build(self) -> DetectorSet:
        matcher = FingerprintMatcher(
            self.targets,
            fingerprinter=Fingerprinter(self.pepper),
            exhaustive=self.exhaustive,
            accelerate=self.accelerate,
        )
        return DetectorSet([matcher] if not matcher.empty else [], decoding=self._decoding())

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
            matches.extend(self._decoding.matches(data, first_line, self._find, matches))
        return matches

    def _find(self, data: bytes, first_line: int = 1) -> list[Match]:
        matches: list[Match] = []
        for detector in self._detectors:
            matches.extend(detector.find(data, first_line=first_line))
        return matches
