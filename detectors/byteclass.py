"""Rendering byte sets as regular-expression classes for `re` and Hyperscan alike."""

from __future__ import annotations


def byte_class(chars: bytes, *, negate: bool = False) -> bytes:
    """`[...]` (or `[^...]`) matching exactly the given bytes, as compact `\\xHH` ranges."""
    ranges: list[tuple[int, int]] = []
    for byte in sorted(set(chars)):
        if ranges and ranges[-1][1] == byte - 1:
            ranges[-1] = (ranges[-1][0], byte)
        else:
            ranges.append((byte, byte))
    body = b"".join(
        b"\\x%02x" % low if low == high else b"\\x%02x-\\x%02x" % (low, high)
        for low, high in ranges
    )
    return b"[^" + body + b"]" if negate else b"[" + body + b"]"
