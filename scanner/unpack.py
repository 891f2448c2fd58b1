"""Archives and UTF-16 files become the text chunks the detectors read; binary is dropped.

Every connector's chunks pass through here before matching, so a zip in a folder, a UTF-16
blob in git history or a gzip attachment are read the same way. Members are reported as
`archive.zip!path/inside`; what was refused (an archive bomb, a broken archive) is a Problem,
so the scan is marked incomplete rather than silently clean.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from connectors.base import Tally
from scanner.model import Chunk, Matched
from scanner.sniff import needs_expanding

if TYPE_CHECKING:
    from detectors.decoders.containers import Limits

# What an expanded blob turned into, so a blob seen again in another commit is not unpacked
# again: (suffix, encodings) of each piece; its matches are reused by blob id.
_Expansion = list[tuple[str, tuple[str, ...]]]


class Unpacker:
    def __init__(self, tally: Tally, limits: Limits | None = None) -> None:
        self._tally = tally
        self._limits = limits
        self._expanded: dict[str, _Expansion] = {}

    def chunks(self, chunks: Iterable[Chunk | Matched]) -> Iterator[Chunk | Matched]:
        for chunk in chunks:
            if isinstance(chunk, Matched):
                yield chunk  # unpacked and matched where it was read
            # A blob seen again may come without its data (git history sends each blob once).
            elif chunk.blob_id is not None and chunk.blob_id in self._expanded:
                yield from self._seen_again(chunk, self._expanded[chunk.blob_id])
            elif not needs_expanding(chunk.data):
                yield chunk
            else:
                yield from self._expand(chunk)

    def _expand(self, chunk: Chunk) -> Iterator[Chunk]:
        # deferred: most content is plain text, and the hook should not load archive readers
        from detectors.decoders.containers import Piece, Refused, expand

        path = chunk.location.path or chunk.location.source
        pieces: _Expansion = []
        for item in expand(chunk.data, path, self._limits):
            if isinstance(item, Piece):
                pieces.append((item.suffix, item.encodings))
                yield _piece(chunk, item.suffix, item.encodings, item.data)
            elif isinstance(item, Refused):
                self._tally.problem(chunk.location.source, path + item.suffix, item.message)
            else:
                self._tally.skip(item.reason)
                if item.reason != "binary":
                    self._tally.notes.append(f"skipped {path}{item.suffix}: {item.reason}")
        if chunk.blob_id is not None:
            self._expanded[chunk.blob_id] = pieces

    def _seen_again(self, chunk: Chunk, pieces: _Expansion) -> Iterator[Chunk]:
        for suffix, encodings in pieces:
            yield _piece(chunk, suffix, encodings, b"")


def _piece(chunk: Chunk, suffix: str, encodings: tuple[str, ...], data: bytes) -> Chunk:
    if not suffix:
        # What the chunk replaced is raw text, not comparable with the decoded data: every
        # match in it counts (an old copy reported again rather than a new one hidden).
        return replace(chunk, data=data, encodings=encodings, before=())
    path = (chunk.location.path or chunk.location.source) + suffix
    return Chunk(
        data,
        replace(chunk.location, path=path),
        blob_id=chunk.blob_id + suffix if chunk.blob_id else None,
        encodings=encodings,
    )
