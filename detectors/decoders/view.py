"""A decoded view of part of a chunk, and how to map its offsets back to the original."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    """From `decoded` on, the view corresponds to the parent from `original` on.

    A linear segment was copied byte for byte (offsets advance together); a non-linear one
    (a base64 group, an escape) maps every offset inside it to where it starts.
    """

    decoded: int
    original: int
    linear: bool


@dataclass(frozen=True, slots=True)
class View:
    """What one decoder made of a span of its parent's content."""

    data: bytes
    encoding: str
    segments: tuple[Segment, ...]

    def to_parent(self, offset: int) -> int:
        starts = [segment.decoded for segment in self.segments]
        segment = self.segments[max(bisect.bisect_right(starts, offset) - 1, 0)]
        if segment.linear:
            return segment.original + offset - segment.decoded
        return segment.original


def whole(data: bytes, encoding: str, original: int) -> View:
    """A view that maps entirely to one place in its parent (where the encoded token starts)."""
    return View(data, encoding, (Segment(0, original, linear=False),))
