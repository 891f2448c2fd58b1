"""The connector contract: a source of Chunks, reporting what it could not read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from scanner.model import Chunk, Matched, Problem

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
    # Items each rule ran out of time on (the engine reports them as problems).
    timeouts: Counter[str] = field(default_factory=Counter)

    def problem(self, source: str, where: str, message: str) -> None:
        self.problems.append(Problem(source, where, message))

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1


# The engine's matching (unpacking, repeats, detectors) as a function a connector can run in
# the processes it reads with: chunks in, each with its matches out.
MatchStage = Callable[[Iterator[Chunk], Tally], Iterator[Matched]]


class Connector(Protocol):
    """One source of content. `chunks` yields content and records problems in the tally;
    a connector given a MatchStage (`MatchesWhereRead`) may yield some of it matched."""

    def chunks(self, tally: Tally) -> Iterator[Chunk | Matched]: ...


@runtime_checkable
class MatchesWhereRead(Protocol):
    """A connector that reads in worker processes and can match there too: sending matches
    back costs less than sending the content to be matched elsewhere."""

    def matching(self, stage: MatchStage) -> Connector: ...
