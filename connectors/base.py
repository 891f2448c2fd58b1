"""The connector contract: a source of Chunks, reporting what it could not read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from scanner.model import Chunk, Problem

# Larger files and blobs are skipped with a note, never read: memory stays bounded.
DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024


def printable_path(path: str) -> str:
    """File names are bytes on POSIX; undecodable ones are shown with U+FFFD, never crash."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(slots=True)
class Tally:
    """What a source skipped and what went wrong, collected while its chunks are read."""

    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def problem(self, source: str, where: str, message: str) -> None:
        self.problems.append(Problem(source, where, message))

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1


class Connector(Protocol):
    """One source of content. `chunks` yields content and records problems in the tally."""

    def chunks(self, tally: Tally) -> Iterator[Chunk]: ...
