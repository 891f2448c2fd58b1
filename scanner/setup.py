"""Building the detectors and classifier for a scan from the inventory and the environment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from detectors.base import DetectorSpec
from detectors.decoders.decoding import DEFAULT_DEPTH
from detectors.fingerprint_matcher import Target
from scanner.classify import Classifier
from scanner.config import PolicyConfig
from scanner.errors import ConfigError
from scanner.fingerprint import PEPPER_ENV, Fingerprinter
from scanner.inventory import Inventory
from scanner.policy import Policy


@dataclass(frozen=True, slots=True)
class MatchingOptions:
    exhaustive: bool = False
    accelerate: bool = True
    decode_depth: int = DEFAULT_DEPTH


def detector_spec(inventory: Inventory, options: MatchingOptions) -> DetectorSpec:
    fingerprinter = Fingerprinter.from_environment()
    if inventory.uses_keyed_digests() and fingerprinter.pepper is None:
        raise ConfigError(f"the inventory holds hmac-sha256 fingerprints: set {PEPPER_ENV}")
    targets = tuple(Target(fp.digest, fp.length, fp.charset) for _, fp in inventory.fingerprints())
    return DetectorSpec(
        targets,
        pepper=fingerprinter.pepper,
        exhaustive=options.exhaustive,
        accelerate=options.accelerate,
        decode_depth=options.decode_depth,
    )


def policy(config: PolicyConfig | None = None, today: date | None = None) -> Policy:
    config = config or PolicyConfig()
    return Policy(
        today or date.today(), due_after=config.due_after, scope_severity=config.scope_severity
    )


def classifier(
    inventory: Inventory, today: date | None = None, *, config: PolicyConfig | None = None
) -> Classifier:
    return Classifier(inventory, policy(config, today))
