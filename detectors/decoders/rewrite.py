"""Rewriting the escapes in a span and keeping track of where each decoded byte came from."""

from __future__ import annotations

import re
from collections.abc import Callable

from detectors.decoders.view import Segment


def rewrite(
    data: bytes,
    start: int,
    end: int,
    escape: re.Pattern[bytes],
    replace: Callable[[re.Match[bytes]], bytes],
) -> tuple[bytes, list[Segment]]:
    """`data[start:end]` with each `escape` match replaced; literal stretches map linearly."""
    pieces: list[bytes] = []
    segments: list[Segment] = []
    size = 0
    position = start
    for found in escape.finditer(data, start, end):
        if found.start() > position:
            segments.append(Segment(size, position, linear=True))
            pieces.append(data[position : found.start()])
            size += found.start() - position
        replacement = replace(found)
        segments.append(Segment(size, found.start(), linear=False))
        pieces.append(replacement)
        size += len(replacement)
        position = found.end()
    if position < end:
        segments.append(Segment(size, position, linear=True))
        pieces.append(data[position:end])
    return b"".join(pieces), segments
