"""Candidate windows found by one Hyperscan block-mode database (see `detectors.windows`).

Two kinds of patterns share the database:
- a length without tails: `[^left][chars]{L}[^right]`, fixed-length, so the window is known
  from the end offset alone; matched over the data padded with a newline at both ends (a
  newline never continues a token);
- a length with tails: each tail as a literal. Hyperscan is poor at `[chars]{L-4}(?:t1|t2|…)`
  (it must track every run of the alphabet), but finds thousands of literals at hundreds of
  MB/s; the few places a tail occurs are then checked in Python: the window of each length
  ending there must lie in the alphabet and be bounded like the first kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from detectors.byteclass import byte_class
from detectors.hyperscan_db import block_database
from detectors.windows import WindowSpec
from scanner.charsets import Charset


@dataclass(frozen=True, slots=True)
class _TailCheck:
    """A window of `length` ending where a tail was found: in the alphabet and bounded."""

    length: int
    body: re.Pattern[bytes]
    left: frozenset[int]
    right: frozenset[int]

    def window(self, data: bytes, end: int) -> tuple[int, int] | None:
        start = end - self.length
        if (
            start < 0
            or (start and data[start - 1] in self.left)
            or (end < len(data) and data[end] in self.right)
            or self.body.fullmatch(data, start, end) is None
        ):
            return None
        return start, end


class HyperscanWindows:
    def __init__(self, specs: Iterable[WindowSpec]) -> None:
        import hyperscan  # deferred: the hook should not pay for it when unused

        self._lengths: list[int] = []  # of the fixed-length patterns, by pattern id
        expressions: list[bytes] = []
        tails: dict[bytes, list[_TailCheck]] = {}
        for spec in specs:
            body = re.compile(byte_class(spec.charset.chars) + b"*")
            for length in sorted(spec.lengths):
                if length in spec.tails:
                    check = _TailCheck(length, body, *_bounds(spec.charset))
                    for tail in spec.tails[length]:
                        tails.setdefault(tail, []).append(check)
                else:
                    expressions.append(_bounded_expression(spec.charset, length))
                    self._lengths.append(length)
        ordered = sorted(tails)  # a stable order: the cached database is found by its recipe
        self._checks = [tails[tail] for tail in ordered]
        expressions.extend(map(_literal, ordered))
        self._database: Any = block_database(hyperscan, expressions)
        self._scratch: Any = hyperscan.Scratch(self._database)

    def windows(self, data: bytes) -> Iterator[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        tail_ends: list[tuple[int, int]] = []
        lengths, fixed = self._lengths, len(self._lengths)

        def on_match(pattern_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            if pattern_id < fixed:
                # `to` is exclusive in the padded buffer: window ends at to - 2 in `data`.
                end = to - 2
                found.append((end - lengths[pattern_id], end))
            else:
                tail_ends.append((pattern_id - fixed, to))

        # Only the fixed-length patterns need the padding (a newline is in no alphabet).
        pad = 1 if fixed else 0
        scanned = b"\n" + data + b"\n" if pad else data
        self._database.scan(scanned, match_event_handler=on_match, scratch=self._scratch)
        for tail, end in tail_ends:
            for check in self._checks[tail]:
                window = check.window(scanned, end)
                if window is not None:
                    found.append((window[0] - pad, window[1] - pad))
        return iter(found)


def _bounds(charset: Charset) -> tuple[frozenset[int], frozenset[int]]:
    return frozenset(charset.left), frozenset(charset.right)


def _literal(tail: bytes) -> bytes:
    """`\\xHH` for every byte: a tail may hold any character but whitespace and quotes."""
    return ("\\x" + tail.hex(" ").replace(" ", "\\x")).encode()


def _bounded_expression(charset: Charset, length: int) -> bytes:
    left = byte_class(charset.left, negate=True)
    body = byte_class(charset.chars) + b"{%d}" % length
    right = byte_class(charset.right, negate=True)
    return left + body + right
