"""Jupyter notebooks: a cell's source and an output's text are JSON arrays of line strings.

Joining the decoded strings of each array gives the cell as the author saw it, so a key split
over several lines (a PEM block) is found; offsets map back to each string in the `.ipynb`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.decoders.base import DecodeOptions
from detectors.decoders.escapes import ESCAPE, unescape
from detectors.decoders.rewrite import rewrite
from detectors.decoders.view import Segment, View

_STRING = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_ARRAY = re.compile(rb"\[\s*" + _STRING + rb"(?:\s*,\s*" + _STRING + rb")+\s*\]")
_ELEMENT = re.compile(_STRING)
# Every notebook holds this key (nbformat 3 and 4); one search keeps other files cheap.
MARKER = b'"nbformat"'


class NotebookDecoder:
    name = "notebook"

    def __init__(self, options: DecodeOptions) -> None:
        self._shortest = options.min_length
        self._longest = options.max_token_bytes

    def views(self, data: bytes) -> Iterator[View]:
        if MARKER not in data:
            return
        for array in _ARRAY.finditer(data):
            if self._shortest <= array.end() - array.start() <= self._longest:
                yield self._joined(data, array.start(), array.end())

    def _joined(self, data: bytes, start: int, end: int) -> View:
        pieces: list[bytes] = []
        segments: list[Segment] = []
        size = 0
        for element in _ELEMENT.finditer(data, start, end):
            decoded, inner = rewrite(data, element.start() + 1, element.end() - 1, ESCAPE, unescape)
            segments.extend(Segment(s.decoded + size, s.original, s.linear) for s in inner)
            pieces.append(decoded)
            size += len(decoded)
        return View(b"".join(pieces), self.name, tuple(segments))
