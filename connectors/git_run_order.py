"""What a run of batches matched, put back in commit order and cut into its batches.

A parallel reader matches a run's chunks in the order git reads their blobs (pack order,
connectors.git_pack_run); the scan passes results on batch by batch, each in the order a
serial scan has them: commit by commit (parents first), and within a commit its message,
then its paths in git's order (sorted; an archive's members after the archive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from scanner.model import Chunk, Location, Matched

Packed = list[Matched]


class RunOrder:
    def __init__(self, batches: Sequence[tuple[int, Sequence[str]]]) -> None:
        """`batches`: each batch of the run, as (its index, its commits in order)."""
        self._batches = [index for index, _ in batches]
        self._places = {
            commit: (index, position)
            for index, commits in batches
            for position, commit in enumerate(commits)
        }

    def packed(self, items: Iterable[Matched], source: str) -> list[tuple[int, Packed]]:
        """Each batch of the run with the items that matched something, in order and without
        their data, and one item counting the others (as a serial scan counts them)."""
        matched: dict[int, list[tuple[tuple[int, str], Matched]]] = {}
        counts = {index: [0, 0] for index in self._batches}
        for item in items:
            chunk = item.chunk
            if chunk.context:
                continue  # matched only for the items after it: never counted nor reported
            batch, place = self._place(chunk.location)
            if item.matches:
                kept = Matched(replace(chunk, data=b"", before=()), item.matches, item.size)
                matched.setdefault(batch, []).append((place, kept))
            else:
                counts[batch][0] += 1
                counts[batch][1] += item.size
        return [
            (index, _batch(matched.get(index, []), counts[index], source))
            for index in self._batches
        ]

    def _place(self, location: Location) -> tuple[int, tuple[int, str]]:
        index, position = self._places.get(location.commit or "", (self._batches[0], 0))
        return index, (position, location.path or "")


def _batch(matched: list[tuple[tuple[int, str], Matched]], count: list[int], source: str) -> Packed:
    matched.sort(key=lambda pair: pair[0])  # stable: an item's pieces keep their order
    packed = [item for _, item in matched]
    if count[0]:
        packed.append(Matched(Chunk(b"", Location(source)), [], count[1], chunks=count[0]))
    return packed
