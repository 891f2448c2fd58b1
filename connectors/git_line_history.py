"""History as added lines computed here (`GitScanOptions(strategy="lines")`, the default).

The same chunks as reading git's patches (each commit's message and the lines it adds, a
file git would call binary, a notebook or a split PEM block read whole), at a fraction of
git's cost: `diff-tree --raw` only compares trees (it names, per commit, each changed path's
new blob and the blobs it replaced), one `cat-file` (connectors.git_blob_stream) streams the
new blobs, and the added lines are a multiset difference against the replaced versions
(connectors.git_lines).
Read commit by commit (`chunks`, one process), those versions were usually read a moment
before (the parent's edit of the same file), so a bounded cache of recent blobs answers most
lookups; the others are streamed with the new ones (and, should the cache drop one in
between, read on demand). Read by a parallel reader's run (`run_chunks`), every blob the
run needs is asked for at once, in the order git's packs hold them, and each change is
worked out once its versions are in (connectors.git_pack_run).

Measured by bench/git_history.py (bench/RESULTS-git.md): git's diff computation was most
of a history scan's time, and reading the blobs whole costs git a fraction of it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from connectors.base import Tally
from connectors.git_blob_history import Change, changes, followed, unread
from connectors.git_blob_stream import PACK_ORDER_CACHE, TOO_LARGE, BlobStream
from connectors.git_blobs import BlobReader, BlobTooLarge, BlobUnreadable
from connectors.git_cli import Git, GitError
from connectors.git_commits import SOURCE, Provenance, may_split_pem, read_whole, split_pem
from connectors.git_history import RAW_OPTIONS, CommitRecord
from connectors.git_lines import Span, added_blocks, changed_span
from connectors.git_pack_index import PackOrder
from connectors.git_pack_run import PackOrderedRun
from scanner.model import Chunk

# Blobs asked of `cat-file` in one request: git streams them while they are processed.
_WINDOW = 512
# Recent blobs kept to diff their successors against (most are needed once, soon after).
_CACHE_BYTES = 32 * 1024 * 1024
# Fewer changes in a run are read in commit order: pack order saves git little there, and
# costs a question to git and a sort before the first blob.
_PACK_ORDER_MIN = 1000
# Blobs a run in pack order keeps for changes whose other versions are not read yet.
_HELD_BYTES = 32 * 1024 * 1024
_BINARY_PROBE = 8000  # git calls a blob binary if its first 8,000 bytes hold a NUL

Records = Iterable[tuple[CommitRecord, str | None]]
_Planned = tuple[CommitRecord, str | None, list[Change]]
Lookup = Callable[[str], bytes | None]


class RecentBlobs:
    """The most recently used blobs, up to a byte budget."""

    def __init__(self, budget: int) -> None:
        self._blobs: OrderedDict[str, bytes] = OrderedDict()
        self._budget = budget
        self._size = 0

    def __contains__(self, oid: str) -> bool:
        return oid in self._blobs

    def get(self, oid: str) -> bytes | None:
        data = self._blobs.get(oid)
        if data is not None:
            self._blobs.move_to_end(oid)
        return data

    def put(self, oid: str, data: bytes) -> None:
        if oid in self._blobs or len(data) * 16 > self._budget:
            return
        self._blobs[oid] = data
        self._size += len(data)
        while self._size > self._budget:
            _, dropped = self._blobs.popitem(last=False)
            self._size -= len(dropped)


@dataclass
class LineHistory:
    git: Git
    repo: str
    tally: Tally
    max_size: int
    options: tuple[str, ...] = RAW_OPTIONS

    def __post_init__(self) -> None:
        self._stream = BlobStream(self.git, self.max_size)
        self._reader = BlobReader(self.git, self.max_size)
        self._recent = RecentBlobs(_CACHE_BYTES)
        self._submodules: set[str] = set()
        self._pack_order: PackOrder | None = None
        self._pack_stream = BlobStream(self.git, self.max_size, PACK_ORDER_CACHE)

    def chunks(self, records: Records) -> Iterator[Chunk]:
        yield from self._in_commit_order(self._planned(records))

    def _in_commit_order(self, planned: Iterable[_Planned]) -> Iterator[Chunk]:
        for window in _windows(iter(planned)):
            olds, request = self._request(window)
            blobs = self._stream.read(request)
            fetched = iter(olds)
            for record, ref, wanted in window:
                origin = Provenance(self.repo, record.id, ref, record.author, record.date)
                yield Chunk(record.message, origin.location(None, "commit-message"))
                for change in wanted:
                    for _ in range(next(fetched)):
                        oid, data, _ = next(blobs)
                        if data is not None:
                            self._recent.put(oid, data)
                    _, data, why = next(blobs)
                    yield from self._change(origin, change, data, why, self._recent.get)
                    if data is not None:
                        self._recent.put(change.blob, data)
            for _ in blobs:
                pass  # lets the stream finish its request

    def run_chunks(self, records: Records) -> Iterator[Chunk]:
        """The same chunks as `chunks`, but with git asked for every blob of the run at once,
        in pack order (connectors.git_pack_run): the commit messages first, then each
        change's chunks once its versions are read, not in commit order. For a parallel
        reader's run of batches, which puts what matched back in order. A run of few
        changes is read in commit order, as `chunks` reads (_PACK_ORDER_MIN)."""
        planned = list(self._planned(records))
        if sum(len(wanted) for _, _, wanted in planned) < _PACK_ORDER_MIN:
            yield from self._in_commit_order(planned)
            return
        jobs = []
        for record, ref, wanted in planned:
            origin = Provenance(self.repo, record.id, ref, record.author, record.date)
            yield Chunk(record.message, origin.location(None, "commit-message"))
            jobs += [((origin, change), change.blob, change.previous) for change in wanted]
        run = PackOrderedRun(self._pack_stream, self._packs(), _HELD_BYTES)
        for (origin, change), data, why, held in run.ready(jobs, self._read_again):
            yield from self._change(origin, change, data, why, held.get)

    def _packs(self) -> PackOrder:
        if self._pack_order is None:
            try:
                folder: Path | None = self.git.object_directory()
            except GitError:
                folder = None  # blobs are then asked in commit order
            self._pack_order = PackOrder(folder)
        return self._pack_order

    def _read_again(self, oid: str) -> tuple[bytes | None, str]:
        try:
            return self._reader.read(oid), ""
        except BlobTooLarge:
            return None, TOO_LARGE
        except BlobUnreadable as error:
            return None, str(error)

    def _request(self, window: list[_Planned]) -> tuple[list[int], list[str]]:
        """The window's blobs in the order they are used: before each new version, the
        versions it replaced that neither the cache nor this window holds (the first edit
        of a file in an incremental scan, a branch that forked long ago)."""
        counts: list[int] = []
        request: list[str] = []
        coming: set[str] = set()
        for _, _, wanted in window:
            for change in wanted:
                fetch = [p for p in change.previous if p not in coming and p not in self._recent]
                counts.append(len(fetch))
                request += [*fetch, change.blob]
                coming.update(fetch)
                coming.add(change.blob)
        return counts, request

    def close(self) -> None:
        self._stream.close()
        self._pack_stream.close()
        self._reader.close()

    def _planned(self, records: Records) -> Iterator[_Planned]:
        for record, ref in records:
            yield record, ref, [c for c in changes(record.patch) if self._wanted(c)]

    def _wanted(self, change: Change) -> bool:
        return followed(change, self._submodules, self.tally)

    def _change(
        self, origin: Provenance, change: Change, data: bytes | None, why: str, lookup: Lookup
    ) -> Iterator[Chunk]:
        if data is None:
            self._unread(origin, change, why)
            return
        location = origin.location(change.path)
        span = None
        whole = data.find(b"\0", 0, _BINARY_PROBE) >= 0 or read_whole(change.path)
        if not whole:
            olds = self._previous(origin, change, lookup)
            whole = olds is None  # a replaced version is unreadable: read the new one whole
            if olds is not None:
                span = changed_span(data, olds)
                whole = span is not None and _split_pem(span, data, olds)
        if whole:
            yield Chunk(data, location, blob_id=change.blob)
        elif span is not None:
            blob_id = None if change.previous else change.blob  # a new file, added whole
            yield Chunk(
                span.text, location, blob_id, before=span.before, lines_before=span.lines_before
            )

    def _previous(self, origin: Provenance, change: Change, lookup: Lookup) -> list[bytes] | None:
        """The versions `change` replaced: from `lookup` (blobs read a moment ago), else
        read on their own."""
        olds = []
        for oid in change.previous:
            data = lookup(oid)
            if data is None:
                try:
                    data = self._reader.read(oid)
                except BlobTooLarge:
                    data = b""  # nothing to compare with: every line counts as added
                except BlobUnreadable as error:
                    self.tally.problem(SOURCE, f"{self.repo} commit {origin.commit}", str(error))
                    return None
                self._recent.put(oid, data)
            olds.append(data)
        return olds

    def _unread(self, origin: Provenance, change: Change, why: str) -> None:
        unread(self.tally, change, origin, why, f"{self.repo} commit {origin.commit}")


def _split_pem(span: Span, new: bytes, olds: list[bytes]) -> bool:
    """Whether the span cuts a PEM block (read the file whole then). Without a marker in the
    span nor a BEGIN marker before it, no PEM block can hold its lines: the usual case,
    decided without looking for body lines."""
    if b"-----" not in span.text and new.find(b"-----BEGIN", 0, span.start) < 0:
        return False
    if not may_split_pem(span.text):
        return False
    return split_pem(block.text for block in added_blocks(new, olds))


def _windows(planned: Iterator[_Planned]) -> Iterator[list[_Planned]]:
    """Consecutive commits whose new blobs make one request of about _WINDOW blobs."""
    window: list[_Planned] = []
    size = 0
    for item in planned:
        window.append(item)
        size += len(item[2])
        if size >= _WINDOW:
            yield window
            window, size = [], 0
    if window:
        yield window
