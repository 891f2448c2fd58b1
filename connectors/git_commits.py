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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from connectors.base import Tally, printable_path
from connectors.git_blobs import BlobReader, BlobTooLarge, BlobUnreadable
from connectors.git_diff import Block, FilePatch, parse_patch
from scanner.model import Chunk, Location

SOURCE = "git"
# Added lines further apart than this start a new chunk instead of being padded.
_MAX_GAP = 200
_WHOLE_SUFFIXES = (".ipynb",)
_PEM_BODY_LINE = re.compile(rb"^[A-Za-z0-9+/]{40,}={0,2}\r?$", re.MULTILINE)


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
        yield from self.patch_chunks(origin, patch)

    def patch_chunks(self, origin: Provenance, patch: bytes) -> Iterator[Chunk]:
        for file in parse_patch(patch):
            yield from self._file(origin, file)

    def _file(self, origin: Provenance, file: FilePatch) -> Iterator[Chunk]:
        path = printable_path(os.fsdecode(file.path))
        if file.submodule:
            note_submodule(path, self._submodules, self.tally)
            return
        if file.deleted or file.new_blob is None:
            return
        location = origin.location(path)
        if needs_whole_blob(file, path):
            yield from self._whole(file.new_blob, location, path)
        elif file.added:
            yield from added_chunks(file, location)

    def _whole(self, oid: str, location: Location, path: str) -> Iterator[Chunk]:
        try:
            data = self.blobs.read(oid)
        except BlobTooLarge:
            skip_too_large(self.tally, path, location.commit)
            return
        except BlobUnreadable as error:
            self.tally.problem(location.source, f"{path} at {location.commit}", str(error))
            return
        yield Chunk(data, location, blob_id=oid)


def note_submodule(path: str, seen: set[str], tally: Tally) -> None:
    """A submodule is recorded, not followed: noted the first time (`seen`) it is met."""
    if path not in seen:
        seen.add(path)
        tally.notes.append(f"submodule {path} recorded, not followed")


def skip_too_large(tally: Tally, path: str, commit: str | None) -> None:
    tally.skip("too large")
    tally.notes.append(f"skipped {path} at {commit}: larger than limit")


def needs_whole_blob(file: FilePatch, path: str) -> bool:
    if file.binary or read_whole(path):
        return True
    return split_pem(block.text for block in file.added)


def read_whole(path: str) -> bool:
    """A file whose content must be decoded whole (a notebook's JSON)."""
    return path.endswith(_WHOLE_SUFFIXES)


def split_pem(texts: Iterable[bytes]) -> bool:
    """Part of a PEM block that no single block of added lines holds whole: a marker without
    its partner, or body lines alone (a key rotated in place keeps its BEGIN/END lines)."""
    for text in texts:
        begins = text.count(b"-----BEGIN")
        if begins != text.count(b"-----END"):
            return True
        if not begins and _PEM_BODY_LINE.search(text):
            return True
    return False


def may_split_pem(text: bytes) -> bool:
    """False if no block of `text` can be part of a PEM block (no marker, no body line):
    a cheap test before cutting the added lines into blocks for `split_pem`."""
    return b"-----" in text or _PEM_BODY_LINE.search(text) is not None


def added_chunks(file: FilePatch, location: Location) -> Iterator[Chunk]:
    """One chunk per run of nearby blocks, gaps filled with empty lines so numbering holds."""
    blocks = file.added
    start = 0
    for index in range(1, len(blocks) + 1):
        if index == len(blocks) or blocks[index].first - _end(blocks[index - 1]) > _MAX_GAP:
            whole = file.new_file and start == 0 and index == len(blocks)
            yield _padded(blocks[start:index], location, file.new_blob if whole else None)
            start = index


def _end(block: Block) -> int:
    return block.first + block.text.count(b"\n")


def _padded(blocks: list[Block], location: Location, blob_id: str | None) -> Chunk:
    if len(blocks) == 1:
        data = blocks[0].text
    else:
        parts: list[bytes] = []
        expected = blocks[0].first
        for block in blocks:
            parts.append(b"\n" * (block.first - expected))
            parts.append(block.text)
            expected = _end(block)
        data = b"".join(parts)
    # A new file's added lines are its whole blob: sharing the blob id means the same
    # content added again elsewhere (a copy, a cherry-pick) is matched once.
    return Chunk(data, location, blob_id=blob_id, first_line=blocks[0].first)
