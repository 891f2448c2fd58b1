"""Folders, single files and standard input.

Folders are walked recursively without following symbolic links (loops, and content that
belongs elsewhere); `.git` folders are the git connector's business. Content is read as
bytes, so invalid UTF-8 never stops a file. Binary files are skipped by content (a NUL byte
in the first 8 KiB, as git decides), not by name, except UTF-16 text and archives (zip, tar,
gzip), which the engine unpacks (`scanner.unpack`). Files larger than `max_file_size` are skipped
with a note and never read, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from connectors.base import DEFAULT_MAX_FILE_SIZE, Tally, printable_path
from scanner.model import Chunk, Location
from scanner.sniff import BINARY, content_kind

_SKIPPED_FOLDERS = frozenset({".git"})


@dataclass(frozen=True, slots=True)
class FilesystemConnector:
    """A file or a folder given on the command line; paths are reported relative to it."""

    root: Path
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    source: str = "file"

    def chunks(self, tally: Tally) -> Iterator[Chunk]:
        if self.root.is_dir():
            for path in self._walk(tally):
                yield from self._read(
                    path, printable_path(path.relative_to(self.root).as_posix()), tally
                )
        else:
            yield from self._read(self.root, printable_path(self.root.as_posix()), tally)

    def _walk(self, tally: Tally) -> Iterator[Path]:
        def on_error(error: OSError) -> None:
            tally.problem(
                self.source,
                printable_path(str(error.filename)),
                f"cannot list folder: {error.strerror}",
            )

        for folder, subfolders, files in os.walk(self.root, onerror=on_error):
            subfolders[:] = sorted(name for name in subfolders if name not in _SKIPPED_FOLDERS)
            for name in sorted(files):
                path = Path(folder, name)
                if path.is_symlink():
                    tally.skip("symlink")
                    continue
                yield path

    def _read(self, path: Path, shown: str, tally: Tally) -> Iterator[Chunk]:
        try:
            if path.stat().st_size > self.max_file_size:
                tally.skip("too large")
                tally.notes.append(f"skipped {shown}: larger than {self.max_file_size} bytes")
                return
            data = path.read_bytes()
        except OSError as error:
            tally.problem(self.source, shown, f"cannot read: {error.strerror}")
            return
        if content_kind(data) == BINARY:  # UTF-16 text and archives are unpacked by the engine
            tally.skip("binary")
            return
        # The folder given is the "repository" of a folder scan: two folders that both hold a
        # config.env are two places, not one.
        root = printable_path(self.root.as_posix()) if self.root.is_dir() else None
        yield Chunk(data, Location(source=self.source, path=shown, repo=root))


@dataclass(frozen=True, slots=True)
class StdinConnector:
    stream: BinaryIO | None = None

    def chunks(self, tally: Tally) -> Iterator[Chunk]:
        stream = self.stream or sys.stdin.buffer
        yield Chunk(stream.read(), Location(source="stdin"))
