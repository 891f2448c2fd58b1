"""The lines a new version of a file adds to the version(s) it replaced, without git's diff.

What a history scan needs from a diff is only "which lines of the new version are new": no
alignment, no removed lines. That is a multiset difference of lines, which Python computes
at C speed (byte comparisons, sets), after trimming the common head and tail of the two
versions (most commits change a few lines of a long file). A line the new version holds
more often than the old one (a copy of an existing line) counts that many times; which of
the equal copies is called new is not knowable without an alignment, so the last ones are.

For a merge the lines new to *every* parent count (as in git's combined diff).

A history scan reads `changed_span`: the lines between the versions' common head and tail,
whole, with each old version's text in their place; the engine matches the span and keeps
the matches on added lines (scanner.added_lines). Measured on bench/git_history.py's 8,000
commits, cutting every span into its added lines cost more than finding the span, and few
spans hold a match. `added_blocks` gives the runs of added lines, for what needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.git_diff import Block
from scanner.added_lines import added_mask, lines_of

# Bisection stops once the unknown part of a common head or tail is this short and holds
# no line break: only the line it falls in matters, not the byte.
_LINE_SCALE = 96
# Common heads and tails are compared this many bytes at a time before bisecting.
_STEP = 4096


@dataclass(frozen=True, slots=True)
class Span:
    """The changed lines of a new version, whole: `text` starts at byte `start` of the new
    version (`new`) and ends with a newline; `before` holds each old version's text in its
    place (empty if none)."""

    start: int
    text: bytes
    before: tuple[bytes, ...]
    new: bytes = field(repr=False)

    def lines_before(self) -> int:
        """Lines of the new version before the span: counted only when asked (a span that
        matched), as counting them for every span cost ~5% of a history scan's CPU time."""
        return self.new.count(b"\n", 0, self.start)

    @property
    def first(self) -> int:
        return self.lines_before() + 1


def changed_span(new: bytes, olds: Sequence[bytes]) -> Span | None:
    """The lines of `new` between the common head and tail of every old version (all of
    `new` if there is none); None if `new` holds nothing else."""
    if not olds:
        return Span(0, _terminated(new), (), new) if new else None
    start, end = _changed_span(new, olds)
    if start >= end:
        return None
    tail = len(new) - end
    before = tuple(old[start : len(old) - tail] for old in olds)
    return Span(start, _terminated(new[start:end]), before if any(before) else (), new)


def added_blocks(new: bytes, olds: Sequence[bytes]) -> list[Block]:
    """Runs of lines of `new` that no version of `olds` holds, numbered from 1 in `new`."""
    span = changed_span(new, olds)
    if span is None:
        return []
    lines = lines_of(span.text)
    added = added_mask(lines, [lines_of(old) for old in span.before])
    return _blocks(span.first, lines, added)


def _terminated(text: bytes) -> bytes:
    return text if text.endswith(b"\n") else text + b"\n"


def _changed_span(new: bytes, olds: Sequence[bytes]) -> tuple[int, int]:
    """Byte range of `new`, on line boundaries, outside of which every old version agrees."""
    start = min(_head_line(new, old) for old in olds)
    end = max(_tail_line(new, old, start) for old in olds)
    return start, end


def _head_line(new: bytes, old: bytes) -> int:
    """Where the line of `new` holding the first byte that differs from `old` starts."""
    low, high = _first_difference(new, old)
    if low == high:
        return new.rfind(b"\n", 0, high) + 1
    while high - low > 1:  # new[:low] agrees, new[:high] does not
        if high - low <= _LINE_SCALE and new.find(b"\n", low, high) < 0:
            break  # every byte of the range is on one line: which one no longer matters
        middle = (low + high) // 2
        if new[low:middle] == old[low:middle]:
            low = middle
        else:
            high = middle
    return new.rfind(b"\n", 0, low) + 1


def _first_difference(new: bytes, old: bytes) -> tuple[int, int]:
    """(low, high): new[:low] agrees with old, new[:high] does not (equal if all agrees).
    Steps of _STEP bytes (slice comparisons are memcmp; a step costs one Python call)."""
    size = min(len(new), len(old))
    low = 0
    while low < size:
        high = min(low + _STEP, size)
        if new[low:high] != old[low:high]:
            return low, high
        low = high
    return size, size


def _tail_line(new: bytes, old: bytes, floor: int) -> int:
    """Where the common end of `new` and `old` starts, moved on to the next line start: the
    end of the changed lines. The common end does not reach back before `floor`."""
    size, old_size = len(new), len(old)
    low, high = _last_difference(new, old, min(size, old_size) - floor)
    while high - low > 1:  # the last `low` bytes agree, the last `high` do not
        if high - low <= _LINE_SCALE and new.find(b"\n", size - high, size - low - 1) < 0:
            break  # every candidate end is on one line
        middle = (low + high) // 2
        if new[size - middle : size - low] == old[old_size - middle : old_size - low]:
            low = middle
        else:
            high = middle
    end = size - low
    if end > floor and new[end - 1 : end] != b"\n":
        cut = new.find(b"\n", end)  # the tail starts mid-line: that line is not in it
        end = size if cut < 0 else cut + 1
    return end


def _last_difference(new: bytes, old: bytes, limit: int) -> tuple[int, int]:
    """(low, high) in bytes from the end, as _first_difference, at most `limit`."""
    size, old_size = len(new), len(old)
    low = 0
    while low < limit:
        high = min(low + _STEP, limit)
        if new[size - high : size - low] != old[old_size - high : old_size - low]:
            return low, high
        low = high
    return max(limit, 0), max(limit, 0)


def _blocks(first: int, lines: list[bytes], added: list[bool]) -> list[Block]:
    blocks: list[Block] = []
    run_start = -1
    for index, new in enumerate([*added, False]):
        if new and run_start < 0:
            run_start = index
        elif not new and run_start >= 0:
            blocks.append(Block(first + run_start, b"\n".join(lines[run_start:index]) + b"\n"))
            run_start = -1
    return blocks
