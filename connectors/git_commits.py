"""Turning commits into Chunks: what each commit added, attributed to that commit.

A commit's chunks are its message and, per file, the lines its patch adds (line numbers of
the new version; nearby added lines share a chunk, separated by blank lines so numbering
holds). A file added whole carries its blob id, so the same content added again elsewhere
is matched once. What a patch cannot show whole is read as the whole new blob: files git
treats as binary (UTF-16 text, archives), notebooks (their JSON must be decoded whole) and
a PEM block whose lines fall in more than one hunk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from connectors.base import Tally
from connectors.filesystem import printable_path
from connectors.git_blobs import BlobReader, BlobTooLarge, BlobUnreadable
from connectors.git_diff import FilePatch, parse_patch
from scanner.model import Chunk, Location

SOURCE = "git"
# Added lines further apart than this start a new chunk instead of being padded.
_MAX_GAP = 200
_WHOLE_SUFFIXES = (".ipynb",)


@dataclass(frozen=True, slots=True)
class Provenance:
    """What every chunk of one commit shares."""

    repo: str | None
    commit: str | None
    ref: str | None
    author: str | None
    date: str | None
    source: str = SOURCE

    def location(self, path: str | None, field_name: str | None = None) -> Location:
        return Location(
            source=self.source,
            repo=self.repo,
            ref=self.ref,
            commit=self.commit,
            path=path,
            field=field_name,
            author=self.author,
            date=self.date,
        )


@dataclass
class CommitChunker:
    blobs: BlobReader
    tally: Tally
    _submodules: set[str] = field(default_factory=set)

    def chunks(self, origin: Provenance, message: bytes, patch: bytes) -> Iterator[Chunk]:
        yield Chunk(message, origin.location(None, "commit-message"))
        for file in parse_patch(patch):
            yield from self._file(origin, file)

    def patch_chunks(self, origin: Provenance, patch: bytes) -> Iterator[Chunk]:
        for file in parse_patch(patch):
            yield from self._file(origin, file)

    def _file(self, origin: Provenance, file: FilePatch) -> Iterator[Chunk]:
        path = printable_path(os.fsdecode(file.path))
        if file.submodule:
            if path not in self._submodules:
                self._submodules.add(path)
                self.tally.notes.append(f"submodule {path} recorded, not followed")
            return
        if file.deleted or file.new_blob is None:
            return
        location = origin.location(path)
        if _needs_whole_blob(file, path):
            yield from self._whole(file.new_blob, location, path)
        elif file.added:
            yield from _added_chunks(file, location)

    def _whole(self, oid: str, location: Location, path: str) -> Iterator[Chunk]:
        try:
            data = self.blobs.read(oid)
        except BlobTooLarge:
            self.tally.skip("too large")
            self.tally.notes.append(f"skipped {path} at {location.commit}: larger than limit")
            return
        except BlobUnreadable as error:
            self.tally.problem(location.source, f"{path} at {location.commit}", str(error))
            return
        yield Chunk(data, location, blob_id=oid)


def _needs_whole_blob(file: FilePatch, path: str) -> bool:
    if file.binary or path.endswith(_WHOLE_SUFFIXES):
        return True
    return _split_pem(file)


def _split_pem(file: FilePatch) -> bool:
    """A PEM block begun or ended in this patch that no single run of added lines holds whole."""
    balance = 0
    previous = -1
    for number, text in file.added:
        if number != previous + 1 and balance:
            return True
        balance += (b"-----BEGIN" in text) - (b"-----END" in text)
        previous = number
    return balance != 0


def _added_chunks(file: FilePatch, location: Location) -> Iterator[Chunk]:
    lines = file.added
    start = 0
    for index in range(1, len(lines) + 1):
        if index == len(lines) or lines[index][0] - lines[index - 1][0] > _MAX_GAP:
            whole = file.new_file and start == 0 and index == len(lines)
            yield _padded(lines[start:index], location, file.new_blob if whole else None)
            start = index


def _padded(lines: list[tuple[int, bytes]], location: Location, blob_id: str | None) -> Chunk:
    parts: list[bytes] = []
    first = lines[0][0]
    expected = first
    for number, text in lines:
        parts.extend([b""] * (number - expected))
        parts.append(text)
        expected = number + 1
    data = b"\n".join(parts) + b"\n"
    # A new file's added lines are its whole blob: sharing the blob id means the same
    # content added again elsewhere (a copy, a cherry-pick) is matched once.
    return Chunk(data, location, blob_id=blob_id, first_line=first)
