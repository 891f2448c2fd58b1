"""A run of changes whose blobs git streams in pack order; each change handed on once its
new version and the versions it replaced are all in.

Git reads a pack's blobs cheapest in the pack's own order (connectors.git_pack_index), and
there a file's versions sit side by side (bench/git_history.py's 8,000 commits: a change's
new and replaced blobs are a median of 1 apart, 3 at the 90th percentile). So a blob is
kept only until the changes that use it are handed on; the few kept long (a version whose
neighbour sits far away) are bounded by a byte budget, and one dropped is read again when
its change is ready.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from connectors.git_blob_stream import BlobStream
from connectors.git_pack_index import PackOrder

Job = TypeVar("Job")
# (content or None, why not) for a blob read on its own.
ReadAgain = Callable[[str], tuple[bytes | None, str]]


@dataclass(eq=False)
class _Waiting(Generic[Job]):
    job: Job
    blob: str
    blobs: tuple[str, ...]  # the new version first, then each replaced one, each once
    missing: int = field(init=False)

    def __post_init__(self) -> None:
        self.missing = len(self.blobs)


class _Held:
    """Blobs read and still needed, up to a byte budget: past it, the longest kept go."""

    def __init__(self, budget: int) -> None:
        self.blobs: dict[str, bytes] = {}
        self._budget = budget
        self._size = 0
        self.dropped: set[str] = set()

    def keep(self, oid: str, data: bytes) -> None:
        self.blobs[oid] = data
        self._size += len(data)
        while self._size > self._budget and len(self.blobs) > 1:
            gone = next(iter(self.blobs))  # kept the longest: its partner is far away
            self._size -= len(self.blobs.pop(gone))
            self.dropped.add(gone)

    def release(self, oid: str) -> None:
        data = self.blobs.pop(oid, None)
        if data is not None:
            self._size -= len(data)
        self.dropped.discard(oid)


class PackOrderedRun:
    """Hands on jobs (a change each) in the order git's packs let it read their blobs."""

    def __init__(self, stream: BlobStream, order: PackOrder, budget: int) -> None:
        self._stream = stream
        self._order = order
        self._budget = budget

    def ready(
        self, jobs: Sequence[tuple[Job, str, tuple[str, ...]]], read_again: ReadAgain
    ) -> Iterator[tuple[Job, bytes | None, str, Mapping[str, bytes]]]:
        """For each (job, new blob, replaced blobs), once all of them are read: the job, the
        new blob's content (None if unreadable or too large) and why not, and the blobs
        still held (a replaced one absent there is to be read on its own). The held blobs
        are this generator's own: valid until the next job is asked for, not after."""
        waiting, users = _waiting_for(jobs)
        held = _Held(self._budget)
        failed: dict[str, str] = {}
        for oid, data, why in self._stream.read(self._order.sorted(waiting)):
            if data is None:
                failed[oid] = why
            else:
                held.keep(oid, data)
            for entry in waiting.pop(oid, []):
                entry.missing -= 1
                if entry.missing:
                    continue
                data, why = self._new_version(entry.blob, held, failed, read_again)
                yield entry.job, data, why, held.blobs
                for used in entry.blobs:
                    users[used] -= 1
                    if not users[used]:
                        held.release(used)
                        failed.pop(used, None)

    @staticmethod
    def _new_version(
        oid: str, held: _Held, failed: dict[str, str], read_again: ReadAgain
    ) -> tuple[bytes | None, str]:
        if oid in failed:
            return None, failed[oid]
        if oid in held.dropped:
            return read_again(oid)
        return held.blobs[oid], ""


def _waiting_for(
    jobs: Sequence[tuple[Job, str, tuple[str, ...]]],
) -> tuple[dict[str, list[_Waiting[Job]]], Counter[str]]:
    """The jobs waiting for each blob, and how many jobs use it (kept until they are done)."""
    waiting: dict[str, list[_Waiting[Job]]] = {}
    users: Counter[str] = Counter()
    for job, blob, previous in jobs:
        entry = _Waiting(job, blob, tuple(dict.fromkeys((blob, *previous))))
        for oid in entry.blobs:
            waiting.setdefault(oid, []).append(entry)
            users[oid] += 1
    return waiting, users
