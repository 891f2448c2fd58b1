"""Reading whole blobs with one long-lived `git cat-file --batch-command`.

Used for content a diff cannot show whole (binary files, notebooks, keys split across hunks)
and for objects no ref reaches. The size is asked first, so a huge blob is skipped without
being read (git before 2.36 has no `--batch-command`: there `--batch` sends it and it is
discarded unread).
"""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass, field
from typing import IO

from connectors.git_cli import Git, first_line, has_batch_command


class BlobUnreadable(Exception):
    """The object is missing or corrupt; the message says which and why."""


class BlobTooLarge(Exception):
    pass


@dataclass
class BlobReader:
    git: Git
    max_size: int
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def read(self, oid: str) -> bytes:
        process = self._started()
        commands = has_batch_command()
        header = self._ask(process, f"info {oid}\n" if commands else f"{oid}\n")
        if not header:
            raise BlobUnreadable(self._died())
        parts = header.split()
        if len(parts) < 3:
            raise BlobUnreadable(f"object {oid} is missing")
        size = int(parts[2])
        if size > self.max_size:
            if not commands:
                discard(process.stdout, size + 1)
            raise BlobTooLarge(oid)
        if commands:
            header = self._ask(process, f"contents {oid}\n")
        return self._contents(process, header)

    def _ask(self, process: subprocess.Popen[bytes], request: str) -> bytes:
        """Git's header line in answer to `request`; empty if git stopped."""
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(request.encode())
            process.stdin.flush()
            return process.stdout.readline()
        except OSError:
            return b""

    def _contents(self, process: subprocess.Popen[bytes], header: bytes) -> bytes:
        assert process.stdout is not None
        try:
            size = int(header.split()[2])
            data = process.stdout.read(size + 1)[:-1]
        except (OSError, IndexError, ValueError):
            raise BlobUnreadable(self._died()) from None
        if len(data) != size:
            raise BlobUnreadable(self._died())
        return data

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            mode = "--batch-command" if has_batch_command() else "--batch"
            self._process = self.git.popen(["cat-file", mode], stdin=True)
        return self._process

    def _died(self) -> str:
        """Git stopped (a corrupt object): collect its complaint; the next read restarts it."""
        process, self._process = self._process, None
        return stopped(process)

    def close(self) -> None:
        if self._process is not None:
            finish(self._process)
            self._process = None


def stopped(process: subprocess.Popen[bytes] | None) -> str:
    """Ends a `cat-file` that stopped answering; returns its complaint for the report."""
    if process is None:
        return "git cat-file stopped"
    process.kill()
    stderr = finish(process)
    return first_line(stderr) if stderr else "git cat-file stopped"


def finish(process: subprocess.Popen[bytes]) -> bytes:
    """Close every pipe and reap the process; returns what it said on stderr. A pipe already
    broken by a killed process is no error here."""
    if process.stdin:
        with contextlib.suppress(OSError, ValueError):
            process.stdin.close()
    stderr = b""
    if process.stderr:
        with contextlib.suppress(OSError, ValueError):
            stderr = process.stderr.read()
    for stream in (process.stdout, process.stderr):
        if stream:
            with contextlib.suppress(OSError, ValueError):
                stream.close()
    process.wait()
    return stderr


def discard(stream: IO[bytes] | None, size: int) -> None:
    """Reads past `size` bytes of an answer not wanted (a blob too large to read)."""
    while stream is not None and size > 0:
        block = stream.read(min(size, 1 << 20))
        if not block:
            return
        size -= len(block)
