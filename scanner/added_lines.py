"""Which lines of a text are new against the text(s) it replaced: a multiset difference.

A line the new text holds more often than the old one (a copy of an existing line) counts
that many times; which of the equal copies is called new is not knowable without an
alignment, so the last ones are. Against several old texts (a merge's parents) a line is
new only if it is new to every one of them, as in git's combined diff.

Used twice: by the git history reader to cut a file's added lines, and by the engine to keep
only the matches on added lines of a chunk that carries the text it replaced
(`Chunk.before`): matching the changed span whole and checking the few matches is cheaper
than cutting every span into its added lines (bench/git_history.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from scanner.model import Match


def lines_of(text: bytes) -> list[bytes]:
    lines = text.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the empty rest after the last newline is not a line
    return lines


def added_mask(lines: list[bytes], olds: Sequence[list[bytes]]) -> list[bool]:
    """For each line of `lines`, whether it is new to every one of `olds`."""
    known = set(olds[0]).union(*olds[1:]) if olds else set()
    added = [line not in known for line in lines]
    if len(set(lines)) < len(lines):  # some line is there more than once
        _mark_surplus_copies(lines, olds, added, known)
    return added


def _mark_surplus_copies(
    lines: list[bytes], olds: Sequence[list[bytes]], added: list[bool], known: set[bytes]
) -> None:
    """A line held more often than by any old text: its last extra copies are new. (A line
    no old text holds is new in every copy already.)"""
    repeated = [
        (line, count) for line, count in Counter(lines).items() if count > 1 and line in known
    ]
    if not repeated:
        return
    old_counts = [Counter(old) for old in olds]
    for line, count in repeated:
        surplus = count - max(counts[line] for counts in old_counts)
        for index in range(len(lines) - 1, -1, -1):
            if surplus <= 0:
                break
            if lines[index] == line:
                added[index] = True
                surplus -= 1


def on_added_lines(data: bytes, before: Sequence[bytes], matches: list[Match]) -> list[Match]:
    """The matches that touch a line of `data` that `before` does not hold (as often)."""
    added = added_mask(lines_of(data), [lines_of(old) for old in before])
    kept = []
    for match in matches:
        first = data.count(b"\n", 0, match.start)
        last = first + data.count(b"\n", match.start, max(match.start, match.end - 1))
        if any(added[first : last + 1]):
            kept.append(match)
    return kept
