"""Base64, standard and URL-safe, with or without padding, on one line or wrapped over lines.

Most base64-looking runs in source code are hashes, UUIDs, random blobs or keys themselves;
decoding each would cost more than matching. The prefilter therefore looks only for runs whose
first five 4-character groups could encode ASCII text: in each group the first character
encodes the top six bits of a byte below 0x80, the second and third characters carry the top
bits of the next two bytes, which must be clear. Hex digests, UUIDs and random blobs almost
never pass (a 40-character hex digest with probability ~10⁻⁵). What passes is decoded and kept
only if it is text, so images and random bytes never reach the detectors.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from typing import Any

from detectors.decoders.base import DecodeOptions
from detectors.decoders.text import is_text
from detectors.decoders.view import Segment, View
from detectors.hyperscan_db import block_database, hyperscan_available

_ALPHABET = rb"A-Za-z0-9+/_\-"
# One group of four characters that decodes to three bytes below 0x80.
_TEXT_GROUP = rb"[A-Za-f][A-HQ-Xg-nw-z0-3][ABEFIJMNQRUVYZcdghklopstwx014589][" + _ALPHABET + rb"]"
_GROUPS = 5
PREFIX_LENGTH = 4 * _GROUPS
_PREFIX_RE = re.compile(rb"(?<![" + _ALPHABET + rb"])(?:" + _TEXT_GROUP + rb"){%d}" % _GROUPS)
_PREFIX_HS = rb"(?:^|[^" + _ALPHABET + rb"])(?:" + _TEXT_GROUP + rb"){%d}" % _GROUPS
_RUN = re.compile(rb"[" + _ALPHABET + rb"]*={0,2}")
# A continuation line holds nothing but base64 (a closing quote may follow the last one).
_NEXT_LINE = re.compile(rb"\r?\n[ \t]*([" + _ALPHABET + rb"]+={0,2})(?=\r?\n|\Z|[\"'])")
# Wrapped base64 (PEM, MIME, YAML block scalars) uses lines of one fixed width.
_MIN_WRAP_WIDTH = 40
_URL_SAFE = str.maketrans("-_", "+/")


class Base64Decoder:
    def __init__(self, options: DecodeOptions, *, accelerate: bool = True) -> None:
        self.name = "base64"
        self._shortest = options.min_length
        self._longest = options.max_token_bytes
        self._prefixes = _HyperscanPrefixes() if accelerate and hyperscan_available() else None

    def views(self, data: bytes) -> Iterator[View]:
        covered = 0
        for start in self._starts(data):
            if start < covered:
                continue
            pieces = _pieces(data, start)
            covered = pieces[-1][1]
            view = self._decode(data, pieces)
            if view is not None:
                yield view

    def _starts(self, data: bytes) -> Iterator[int]:
        if self._prefixes is not None:
            return self._prefixes.starts(data)
        return (found.start() for found in _PREFIX_RE.finditer(data))

    def _decode(self, data: bytes, pieces: list[tuple[int, int]]) -> View | None:
        encoded = b"".join(data[start:end] for start, end in pieces)
        if len(encoded) > self._longest:
            return None
        url_safe = b"-" in encoded or b"_" in encoded
        decoded = _decode(encoded, url_safe=url_safe)
        if decoded is None or len(decoded) < self._shortest or not is_text(decoded):
            return None
        name = "base64url" if url_safe else self.name
        return View(decoded, name, _segments(pieces))


def _pieces(data: bytes, start: int) -> list[tuple[int, int]]:
    """The run at `start` and, if it is a full line of wrapped base64, the lines that follow."""
    run = _RUN.match(data, start)
    end = run.end() if run else start
    pieces = [(start, end)]
    width = end - start
    if width < _MIN_WRAP_WIDTH or width % 4 or data[end - 1 : end] == b"=":
        return pieces
    while following := _NEXT_LINE.match(data, pieces[-1][1]):
        line = following.span(1)
        if line[1] - line[0] > width:
            break
        pieces.append(line)
        if line[1] - line[0] < width or data[line[1] - 1 : line[1]] == b"=":
            break
    return pieces


def _decode(encoded: bytes, *, url_safe: bool) -> bytes | None:
    text = encoded.rstrip(b"=").decode("ascii")
    if url_safe:
        text = text.translate(_URL_SAFE)
    if len(text) % 4 == 1:
        text = text[:-1]
    try:
        return binascii.a2b_base64(text + "=" * (-len(text) % 4), strict_mode=True)
    except binascii.Error:
        return None


def _segments(pieces: list[tuple[int, int]]) -> tuple[Segment, ...]:
    # Each wrapped line maps to where it starts; full lines hold whole 4-character groups.
    segments = []
    encoded = 0
    for start, end in pieces:
        segments.append(Segment(encoded // 4 * 3, start, linear=False))
        encoded += end - start
    return tuple(segments)


class _HyperscanPrefixes:
    """The prefilter as a (cached) Hyperscan database: one callback per candidate run."""

    def __init__(self) -> None:
        import hyperscan

        self._database: Any = block_database(hyperscan, [_PREFIX_HS])
        self._scratch: Any = hyperscan.Scratch(self._database)

    def starts(self, data: bytes) -> Iterator[int]:
        found: list[int] = []

        def on_match(_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            found.append(to - PREFIX_LENGTH)

        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return iter(found)
