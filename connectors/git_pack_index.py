"""Where git's packs store each object: the order in which `cat-file` reads blobs cheapest.

A pack stores most versions of a file as deltas on a neighbouring version, in chains up to
50 deep, and a delta always comes after its base (an offset delta points backwards). Asked
in the pack's own order, `cat-file` finds each base it needs just unpacked, one delta step
a blob; asked in commit order (oldest first), it rebuilds chains from their far end and its
cache of delta bases decides how often. Measured on bench/git_history.py's 8,000 commits
(bench/RESULTS-git.md): each history reader's blobs cost git 0.21 s and 186 MB asked in
commit order with a 160 MB cache, 0.08 s and 28 MB in pack order with a 16 MB one.

The order comes from the packs' `.idx` files (version 2: a fan-out table, the sorted object
names, then each object's offset), read through `mmap` and searched in place. Objects in no
pack here (loose objects, alternates, an index of another version) sort last, as given.
"""

from __future__ import annotations

import contextlib
import mmap
import struct
from collections.abc import Iterable
from pathlib import Path

_MAGIC = b"\377tOc"
_HEADER = 8
_FANOUT = 256 * 4
_LARGE_OFFSET = 0x80000000
_FIND_SPAN = 64  # names searched by one `find` once halving has narrowed the range
_ID_LENGTHS = (40, 64)  # hexadecimal SHA-1 and SHA-256 object ids
_MAX_PACKS = 64  # past this many packs (never repacked), blobs are asked in commit order


class PackIndex:
    """One pack's `.idx` (version 2): the offset of each object the pack holds."""

    def __init__(self, data: mmap.mmap | bytes, name_size: int) -> None:
        self._data = data
        self._size = name_size
        # Where each first byte's names end: fanout[b] names start with a byte below b + 1.
        self._fanout = (0, *struct.unpack(">256I", data[_HEADER : _HEADER + _FANOUT]))
        self.count = self._fanout[256]
        self._names = _HEADER + _FANOUT
        self._offsets = self._names + self.count * (name_size + 4)  # names, then CRC32s
        self._large = self._offsets + self.count * 4

    @classmethod
    def open(cls, path: Path, name_size: int) -> PackIndex | None:
        """The index at `path`, or None if it is unreadable or not version 2 for this hash."""
        try:
            with path.open("rb") as file:
                data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        if data[:8] != _MAGIC + (2).to_bytes(4, "big") or len(data) < _HEADER + _FANOUT:
            data.close()
            return None
        index = cls(data, name_size)
        minimum = index._large + 2 * name_size  # offsets, then the pack's and the index's hash
        if len(data) < minimum or (len(data) - minimum) % 8:
            data.close()
            return None
        return index

    def offset(self, name: bytes) -> int | None:
        """Where the object named `name` (raw bytes) starts in the pack; None if not here."""
        position = self._position(name) if len(name) == self._size else None
        if position is None:
            return None
        start = self._offsets + 4 * position
        offset = int.from_bytes(self._data[start : start + 4], "big")
        if offset & _LARGE_OFFSET:  # packs over 2 GB: an index into 8-byte offsets
            start = self._large + 8 * (offset & ~_LARGE_OFFSET)
            if start + 8 > len(self._data) - 2 * self._size:
                return None  # past the table: a damaged index
            offset = int.from_bytes(self._data[start : start + 8], "big")
        return offset

    def _position(self, name: bytes) -> int | None:
        """The name's position among the sorted names: halving the fan-out's range down to
        a few dozen names, then one `find` over them (a Python step per halving, not per
        name: this runs for every blob a history reader asks for)."""
        low, high = self._fanout[name[0]], self._fanout[name[0] + 1]
        size, names, data = self._size, self._names, self._data
        end = high
        while high - low > _FIND_SPAN:
            middle = (low + high) // 2
            start = names + middle * size
            if data[start : start + size] < name:
                low = middle + 1
            else:
                high = middle  # names from `high` on sort at or after `name`
        span = data[names + low * size : names + min(high + 1, end) * size]
        found = span.find(name)
        while found >= 0 and found % size:  # a match across two names' bytes
            found = span.find(name, found + 1)
        return None if found < 0 else low + found // size

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()


class PackOrder:
    """Sorts object ids into the order the repository's packs hold them."""

    def __init__(self, object_directory: Path | None) -> None:
        self._directory = object_directory  # None: no packs known, every id sorts last
        self._indexes: list[PackIndex] | None = None
        self._name_size = 0
        self._last = 0  # the rank of the pack that held the last id looked up

    def sorted(self, oids: Iterable[str]) -> list[str]:
        """`oids` in pack order: by pack, then offset; the ones no pack holds last, as given."""
        oids = list(oids)
        size = next((len(oid) for oid in oids if len(oid) in _ID_LENGTHS), 0)
        if not size:
            return oids  # no object id git would give: nothing to look up
        indexes = self._opened(size // 2)
        if len(indexes) > _MAX_PACKS:
            return oids  # an id may be looked up in each: sorting would cost more than it saves
        return sorted(oids, key=lambda oid: self._place(indexes, oid))

    def _place(self, indexes: list[PackIndex], oid: str) -> tuple[int, int]:
        try:
            name = bytes.fromhex(oid)
        except ValueError:
            return len(indexes), 0
        # The pack that held the last id first: a run's blobs mostly sit in one pack, and a
        # repository fetched into often without a repack has dozens.
        for rank in (self._last, *range(len(indexes))):
            offset = indexes[rank].offset(name) if rank < len(indexes) else None
            if offset is not None:
                self._last = rank
                return rank, offset
        return len(indexes), 0

    def _opened(self, name_size: int) -> list[PackIndex]:
        if self._indexes is None or self._name_size != name_size:
            self.close()
            folder = self._directory / "pack" if self._directory else None
            paths = sorted(folder.glob("*.idx")) if folder else []
            opened = (PackIndex.open(path, name_size) for path in paths)
            self._indexes = [index for index in opened if index is not None]
            self._name_size = name_size
        return self._indexes

    def close(self) -> None:
        for index in self._indexes or []:
            with contextlib.suppress(BufferError):
                index.close()
        self._indexes = None
