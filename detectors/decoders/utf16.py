"""UTF-16 text (Windows tools, PowerShell, .reg exports), with or without a byte-order mark.

Such a file is full of NUL bytes, so it would be skipped as binary. It is recognised by its
mark or, without one, by NULs in every other byte of mostly-ASCII text (`scanner.sniff`), and
re-encoded as UTF-8 text: lines and columns (characters) are the same as in the original.
"""

from __future__ import annotations


def to_utf8(data: bytes, encoding: str) -> bytes:
    codec = "utf-16-le" if encoding == "utf-16le" else "utf-16-be"
    body = data[2:] if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
    return body[: len(body) - len(body) % 2].decode(codec, "replace").encode("utf-8")
