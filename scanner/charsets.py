"""Key alphabets, and which neighbouring characters can continue a token of each.

The fingerprint matcher only hashes windows that are bounded on both sides by a character
that cannot continue the token. Which characters those are depends on the key's alphabet: a
hex or alphanumeric key stops at `=`, `:` or `@`; a base64 key may end in `=` padding; a
password made of any printable characters is bounded by whitespace, quotes and the
punctuation that surrounds values in assignments and URLs. Each key is given the smallest
class of this ladder that holds all of its characters.
"""

from __future__ import annotations

from dataclasses import dataclass

_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TOKEN = _ALNUM + b"_-"
_DOTTED = _TOKEN + b"."
_BASE64 = _ALNUM + b"+/="
_WIDE = _ALNUM + b"+/=_.~-"
_QUOTES_AND_SPACE = b" \t\r\n\f\v\"'`"
_PRINTABLE = bytes(b for b in range(0x21, 0x100) if b not in _QUOTES_AND_SPACE)
# Characters that commonly sit just before or just after a value: `KEY=v`, `user:v@host`,
# `"v",`, `(v)`, `?a=v&b`, `v#frag`.
_LEFT_DELIMITERS = b"=:(,[{<>"
_RIGHT_DELIMITERS = b"@,;)]}>&#<"

PEM = "pem"


@dataclass(frozen=True, slots=True)
class Charset:
    """`chars` may form the key; `left`/`right` may continue a token across its edges."""

    name: str
    chars: bytes
    left: bytes
    right: bytes


def _without(chars: bytes, removed: bytes) -> bytes:
    return bytes(b for b in chars if b not in removed)


LADDER: tuple[Charset, ...] = (
    Charset("alnum", _ALNUM, _TOKEN, _TOKEN),
    Charset("token", _TOKEN, _TOKEN, _TOKEN),
    Charset("dotted", _DOTTED, _DOTTED, _DOTTED),
    Charset("base64", _BASE64, _without(_BASE64, b"=") + b"_-", _BASE64 + b"_-"),
    Charset("wide", _WIDE, _without(_WIDE, b"="), _WIDE),
    Charset(
        "printable",
        _PRINTABLE,
        _without(_PRINTABLE, _LEFT_DELIMITERS),
        _without(_PRINTABLE, _RIGHT_DELIMITERS),
    ),
)
BY_NAME = {charset.name: charset for charset in LADDER}


def charset_of(normalized: bytes) -> str:
    """The name of the smallest charset of the ladder that holds every byte of the value."""
    present = set(normalized)
    for charset in LADDER:
        if present <= set(charset.chars):
            return charset.name
    # Whitespace inside a single-line value: only the exhaustive mode can find it.
    return "printable"
