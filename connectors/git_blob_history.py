"""History as blobs (`GitScanOptions(strategy="blobs")`): each commit's new file versions,
read whole, each distinct blob once.

The alternative to reading patches. Measured by bench/git_history.py on an idle machine
(8,000 commits, 368 MB of unique blobs, one core): blobs 9.6 s, patches 5.9 s, because the
matcher then works through 368 MB instead of 14 MB of added lines; so patches are the
default, and this stays for content where whole blobs pay (see bench/RESULTS-git.md).
`diff-tree --raw` (a tree comparison, no content diff) names, per
commit, the paths whose blob changed, with the blobs they replaced; `cat-file`
streams the new blobs. A value is attributed to the commit whose new version holds it more
often than the versions it replaced (`Chunk.previous`, applied by the engine), so a key kept
through 1,000 edits is one copy, introduced once. Whole blobs also cover what a patch cannot
show whole: binary files, notebooks, keys split across hunks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from connectors.base import Tally, printable_path
from connectors.git_blob_stream import TOO_LARGE, BlobStream
from connectors.git_cli import Git
from connectors.git_commits import SOURCE, Provenance, note_submodule, skip_too_large
from connectors.git_diff import SUBMODULE_MODE
from connectors.git_history import RAW_OPTIONS, CommitRecord
from scanner.model import Chunk

_ZERO = "0" * 40
_RAW = re.compile(rb":+((?:\d{6} )+)((?:[0-9a-f]{40} )+)([A-Z]+)\0([^\0]*)\0")


@dataclass(frozen=True, slots=True)
class Change:
    """One path whose blob a commit changed (or added), and the blobs it replaced."""

    path: str
    blob: str
    previous: tuple[str, ...]
    submodule: bool


def changes(raw: bytes) -> Iterator[Change]:
    """Entries of `diff-tree -r -c --raw -z` (merges list only paths new to every parent)."""
    for entry in _RAW.finditer(raw):
        modes = entry.group(1).split()
        ids = entry.group(2).decode("ascii").split()
        if ids[-1] == _ZERO:
            continue  # deleted
        previous = tuple(blob for blob in ids[:-1] if blob != _ZERO)
        path = printable_path(entry.group(4).decode("utf-8", "surrogateescape"))
        yield Change(path, ids[-1], previous, modes[-1] == SUBMODULE_MODE)


@dataclass
class BlobHistory:
    """Chunks of the commits' messages and new blobs; `seen` is every blob already sent."""

    git: Git
    repo: str
    tally: Tally
    max_size: int
    options: tuple[str, ...] = RAW_OPTIONS

    def __post_init__(self) -> None:
        self.seen: set[str] = set()
        self._submodules: set[str] = set()
        self._failed: set[str] = set()
        self._blobs = BlobStream(self.git, self.max_size)

    def chunks(self, records: Iterable[tuple[CommitRecord, str | None]]) -> Iterator[Chunk]:
        for record, ref in records:
            yield from self._commit(record, ref)

    def _commit(self, record: CommitRecord, ref: str | None) -> Iterator[Chunk]:
        origin = Provenance(self.repo, record.id, ref, record.author, record.date)
        yield Chunk(record.message, origin.location(None, "commit-message"))
        wanted = [change for change in changes(record.patch) if self._wanted(change)]
        # Versions replaced before the scanned range (an incremental scan) are matched as
        # context, so what they held is not reported as introduced.
        context = sorted({b for c in wanted for b in c.previous if b not in self.seen})
        for oid, data, _ in list(self._blobs.read(context)):
            self.seen.add(oid)
            if data is not None:
                yield Chunk(data, origin.location(None), blob_id=oid, context=True)
        yield from self._new_blobs(origin, wanted)

    def close(self) -> None:
        self._blobs.close()

    def _wanted(self, change: Change) -> bool:
        return followed(change, self._submodules, self.tally)

    def _new_blobs(self, origin: Provenance, wanted: list[Change]) -> Iterator[Chunk]:
        """Blobs streamed in order; one already sent goes as a repeat (the engine reuses its
        matches), so each distinct blob is read and matched once."""
        fresh = list(dict.fromkeys(c.blob for c in wanted if c.blob not in self.seen))
        stream = self._blobs.read(fresh)
        for change in wanted:
            location = origin.location(change.path)
            if change.blob not in self.seen:
                _, data, why = next(stream)
                self.seen.add(change.blob)
                if data is None:
                    self._failed.add(change.blob)
                    self._unread(change, origin, why)
                    continue
                yield Chunk(data, location, blob_id=change.blob, previous=change.previous)
            elif change.blob not in self._failed:
                yield Chunk(b"", location, blob_id=change.blob, previous=change.previous)
        for _ in stream:
            pass

    def _unread(self, change: Change, origin: Provenance, why: str) -> None:
        unread(self.tally, change, origin, why, f"{change.path} at {origin.commit}")


def followed(change: Change, submodules: set[str], tally: Tally) -> bool:
    """Whether a change is read: a submodule is noted once (in `submodules`), not followed."""
    if change.submodule:
        note_submodule(change.path, submodules, tally)
    return not change.submodule


def unread(tally: Tally, change: Change, origin: Provenance, why: str, where: str) -> None:
    """A new version not read: too large (a skip and a note), else a problem at `where`."""
    if why == TOO_LARGE:
        skip_too_large(tally, change.path, origin.commit)
    else:
        tally.problem(SOURCE, where, why)
