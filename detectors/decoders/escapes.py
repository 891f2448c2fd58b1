"""JSON and JavaScript string escapes: `\\n`, `\\/`, `\\uXXXX` (with surrogate pairs), `\\xHH`.

A PEM key in a service-account file is one JSON string with `\\n` escapes; once decoded it is an
ordinary PEM block. Only string literals that hold an escape and are long enough are decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.decoders.base import DecodeOptions
from detectors.decoders.rewrite import rewrite
from detectors.decoders.view import View

_STRINGS = (
    re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)+"'),
    re.compile(rb"'[^'\\\n]*(?:\\.[^'\\\n]*)+'"),
)
ESCAPE = re.compile(
    rb"\\u(?:[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|[0-9a-fA-F]{4})"
    rb"|\\x[0-9a-fA-F]{2}|\\(?s:.)"
)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"0": b"\0"}


def unescape(found: re.Match[bytes]) -> bytes:
    escape = found.group(0)
    kind = escape[1:2]
    if kind == b"u":
        units = [int(escape[i : i + 4], 16) for i in range(2, len(escape), 6)]
        code = units[0] if len(units) == 1 else 0x10000 + ((units[0] - 0xD800) << 10)
        code += units[1] - 0xDC00 if len(units) == 2 else 0
        return chr(code).encode("utf-8", "surrogatepass")
    if kind == b"x":
        return chr(int(escape[2:], 16)).encode()
    # `\/`, `\\`, `\"`, `\'` and unknown escapes stand for the character itself.
    return _SIMPLE.get(kind, kind)


class EscapeDecoder:
    name = "json-escape"

    def __init__(self, options: DecodeOptions) -> None:
        # The literal holds its quotes and at least one two-byte escape.
        self._shortest = options.min_length + 3
        self._longest = options.max_token_bytes

    def views(self, data: bytes) -> Iterator[View]:
        if b"\\" not in data:
            return
        for strings in _STRINGS:
            for literal in strings.finditer(data):
                if self._shortest <= literal.end() - literal.start() <= self._longest:
                    decoded, segments = rewrite(
                        data, literal.start() + 1, literal.end() - 1, ESCAPE, unescape
                    )
                    yield View(decoded, self.name, tuple(segments))
