"""Byte offsets to 1-based line and column numbers, computed only when something matched."""

from __future__ import annotations

import bisect
import re

_NEWLINE = re.compile(rb"\n")
# Up to this many lookups, counting newlines in C beats building the index of every newline.
_COUNT_DIRECTLY = 4


class LineIndex:
    """Maps offsets in `data` to (line, column); built lazily on the first lookup."""

    def __init__(self, data: bytes, first_line: int = 1) -> None:
        self._data = data
        self._first_line = first_line
        self._newlines: list[int] | None = None
        self._lookups = 0
        # (line start, offset, column) of the last lookup: on a long line (a 1 GB minified
        # file) each column is counted from the previous one, not from the line start.
        self._last = (-1, 0, 1)

    def position(self, offset: int) -> tuple[int, int]:
        self._lookups += 1
        if self._newlines is None and self._lookups <= _COUNT_DIRECTLY:
            line_index = self._data.count(b"\n", 0, offset)
            line_start = self._data.rfind(b"\n", 0, offset) + 1
        else:
            if self._newlines is None:
                self._newlines = [m.start() for m in _NEWLINE.finditer(self._data)]
            line_index = bisect.bisect_left(self._newlines, offset)
            line_start = self._newlines[line_index - 1] + 1 if line_index else 0
        return self._first_line + line_index, self._column(line_start, offset)

    def _column(self, line_start: int, offset: int) -> int:
        # Columns count characters, not bytes, so a UTF-8 line before the key stays exact.
        last_start, last_offset, last_column = self._last
        if last_start == line_start and last_offset <= offset:
            start, column = last_offset, last_column
        else:
            start, column = line_start, 1
        column += len(self._data[start:offset].decode("utf-8", "replace"))
        self._last = (line_start, offset, column)
        return column
