"""The candidate windows to look for, from the fingerprints' lengths, alphabets and tails.

A length is narrowed to its keys' tails only when every key of that alphabet and length has
a usable one: at least three characters (two would match almost anywhere), all of the
alphabet. Otherwise its windows are all candidates, as without previews. Tails of one length
are cut to the shortest among them, so a window's last bytes are looked up with one slice.
"""

from __future__ import annotations

from collections.abc import Iterable

from detectors.windows import WindowSpec
from scanner.charsets import BY_NAME

MIN_TAIL = 3

Group = tuple[str, int]  # (alphabet name, length)
_ALPHABETS = {name: frozenset(charset.chars) for name, charset in BY_NAME.items()}


def window_specs(fingerprints: Iterable[tuple[str, int, bytes]]) -> list[WindowSpec]:
    """Specs for (alphabet name, length, tail) triples; a tail may be b"" (unknown)."""
    lengths: dict[str, set[int]] = {}
    tails: dict[Group, set[bytes]] = {}
    unnarrowed: set[Group] = set()
    for name, length, tail in fingerprints:
        lengths.setdefault(name, set()).add(length)
        if MIN_TAIL <= len(tail) <= length and _ALPHABETS[name].issuperset(tail):
            tails.setdefault((name, length), set()).add(tail)
        else:
            unnarrowed.add((name, length))
    for group in unnarrowed:
        tails.pop(group, None)
    return [
        WindowSpec(BY_NAME[name], frozenset(found), _narrowing(name, found, tails))
        for name, found in lengths.items()
    ]


def _narrowing(
    name: str, lengths: set[int], tails: dict[Group, set[bytes]]
) -> dict[int, frozenset[bytes]]:
    narrowing: dict[int, frozenset[bytes]] = {}
    for length in lengths:
        found = tails.get((name, length))
        if found:
            size = min(map(len, found))
            narrowing[length] = frozenset(tail[-size:] for tail in found)
    return narrowing
