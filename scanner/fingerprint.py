"""Fingerprints and previews: the only forms in which a key's value is ever kept.

A fingerprint is `sha256:` + the hex digest of the normalized value: surrounding whitespace
stripped, and a PEM block reduced to its base64 body without whitespace (so a key wrapped at
64 columns and the same key joined on one line are one key). The keyed mode
`hmac-sha256:` uses a pepper from `KEYSPRAWL_PEPPER` and protects low-entropy values from
a dictionary attack on the inventory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

PEPPER_ENV = "KEYSPRAWL_PEPPER"
SHA256 = "sha256"
HMAC_SHA256 = "hmac-sha256"

PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_PEM_HEADER_LINE = re.compile(rb"^[A-Za-z-]+:.*$", re.MULTILINE)
_WHITESPACE = re.compile(rb"\s+")
_KNOWN_PREFIX = re.compile(rb"^[A-Za-z][A-Za-z0-9]{0,11}[_-](?:[A-Za-z0-9]{1,8}[_-])?")


class PepperMissing(Exception):
    """The inventory holds keyed fingerprints but no pepper is set."""


@dataclass(frozen=True, slots=True)
class Fingerprinter:
    """Computes digests of normalized values under the algorithms in use."""

    pepper: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls) -> Fingerprinter:
        pepper = os.environ.get(PEPPER_ENV)
        return cls(pepper.encode() if pepper else None)

    def algorithms(self) -> tuple[str, ...]:
        return (SHA256, HMAC_SHA256) if self.pepper else (SHA256,)

    def digest(self, normalized: bytes, algorithm: str = SHA256) -> str:
        if algorithm == SHA256:
            return "sha256:" + hashlib.sha256(normalized).hexdigest()
        if self.pepper is None:
            raise PepperMissing(f"hmac-sha256 fingerprints need {PEPPER_ENV} to be set")
        return "hmac-sha256:" + hmac.new(self.pepper, normalized, hashlib.sha256).hexdigest()

    def all_digests(self, normalized: bytes) -> tuple[str, ...]:
        return tuple(self.digest(normalized, algorithm) for algorithm in self.algorithms())


def pem_body(value: bytes) -> bytes | None:
    """The base64 body of the first PEM block in `value`, without headers or whitespace."""
    block = PEM_BLOCK.search(value)
    if block is None:
        return None
    body = _PEM_HEADER_LINE.sub(b"", block.group(2))
    return _WHITESPACE.sub(b"", body)


def normalize(value: bytes) -> bytes:
    """The bytes a fingerprint is computed over."""
    stripped = value.strip()
    body = pem_body(stripped) if stripped.startswith(b"-----BEGIN") else None
    return body if body is not None else stripped


def preview(normalized: bytes, *, pem_label: str | None = None) -> str:
    """A human hint that cannot reconstruct the key: a known prefix and the last characters."""
    tail_length = 4 if len(normalized) >= 16 else 2 if len(normalized) >= 8 else 0
    tail = normalized[len(normalized) - tail_length :].decode("utf-8", "replace")
    if pem_label:
        return f"-----BEGIN {pem_label}-----…{tail}"
    prefix = _KNOWN_PREFIX.match(normalized) if len(normalized) >= 20 else None
    head = prefix.group(0).decode() if prefix else ""
    return f"{head}…{tail}"


def preview_tail(hint: str) -> bytes:
    """The key's last bytes as its preview kept them, or b"" when it kept none that can be
    trusted (the preview decodes them with replacement: a U+FFFD means they were not text).

    Whatever follows the last "…" is a suffix of the key, even when the key itself holds a "…".
    """
    _, marker, tail = hint.rpartition("…")
    if not marker or "\ufffd" in tail:
        return b""
    return tail.encode()


def pem_label(value: bytes) -> str | None:
    block = PEM_BLOCK.search(value)
    return block.group(1).decode() if block else None
