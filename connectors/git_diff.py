"""Reading git's patch output (`diff-tree -p -U0 --full-index`, also `--cc` for merges).

Only what a commit adds matters: a copy of a key is introduced by the commit whose diff adds
the line. Each file section yields a FilePatch with its added lines and line numbers in the
new version, the new blob id (for content a diff cannot show whole), and whether git treated
the file as binary or as a submodule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_HUNK = re.compile(rb"^(@{2,}) .*?\+(\d+)(?:,(\d+))? @{2,}")
_ZERO_ID = re.compile(rb"^0+$")
_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): 34,
    ord("\\"): 92,
}
SUBMODULE_MODE = b"160000"


@dataclass(slots=True)
class FilePatch:
    path: bytes
    new_blob: str | None = None
    binary: bool = False
    submodule: bool = False
    deleted: bool = False
    new_file: bool = False
    added: list[tuple[int, bytes]] = field(default_factory=list)


def unquote(name: bytes) -> bytes:
    """Undo git's C-style quoting of a path ("a\\303\\244.txt" → bytes of "aä.txt")."""
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        byte = body[i]
        if byte != 0x5C or i + 1 >= len(body):
            out.append(byte)
            i += 1
        elif body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
    return bytes(out)


def _header_path(line: bytes) -> bytes:
    """The path of a `diff --git a/P b/P` (renames off, so both halves agree) or `diff --cc P`."""
    if line.startswith((b"diff --cc ", b"diff --combined ")):
        return unquote(line.split(b" ", 2)[2])
    rest = line[len(b"diff --git ") :]
    half = rest[: (len(rest) - 1) // 2]  # "a/P" of "a/P b/P", or '"a/P"' of '"a/P" "b/P"'
    return unquote(half)[2:]


def parse_patch(text: bytes) -> Iterator[FilePatch]:
    """File sections of one commit's (or the index's) patch."""
    parser = _Parser()
    for line in text.split(b"\n"):
        if line.startswith(b"diff --"):
            if parser.current is not None:
                yield parser.current
            parser.start(_header_path(line))
        else:
            parser.feed(line)
    if parser.current is not None:
        yield parser.current


class _Parser:
    """State within one file section: header lines, then hunks of `columns` prefix bytes."""

    def __init__(self) -> None:
        self.current: FilePatch | None = None
        self.columns = 1
        self.line_no = 0
        self.in_hunk = False

    def start(self, path: bytes) -> None:
        self.current, self.in_hunk = FilePatch(path), False

    def feed(self, line: bytes) -> None:
        if self.current is None:
            return
        if self.in_hunk and self._hunk_line(self.current, line):
            return
        self.in_hunk = False
        if line.startswith(b"@@"):
            hunk = _HUNK.match(line)
            if hunk:
                self.columns = len(hunk.group(1)) - 1
                self.line_no = int(hunk.group(2))
                self.in_hunk = True
        else:
            _header_line(self.current, line)

    def _hunk_line(self, current: FilePatch, line: bytes) -> bool:
        head = line[: self.columns]
        if len(head) == self.columns and head[0] in b"+- ":
            # A line is in the new version unless some parent column says it was removed;
            # it was added by this commit only if every column says so.
            if b"-" not in head:
                if head.count(b"+") == self.columns:
                    current.added.append((self.line_no, line[self.columns :]))
                self.line_no += 1
            return True
        return line.startswith(b"\\")  # "\ No newline at end of file"


def _header_line(patch: FilePatch, line: bytes) -> None:
    if line.startswith(b"index "):
        ids, _, mode = line[len(b"index ") :].partition(b" ")
        new = ids.rpartition(b"..")[2]
        patch.new_blob = None if _ZERO_ID.match(new) else new.decode("ascii")
        patch.submodule = patch.submodule or mode == SUBMODULE_MODE
    elif line.startswith((b"new file mode ", b"new mode ")):
        patch.submodule = line.endswith(SUBMODULE_MODE)
        patch.new_file = patch.new_file or line.startswith(b"new file")
    elif line.startswith(b"deleted file mode"):
        patch.deleted = True
    elif line.startswith(b"Binary files ") or line == b"GIT binary patch":
        patch.binary = True
