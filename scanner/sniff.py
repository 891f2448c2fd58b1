"""What a piece of content is, from its first bytes: text, UTF-16 text, an archive or binary.

Connectors skip binary content with it (as git decides: a NUL byte in the first 8000 bytes)
but keep UTF-16 text and archives, which the engine unpacks (`scanner.unpack`).
"""

from __future__ import annotations

SNIFF_BYTES = 8000
TEXT = "text"
BINARY = "binary"
# Without a byte-order mark, UTF-16 text is recognised by NULs in at least this share of
# the bytes at one parity and almost none at the other (`t\0e\0x\0t\0` in LE).
_MIN_NUL_SHARE = 0.7
_MAX_OTHER_NUL_SHARE = 0.05


def archive_kind(data: bytes) -> str | None:
    """ "zip", "gzip" or "tar" (uncompressed; a tar.gz is a gzip), from magic bytes."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[257:262] == b"ustar":
        return "tar"
    return None


def utf16_kind(data: bytes) -> str | None:
    """ "utf-16le"/"utf-16be" if `data` looks like UTF-16 text, else None."""
    if data[:2] == b"\xff\xfe" and data[2:4] != b"\0\0":  # not the UTF-32 LE mark
        return "utf-16le"
    if data[:2] == b"\xfe\xff":
        return "utf-16be"
    sample = data[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(sample) < 4 or b"\0" not in sample:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd >= _MIN_NUL_SHARE and even <= _MAX_OTHER_NUL_SHARE:
        return "utf-16le"
    if even >= _MIN_NUL_SHARE and odd <= _MAX_OTHER_NUL_SHARE:
        return "utf-16be"
    return None


def content_kind(data: bytes) -> str:
    """TEXT, BINARY, an archive kind or a UTF-16 kind."""
    archive = archive_kind(data)
    if archive is not None:
        return archive
    if b"\0" not in data[:SNIFF_BYTES]:
        return TEXT
    return utf16_kind(data) or BINARY


def needs_expanding(data: bytes) -> bool:
    """False for text and unrecognised binary, which decoding archives and UTF-16 would
    return unchanged (`detectors.decoders.containers.expand`)."""
    return content_kind(data) not in (TEXT, BINARY)
