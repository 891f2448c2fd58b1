"""The detector contract and the picklable recipe that builds the detector set in a worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

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

    def build(self) -> DetectorSet:
        matcher = FingerprintMatcher(
            self.targets,
            fingerprinter=Fingerprinter(self.pepper),
            exhaustive=self.exhaustive,
            accelerate=self.accelerate,
        )
        return DetectorSet([matcher] if not matcher.empty else [])


class DetectorSet:
    """Runs every detector over a piece of content; the only entry point the engine uses."""

    def __init__(self, detectors: list[Detector]) -> None:
        self._detectors = detectors

    def find(self, data: bytes, *, first_line: int = 1) -> list[Match]:
        matches: list[Match] = []
        for detector in self._detectors:
            matches.extend(detector.find(data, first_line=first_line))
        return matches
