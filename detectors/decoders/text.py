"""Is decoded content text? Random bytes and images must not reach the detectors."""

from __future__ import annotations

_TEXT_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
# A few stray control bytes are tolerated (form feeds, escape sequences in logs).
_MAX_CONTROL_SHARE = 0.02


def is_text(data: bytes) -> bool:
    """Printable ASCII or valid UTF-8, with hardly any control bytes."""
    if not data:
        return False
    control = len(data.translate(None, _TEXT_BYTES))
    if control > len(data) * _MAX_CONTROL_SHARE:
        return False
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
