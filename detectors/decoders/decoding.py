"""Running the decoders, nested to a depth, and mapping what detectors find back to the original.

Views are produced breadth first, so a value revealed by a shorter chain of decoders is
reported with that chain. Matches in a view get the line and column of the original content
(where the encoded token, or for copied stretches the byte itself, starts) and the chain of
encodings outermost first. A value already matched on the same line by a shorter chain (or
undecoded) is not reported again.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from detectors.decoders.base import Decoder
from detectors.decoders.view import View
from detectors.positions import LineIndex
from scanner.model import Match

DEFAULT_DEPTH = 3
# Decoded views of one chunk may add up to this multiple of its size (plus the slack):
# overlapping decoders and nesting can then never multiply memory.
_BUDGET_FACTOR = 2
_BUDGET_SLACK = 1024 * 1024

Find = Callable[[bytes], list[Match]]


@dataclass(frozen=True, slots=True)
class DecodedView:
    data: bytes
    chain: tuple[View, ...]  # outermost first

    @property
    def encodings(self) -> tuple[str, ...]:
        return tuple(view.encoding for view in self.chain)

    def to_original(self, offset: int) -> int:
        for view in reversed(self.chain):
            offset = view.to_parent(offset)
        return offset


class Decoding:
    def __init__(self, decoders: list[Decoder], *, depth: int = DEFAULT_DEPTH) -> None:
        self._decoders = decoders
        self._depth = depth

    def views(self, data: bytes) -> Iterator[DecodedView]:
        budget = len(data) * _BUDGET_FACTOR + _BUDGET_SLACK
        level = [DecodedView(data, ())]
        for _ in range(self._depth):
            deeper: list[DecodedView] = []
            for parent in level:
                for decoder in self._decoders:
                    for view in decoder.views(parent.data):
                        budget -= len(view.data)
                        if budget < 0:
                            return
                        child = DecodedView(view.data, (*parent.chain, view))
                        deeper.append(child)
                        yield child
            level = deeper

    def with_decoded(
        self, data: bytes, first_line: int, find: Find, found: list[Match]
    ) -> list[Match]:
        """`found` (the matches in `data` as it is) with the matches in its decoded views.

        A rule match on an encoded token that a decoder saw through (a `token: <base64>`
        assignment) is the same copy as what the decoded view revealed: it is dropped, so
        one pasted key is not also reported as an unmanaged secret in its encoded form.
        """
        revealed = self.matches(data, first_line, find, found)
        starts = sorted(match.start for match in revealed)
        kept = [match for match in found if match.rule_id is None or not _holds(starts, match)]
        return kept + revealed

    def matches(self, data: bytes, first_line: int, find: Find, found: list[Match]) -> list[Match]:
        """Matches of `find` in every decoded view of `data` not already in `found`."""
        lines = LineIndex(data, first_line)
        seen = {(match.fingerprints, match.line) for match in found}
        revealed: list[Match] = []
        for view in self.views(data):
            for match in find(view.data):
                mapped = _mapped(match, view, lines)
                if (mapped.fingerprints, mapped.line) not in seen:
                    seen.add((mapped.fingerprints, mapped.line))
                    revealed.append(mapped)
        return revealed


def _holds(starts: list[int], match: Match) -> bool:
    index = bisect.bisect_left(starts, match.start)
    return index < len(starts) and starts[index] < match.end


def _mapped(match: Match, view: DecodedView, lines: LineIndex) -> Match:
    start = view.to_original(match.start)
    end = max(view.to_original(match.end - 1) + 1, start + 1)
    line, column = lines.position(start)
    return replace(
        match,
        start=start,
        end=end,
        line=line,
        column=column,
        encodings=view.encodings + match.encodings,
    )
