"""Reading zip, tar (plain or compressed) and gzip members within limits.

Every member is read through a bounded read, so a member that lies about its size, or that
expands beyond the ratio a real file has, is refused after reading at most the limit.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from scanner.sniff import archive_kind

if TYPE_CHECKING:
    from detectors.decoders.containers import Limits

# Small members may expand by any ratio (a file of blank lines); bombs are large by design.
_RATIO_ALLOWANCE = 1024 * 1024
_READ_STEP = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # path inside the archive; "" when the container has no names (gzip of a tar)
    data: bytes
    encodings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    name: str
    message: str
    refused: bool  # True: part of the content was not scanned; False: skipped by choice


class Budget:
    """What one file's expansion may still use, shared by all its nested archives."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.members = 0
        self.total = 0

    def allowance(self, compressed: int | None) -> int:
        """How many bytes a member compressed to `compressed` bytes (None: stored as is) may
        expand to."""
        limits = self.limits
        allowed = min(limits.max_member_bytes, limits.max_total_bytes - self.total)
        return allowed if compressed is None else min(allowed, self.by_ratio(compressed))

    def by_ratio(self, compressed: int) -> int:
        return max(compressed * self.limits.max_ratio, _RATIO_ALLOWANCE)


class _Refusal(Exception):
    pass


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def members(kind: str, data: bytes, name: str, budget: Budget) -> Iterator[Member | Problem]:
    # Imported here, not at the top: the pre-commit hook imports this module on every commit
    # and almost never meets an archive; tarfile alone costs ~10 ms to import.
    import tarfile
    import zipfile

    readers = {"zip": _zip_members, "tar": _tar_members, "gzip": _gzip_members}
    try:
        yield from readers[kind](data, name, budget)
    except _Refusal as refusal:
        yield Problem("", str(refusal), refused=True)
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError) as error:
        yield Problem("", f"cannot read {kind} archive: {error}", refused=True)


def _counted(budget: Budget) -> None:
    budget.members += 1
    if budget.members > budget.limits.max_members:
        raise _Refusal(f"more than {budget.limits.max_members} members: the rest not scanned")


def _zip_members(data: bytes, _name: str, budget: Budget) -> Iterator[Member | Problem]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            _counted(budget)
            if info.flag_bits & 0x1:
                yield Problem(info.filename, "encrypted", refused=False)
                continue
            if info.file_size > budget.by_ratio(info.compress_size):
                yield Problem(info.filename, _bomb_message(info.filename, budget), refused=True)
                continue
            if info.file_size > budget.limits.max_member_bytes:
                yield Problem(info.filename, "too large", refused=False)
                continue
            with archive.open(info) as stream:
                content = _bounded(stream, info.filename, info.compress_size, budget)
            yield Member(info.filename, content, ("zip",))


def _tar_members(data: bytes, _name: str, budget: Budget) -> Iterator[Member | Problem]:
    # Only plain tars come here: a tar.gz is a gzip whose content is a tar.
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            if not info.isfile():
                continue
            _counted(budget)
            if info.size > budget.limits.max_member_bytes:
                yield Problem(info.name, "too large", refused=False)
                continue
            stream = archive.extractfile(info)
            if stream is not None:
                yield Member(info.name, _bounded(stream, info.name, None, budget), ("tar",))


def _gzip_members(data: bytes, name: str, budget: Budget) -> Iterator[Member | Problem]:
    content = _gunzip(data, name, budget)
    # A tar.gz is reported as `backup.tar.gz!etc/app.conf`, not `…!backup.tar!etc/…`.
    inner = "" if archive_kind(content) == "tar" else _without_gz(name)
    yield Member(inner, content, ("gzip",))


def _without_gz(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    for suffix, replacement in ((".tgz", ".tar"), (".gz", ""), (".gzip", "")):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    return base or "content"


def _gunzip(data: bytes, name: str, budget: Budget) -> bytes:
    allowance = budget.allowance(len(data))
    pieces: list[bytes] = []
    size = 0
    remaining = data
    while remaining:
        decompressor = zlib.decompressobj(wbits=31)
        pending = remaining
        while pending and not decompressor.eof:
            piece = decompressor.decompress(pending, _READ_STEP)
            pending = decompressor.unconsumed_tail
            size += len(piece)
            if size > allowance:
                raise _Refusal(_bomb_message(name, budget))
            pieces.append(piece)
        # Concatenated gzip members form one stream; trailing zero padding ends it.
        remaining = decompressor.unused_data.lstrip(b"\0")
    budget.total += size
    return b"".join(pieces)


def _bounded(stream: _Readable, name: str, compressed: int | None, budget: Budget) -> bytes:
    allowance = budget.allowance(compressed)
    pieces: list[bytes] = []
    size = 0
    while piece := stream.read(_READ_STEP):
        size += len(piece)
        if size > allowance:
            raise _Refusal(_bomb_message(name, budget))
        pieces.append(piece)
    budget.total += size
    return b"".join(pieces)


def _bomb_message(name: str, budget: Budget) -> str:
    limits = budget.limits
    return (
        f"{name} expands beyond the limits (more than {limits.max_ratio}x its compressed size,"
        f" {limits.max_member_bytes} bytes a member or {limits.max_total_bytes} bytes in all):"
        " refused as a possible archive bomb"
    )
