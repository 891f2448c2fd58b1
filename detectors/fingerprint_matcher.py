"""The fingerprint matcher: finds copies of inventory keys it cannot see.

It knows only digests, lengths and alphabets. Candidate windows of exactly those lengths are
hashed once each and looked up in a set of digests; PEM blocks are reduced to their body and
hashed whole. Hashing is cheap; the cost is Python's work per candidate, so the finders work
hard to propose few candidates, and windows already known to miss are not hashed again.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from detectors.hyperscan_db import hyperscan_available
from detectors.positions import LineIndex
from detectors.window_specs import window_specs
from detectors.windows import (
    ExhaustiveWindows,
    RegexWindows,
    WindowFinder,
    WindowSpec,
)
from scanner.charsets import PEM
from scanner.fingerprint import PEM_BLOCK, Fingerprinter, normalize, pem_label, preview
from scanner.model import Match

# Bounds the memory of the miss cache; clearing it only costs re-hashing.
_MISS_CACHE_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    """What the matcher needs to know of one fingerprint: never the value itself. `tail`:
    the value's last characters as its preview shows them (b"" when unknown), which narrows
    the windows worth hashing."""

    digest: str
    length: int
    charset: str
    tail: bytes = b""


class FingerprintMatcher:
    def __init__(
        self,
        targets: Iterable[Target],
        *,
        fingerprinter: Fingerprinter,
        exhaustive: bool = False,
        accelerate: bool = True,
    ) -> None:
        targets = list(targets)
        self._sha256: dict[bytes, str] = {}
        self._hmac: dict[bytes, str] = {}
        self._pepper = fingerprinter.pepper
        for target in targets:
            algorithm, _, hexdigest = target.digest.partition(":")
            table = self._hmac if algorithm == "hmac-sha256" else self._sha256
            table[bytes.fromhex(hexdigest)] = target.digest
        self._has_pem = any(target.charset == PEM for target in targets)
        self._finder = _finder(_specs(targets), exhaustive=exhaustive, accelerate=accelerate)
        self._misses: set[bytes] = set()

    @property
    def empty(self) -> bool:
        return not (self._sha256 or self._hmac)

    def find(self, data: bytes, *, first_line: int = 1) -> list[Match]:
        lines = LineIndex(data, first_line)
        # Alphabets overlap (an alnum window is also a token window): report each span once.
        hits = sorted(dict.fromkeys(self._hits(data)))
        matches = [self._match(data, start, end, digest, lines) for start, end, digest in hits]
        if self._has_pem and b"-----BEGIN" in data:
            matches.extend(self._pem_matches(data, lines))
        return matches

    def _hits(self, data: bytes) -> Iterator[tuple[int, int, str]]:
        if self._finder is None:
            return
        misses, sha256, keyed = self._misses, self._sha256, self._hmac
        new_sha256 = hashlib.sha256
        for start, end in self._finder.windows(data):
            window = data[start:end]
            if window in misses:
                continue
            digest = sha256.get(new_sha256(window).digest())
            if digest is None and keyed:
                digest = self._keyed_lookup(window)
            if digest is not None:
                yield start, end, digest
                continue
            if len(misses) >= _MISS_CACHE_LIMIT:
                misses.clear()
            misses.add(window)

    def _keyed_lookup(self, normalized: bytes) -> str | None:
        assert self._pepper is not None  # the inventory loader refuses keyed digests without it
        return self._hmac.get(hmac.new(self._pepper, normalized, hashlib.sha256).digest())

    def _lookup(self, normalized: bytes) -> str | None:
        digest = self._sha256.get(hashlib.sha256(normalized).digest())
        if digest is None and self._hmac:
            digest = self._keyed_lookup(normalized)
        return digest

    def _match(self, data: bytes, start: int, end: int, digest: str, lines: LineIndex) -> Match:
        line, column = lines.position(start)
        return Match(start, end, line, column, (digest,), preview(data[start:end]))

    def _pem_matches(self, data: bytes, lines: LineIndex) -> Iterator[Match]:
        for block in PEM_BLOCK.finditer(data):
            digest = self._lookup(normalize(block.group(0)))
            if digest is None:
                continue
            line, column = lines.position(block.start())
            hint = preview(normalize(block.group(0)), pem_label=pem_label(block.group(0)))
            yield Match(block.start(), block.end(), line, column, (digest,), hint)


def _specs(targets: list[Target]) -> list[WindowSpec]:
    return window_specs((t.charset, t.length, t.tail) for t in targets if t.charset != PEM)


def _finder(specs: list[WindowSpec], *, exhaustive: bool, accelerate: bool) -> WindowFinder | None:
    if not specs:
        return None
    if exhaustive:
        return ExhaustiveWindows(specs)
    if accelerate and hyperscan_available():
        from detectors.windows_hyperscan import HyperscanWindows  # deferred: imports hyperscan

        return HyperscanWindows(specs)
    return RegexWindows(specs)
