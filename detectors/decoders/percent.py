"""Percent-encoding (`%2F`, `%2B`, `%40`) in URLs, query strings and form bodies.

The prefilter is the `%XX` escape itself; the token around it (up to whitespace or a quote) is
decoded as a whole so the key keeps its neighbours (`user:KEY@host`) as boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.decoders.base import DecodeOptions
from detectors.decoders.rewrite import rewrite
from detectors.decoders.view import View

_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")
_TOKEN_BREAKS = frozenset(b" \t\r\n\"'`<>")
_TOKEN_TAIL = re.compile(rb"[^ \t\r\n\"'`<>]*")
# How far back from an escape the token's start is looked for.
_MAX_LOOKBACK = 4096


def _byte(found: re.Match[bytes]) -> bytes:
    return bytes([int(found.group(0)[1:], 16)])


class PercentDecoder:
    name = "percent"

    def __init__(self, options: DecodeOptions) -> None:
        self._shortest = options.min_length
        self._longest = options.max_token_bytes

    def views(self, data: bytes) -> Iterator[View]:
        if b"%" not in data:
            return
        covered = 0
        for escape in _ESCAPE.finditer(data):
            if escape.start() < covered:
                continue
            start = _token_start(data, escape.start())
            tail = _TOKEN_TAIL.match(data, escape.start())
            end = tail.end() if tail else escape.end()
            covered = end
            if self._shortest <= end - start <= self._longest:
                decoded, segments = rewrite(data, start, end, _ESCAPE, _byte)
                yield View(decoded, self.name, tuple(segments))


def _token_start(data: bytes, offset: int) -> int:
    limit = max(offset - _MAX_LOOKBACK, 0)
    while offset > limit and data[offset - 1] not in _TOKEN_BREAKS:
        offset -= 1
    return offset
