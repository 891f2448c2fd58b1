"""The lines a new version of a file adds to the version(s) it replaced, without git's diff.

What a history scan needs from a diff is only "which lines of the new version are new": no
alignment, no removed lines. That is a multiset difference of lines, which Python computes
at C speed (byte comparisons, sets), after trimming the common head and tail of the two
versions (most commits change a few lines of a long file). A line the new version holds
more often than the old one (a copy of an existing line) counts that many times; which of
the equal copies is called new is not knowable without an alignment, so the last ones are.

For a merge the lines new to *every* parent count (as in git's combined diff).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from connectors.git_diff import Block


def added_blocks(new: bytes, olds: Sequence[bytes]) -> list[Block]:
    """Runs of lines of `new` that no version of `olds` holds, numbered from 1 in `new`."""
    if not new:
        return []
    if not olds:
        return [Block(1, new if new.endswith(b"\n") else new + b"\n")]
    start, end = _changed_span(new, olds)
    if start >= end:
        return []
    lines = _lines(new[start:end])
    added = _added_mask(lines, [_lines(_region(old, start, len(new) - end)) for old in olds])
    return _blocks(lines, added, new.count(b"\n", 0, start) + 1)


def _changed_span(new: bytes, olds: Sequence[bytes]) -> tuple[int, int]:
    """Byte range of `new`, on line boundaries, outside of which every old version agrees."""
    head = min(_common_prefix(new, old) for old in olds)
    start = new.rfind(b"\n", 0, head) + 1
    tail = min(_common_suffix(new, old, start) for old in olds)
    end = len(new) - tail
    if end > start and new[end - 1 : end] != b"\n":
        cut = new.find(b"\n", end)  # the tail starts mid-line: that line is not in it
        end = len(new) if cut < 0 else cut + 1
    return start, end


def _region(old: bytes, start: int, tail: int) -> bytes:
    return old[start : len(old) - tail]


def _lines(text: bytes) -> list[bytes]:
    lines = text.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the empty rest after the last newline is not a line
    return lines


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common start, by bisection over slice comparisons (memcmp, no loop
    over bytes)."""
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while high - low > 1:  # a[:low] agrees, a[:high] does not
        middle = (low + high) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle
    return low


def _common_suffix(a: bytes, b: bytes, floor: int) -> int:
    """Length of the common end, not reaching back before `floor` in either."""
    low, high = 0, min(len(a), len(b)) - floor
    if high <= 0:
        return 0
    if a[len(a) - high :] == b[len(b) - high :]:
        return high
    while high - low > 1:  # the last `low` bytes agree, the last `high` do not
        middle = (low + high) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle
    return low


def _added_mask(lines: list[bytes], old_lines: list[list[bytes]]) -> list[bool]:
    known = set().union(*old_lines)
    added = [line not in known for line in lines]
    if len(set(lines)) < len(lines):
        _mark_surplus_copies(lines, old_lines, added)
    return added


def _mark_surplus_copies(lines: list[bytes], olds: list[list[bytes]], added: list[bool]) -> None:
    """A line held more often than by any old version: its last extra copies are new."""
    counts = Counter(lines)
    for line, count in counts.items():
        if count < 2:
            continue
        before = max(old.count(line) for old in olds)
        surplus = count - before
        if before == 0 or surplus <= 0:
            continue
        for index in range(len(lines) - 1, -1, -1):
            if lines[index] == line:
                added[index] = True
                surplus -= 1
                if not surplus:
                    break


def _blocks(lines: list[bytes], added: list[bool], first: int) -> list[Block]:
    blocks: list[Block] = []
    if not any(added):
        return blocks
    run_start = -1
    for index, new in enumerate(added):
        if new and run_start < 0:
            run_start = index
        elif not new and run_start >= 0:
            blocks.append(_block(lines, run_start, index, first))
            run_start = -1
    if run_start >= 0:
        blocks.append(_block(lines, run_start, len(lines), first))
    return blocks


def _block(lines: list[bytes], start: int, end: int, first: int) -> Block:
    return Block(first + start, b"\n".join(lines[start:end]) + b"\n")
