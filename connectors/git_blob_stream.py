"""Whole blobs in the order asked, streamed by one long-lived `git cat-file --batch-command`.

The request list is written from a thread while the answers are read, so git decompresses
ahead of the reader (through a pipe enlarged to 1 MB where Linux allows it). Git buffers its
answers and flushes at the end of each request (`--buffer` and a `flush` command, git 2.36+;
older git is asked with `--batch`) instead of after every blob: three `write` calls a blob
were a third of cat-file's system time (bench/RESULTS-git.md). If git dies on
a corrupt object, that object is reported unreadable with git's reason and a new process
goes on with the rest of the list.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator, Sequence
from typing import IO

from connectors.git_blobs import discard, finish, stopped
from connectors.git_cli import Git, has_batch_command

TOO_LARGE = "too large"
_PIPE_SIZE = 1 << 20
# Blobs are asked for oldest first, and a packed repository stores the newest version whole
# and older ones as deltas on it: git's cache of delta bases (96 MB by default) then decides
# how often a chain is unpacked again. 160 MB cut cat-file's CPU time by 2.4x on the 8,000
# commit benchmark repository (bench/RESULTS-git.md); it is a bound, not an allocation.
# Asked in pack order (connectors.git_pack_run), each base is used right after it is
# unpacked: 16 MB does, and a larger bound only fills up (178 MB, a third more of git's
# time in page faults).
COMMIT_ORDER_CACHE = "160m"
PACK_ORDER_CACHE = "16m"
_Answer = tuple[bytes | None, str]


class BlobStream:
    def __init__(self, git: Git, max_size: int, delta_cache: str = COMMIT_ORDER_CACHE) -> None:
        self._git = git
        self.max_size = max_size
        self._delta_cache = delta_cache
        self._process: subprocess.Popen[bytes] | None = None
        self._buffered = has_batch_command()

    def read(self, oids: Sequence[str]) -> Iterator[tuple[str, bytes | None, str]]:
        """(oid, content or None, why not: TOO_LARGE or git's reason) for each oid, in order."""
        position = 0
        try:
            while position < len(oids):
                process = self._started()
                writer = _write_from_thread(process, _request(oids[position:], self._buffered))
                for oid in oids[position:]:
                    data, why = self._one(process, oid)
                    position += 1
                    yield oid, data, why
                    if self._process is None:
                        break  # git died on this object: a new process reads the rest
                writer.join()
        finally:
            if position < len(oids):
                self.close()  # the reader stopped early: the rest of the answers are unread

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            mode = ("--batch-command", "--buffer") if self._buffered else ("--batch",)
            self._process = self._git.popen(
                ["-c", f"core.deltaBaseCacheLimit={self._delta_cache}", "cat-file", *mode],
                stdin=True,
                pipe_size=_PIPE_SIZE,
            )
        return self._process

    def _one(self, process: subprocess.Popen[bytes], oid: str) -> _Answer:
        assert process.stdout is not None
        header = process.stdout.readline()
        parts = header.split()
        if len(parts) == 2 and parts[1] == b"missing":
            return None, f"object {oid} is missing"
        if len(parts) != 3:
            return None, self._died()
        size = int(parts[2])
        if size > self.max_size:
            discard(process.stdout, size + 1)
            return None, TOO_LARGE
        data = process.stdout.read(size)
        if len(data) != size or process.stdout.read(1) != b"\n":
            return None, self._died()
        return data, ""

    def _died(self) -> str:
        process, self._process = self._process, None
        return stopped(process)

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            finish(self._process)
            self._process = None


def _request(oids: Sequence[str], buffered: bool) -> bytes:
    if buffered:
        return "".join(f"contents {oid}\n" for oid in oids).encode() + b"flush\n"
    return "".join(f"{oid}\n" for oid in oids).encode()


def _write_from_thread(process: subprocess.Popen[bytes], request: bytes) -> threading.Thread:
    """Git answers while the request is still arriving: written from a thread, no deadlock."""
    writer = threading.Thread(target=_write, args=(process.stdin, request), daemon=True)
    writer.start()
    return writer


def _write(stream: IO[bytes], request: bytes) -> None:
    try:
        stream.write(request)
        stream.flush()
    except (OSError, ValueError):
        pass  # git stopped: the reader reports what is missing
