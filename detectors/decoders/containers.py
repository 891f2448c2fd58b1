"""File-level decoding: archives and UTF-16, before content is judged binary.

`expand(data, name)` is what every connector's content goes through (the engine calls it):
text comes back unchanged; UTF-16 comes back as UTF-8; a zip, tar, tar.gz or gzip comes back
as its members (`!path/inside`, nested archives too). Other binary content is the caller's to
judge (connectors skip binary files, git reads binary blobs raw); inside an archive it is
skipped. Limits
on depth, member count, member size, total expanded size and compression ratio make a zip
bomb a refusal with a clear message, and keep memory bounded by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from detectors.decoders import archives
from detectors.decoders.utf16 import to_utf8
from scanner.sniff import BINARY, TEXT, archive_kind, content_kind


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 3  # archives inside archives
    max_members: int = 10_000  # per file given to `expand`, nested members included
    max_member_bytes: int = 50 * 1024 * 1024  # a larger member is skipped
    max_total_bytes: int = 256 * 1024 * 1024  # expanded from one file, all members together
    max_ratio: int = 200  # expanded size / compressed size of a member


@dataclass(frozen=True, slots=True)
class Piece:
    """Content to scan: `suffix` is `""` for the file itself, else `!member[!member…]`."""

    suffix: str
    data: bytes
    encodings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    suffix: str
    reason: str  # "binary", "too large", "encrypted"


@dataclass(frozen=True, slots=True)
class Refused:
    """Part of the content was not scanned (a bomb, a broken archive): a Problem."""

    suffix: str
    message: str


Item = Piece | Skipped | Refused


def expand(data: bytes, name: str, limits: Limits | None = None) -> Iterator[Item]:
    budget = archives.Budget(limits or Limits())
    yield from _expand(data, name, "", (), budget, depth=0)


def _expand(
    data: bytes,
    name: str,
    suffix: str,
    encodings: tuple[str, ...],
    budget: archives.Budget,
    *,
    depth: int,
) -> Iterator[Item]:
    kind = archive_kind(data)
    if kind is not None:
        if depth >= budget.limits.max_depth:
            deepest = budget.limits.max_depth
            yield Refused(suffix, f"archive nested deeper than {deepest} levels: not opened")
            return
        for member in archives.members(kind, data, name, budget):
            if isinstance(member, archives.Member):
                inner = suffix + "!" + member.name if member.name else suffix
                chain = (*encodings, *member.encodings)
                yield from _expand(member.data, member.name, inner, chain, budget, depth=depth + 1)
            else:
                yield _relocated(member, suffix)
        return
    kind = content_kind(data)
    if kind == BINARY:
        yield Skipped(suffix, "binary") if depth else Piece(suffix, data, encodings)
    elif kind == TEXT:
        yield Piece(suffix, data, encodings)
    else:
        yield Piece(suffix, to_utf8(data, kind), (*encodings, kind))


def _relocated(item: archives.Problem, suffix: str) -> Item:
    inner = suffix + ("!" + item.name if item.name else "")
    if item.refused:
        return Refused(inner, item.message)
    return Skipped(inner, item.message)
