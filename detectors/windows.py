"""Finding candidate windows: spans of exactly an inventory key's length, in its alphabet.

Three finders, one contract (`windows(data)` yields `(start, end)` byte offsets):
- `RegexWindows`: pure Python. Finds runs of the alphabet with `re`, then the bounded
  windows inside each run.
- `HyperscanWindows` (`detectors.windows_hyperscan`): the same windows found by one compiled
  Hyperscan database; identical output, several times faster.
- `ExhaustiveWindows`: every window of a key length inside a run of the alphabet, bounded or
  not, for incident work where a key may be glued to other text.

A window of a length whose keys all have a known tail (their last characters, kept in their
previews) is a candidate only if it ends with one of those tails: in text full of hex, UUIDs
and base64 of exactly the keys' lengths, this keeps all but a few of the windows from being
hashed. Every finder applies the same rule, so they report the same windows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from detectors.byteclass import byte_class
from scanner.charsets import Charset


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """The key lengths to look for in one alphabet, and for some of them the tails every key
    of that length ends with (all of one size). A length without tails takes every window."""

    charset: Charset
    lengths: frozenset[int]
    tails: Mapping[int, frozenset[bytes]] = field(default_factory=dict)


class WindowFinder(Protocol):
    def windows(self, data: bytes) -> Iterator[tuple[int, int]]: ...


class _RunScanner:
    """Maximal runs of one alphabet that are long enough to hold the shortest key."""

    def __init__(self, spec: WindowSpec) -> None:
        self.spec = spec
        shortest = min(spec.lengths)
        self.pattern = re.compile(byte_class(spec.charset.chars) + b"{%d,}" % shortest)
        self.sorted_lengths = sorted(spec.lengths)
        # All tails of one length have one size (`window_specs`): the slice to look up.
        self.tail_sizes = {length: len(next(iter(found))) for length, found in spec.tails.items()}
        # Bytes of the alphabet that cannot continue a token: windows may also begin after
        # (or end before) one of these inside a run. None when the alphabet has none.
        self.inner_left = _inner_breaks(spec.charset.chars, spec.charset.left)
        self.inner_right = _inner_breaks(spec.charset.chars, spec.charset.right)
        # Fast path: with no break bytes inside the alphabet, the regex engine can do the
        # bounding itself and Python sees only runs of a plausible length.
        self.whole_runs: re.Pattern[bytes] | None = None
        if self.inner_left is None and self.inner_right is None:
            charset = spec.charset
            self.whole_runs = re.compile(
                b"(?<!"
                + byte_class(charset.left)
                + b")"
                + byte_class(charset.chars)
                + b"{%d,%d}" % (shortest, max(spec.lengths))
                + b"(?!"
                + byte_class(charset.right)
                + b")"
            )

    def runs(self, data: bytes) -> Iterator[tuple[int, int]]:
        for run in self.pattern.finditer(data):
            yield run.span()

    def narrowed(
        self, data: bytes, windows: Iterator[tuple[int, int]]
    ) -> Iterator[tuple[int, int]]:
        """The windows that end with one of their length's tails, when it has tails."""
        tails, sizes = self.spec.tails, self.tail_sizes
        if not tails:
            yield from windows
            return
        for start, end in windows:
            wanted = tails.get(end - start)
            if wanted is None or data[end - sizes[end - start] : end] in wanted:
                yield start, end


def _inner_breaks(chars: bytes, continuing: bytes) -> re.Pattern[bytes] | None:
    breaks = bytes(b for b in chars if b not in continuing)
    return re.compile(byte_class(breaks)) if breaks else None


class RegexWindows:
    def __init__(self, specs: Iterable[WindowSpec]) -> None:
        self._scanners = [_RunScanner(spec) for spec in specs]

    def windows(self, data: bytes) -> Iterator[tuple[int, int]]:
        for scanner in self._scanners:
            yield from scanner.narrowed(data, _bounded(data, scanner))


def _bounded(data: bytes, scanner: _RunScanner) -> Iterator[tuple[int, int]]:
    if scanner.whole_runs is not None:
        yield from _whole_runs(data, scanner.whole_runs, scanner.spec.lengths)
        return
    for run_start, run_end in scanner.runs(data):
        yield from _bounded_in_run(data, run_start, run_end, scanner)


def _whole_runs(
    data: bytes, pattern: re.Pattern[bytes], lengths: frozenset[int]
) -> Iterator[tuple[int, int]]:
    """For alphabets where every byte continues a token, windows are whole bounded runs."""
    for run in pattern.finditer(data):
        if run.end() - run.start() in lengths:
            yield run.span()


def _bounded_in_run(
    data: bytes, run_start: int, run_end: int, scanner: _RunScanner
) -> Iterator[tuple[int, int]]:
    charset = scanner.spec.charset
    starts = _edges(data, run_start, run_end, charset.left, scanner.inner_left, leading=True)
    ends = set(_edges(data, run_start, run_end, charset.right, scanner.inner_right, leading=False))
    for start in starts:
        for length in scanner.sorted_lengths:
            if start + length > run_end:
                break
            if start + length in ends:
                yield start, start + length


def _edges(
    data: bytes,
    run_start: int,
    run_end: int,
    continuing: bytes,
    inner: re.Pattern[bytes] | None,
    *,
    leading: bool,
) -> list[int]:
    """Offsets in the run where a token may begin (leading) or end: next to a byte that
    cannot continue it, outside the run or, for alphabets that have such bytes, inside it."""
    edges: list[int] = []
    outside = run_start - 1 if leading else run_end
    if outside < 0 or outside >= len(data) or data[outside] not in continuing:
        edges.append(run_start if leading else run_end)
    if inner is not None:
        shift = 1 if leading else 0
        edges.extend(m.start() + shift for m in inner.finditer(data, run_start, run_end))
    return edges


class ExhaustiveWindows:
    def __init__(self, specs: Iterable[WindowSpec]) -> None:
        self._scanners = [_RunScanner(spec) for spec in specs]

    def windows(self, data: bytes) -> Iterator[tuple[int, int]]:
        for scanner in self._scanners:
            yield from scanner.narrowed(data, _every_window(scanner, data))


def _every_window(scanner: _RunScanner, data: bytes) -> Iterator[tuple[int, int]]:
    for run_start, run_end in scanner.runs(data):
        for length in scanner.sorted_lengths:
            for start in range(run_start, run_end - length + 1):
                yield start, start + length
