"""The decoder contract and the options every decoder shares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from detectors.decoders.view import View

# An encoded token longer than this is not decoded: memory stays bounded on a 1 GB line.
MAX_TOKEN_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """`min_length`: decoded text shorter than this cannot hold a key worth finding."""

    min_length: int = 16
    max_token_bytes: int = MAX_TOKEN_BYTES


class Decoder(Protocol):
    """Finds encoded spans in `data` and yields their decoded views; must be cheap when the
    content holds nothing it decodes (each decoder has a prefilter)."""

    name: str

    def views(self, data: bytes) -> Iterator[View]: ...
