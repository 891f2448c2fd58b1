"""Reading git's patch output (`diff-tree -p -U0 --full-index`, also `--cc` for merges).

Only what a commit adds matters: a copy of a key is introduced by the commit whose diff adds
the line. Each file section yields a FilePatch with its added lines as blocks (first line
number in the new version, text without the `+` prefixes), the new blob id (for content a
diff cannot show whole), and whether git treated the file as binary or as a submodule.

Speed matters here (every added line of a whole history passes through): with `-U0` a hunk
of a two-sided diff holds its removed lines, then its added lines, so each hunk's added block
is cut out with a few byte operations instead of a Python loop over lines. Merges' combined
diffs (`--cc`, a handful per history) take the line-by-line path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_HUNK = re.compile(rb"^(@{2,}) .*?\+(\d+)(?:,(\d+))? @{2,}")
_PLAIN_HUNK = re.compile(rb"^@@ -[\d,]+ \+(\d+)(?:,(\d+))? @@[^\n]*\n", re.MULTILINE)
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


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive added lines: `text` ends with a newline, its first line is `first`."""

    first: int
    text: bytes


@dataclass(slots=True)
class FilePatch:
    path: bytes
    new_blob: str | None = None
    binary: bool = False
    submodule: bool = False
    deleted: bool = False
    new_file: bool = False
    added: list[Block] = field(default_factory=list)


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
    if text.startswith(b"diff --"):
        text = b"\n" + text
    for section in text.split(b"\ndiff --")[1:]:
        yield _file_patch(b"diff --" + section)


def _file_patch(section: bytes) -> FilePatch:
    header_end = section.find(b"\n@@")
    header = section if header_end < 0 else section[:header_end]
    lines = header.split(b"\n")
    patch = FilePatch(_header_path(lines[0]))
    for line in lines[1:]:
        _header_line(patch, line)
    if header_end >= 0:
        hunks = section[header_end + 1 :]
        if lines[0].startswith(b"diff --git "):
            patch.added = _plain_blocks(hunks)
        else:
            patch.added = _combined_blocks(hunks)
    return patch


def _plain_blocks(hunks: bytes) -> list[Block]:
    blocks = []
    heads = list(_PLAIN_HUNK.finditer(hunks))
    for index, head in enumerate(heads):
        if head.group(2) == b"0":
            continue  # only removed lines
        end = heads[index + 1].start() if index + 1 < len(heads) else len(hunks)
        body = hunks[head.end() : end]
        start = 0 if body.startswith(b"+") else body.find(b"\n+") + 1
        added = body[start:]
        cut = added.find(b"\n\\")  # "\ No newline at end of file"
        if cut >= 0:
            added = added[: cut + 1]
        if not added.endswith(b"\n"):
            added += b"\n"
        blocks.append(Block(int(head.group(1)), added[1:].replace(b"\n+", b"\n")))
    return blocks


def _combined_blocks(hunks: bytes) -> list[Block]:
    """A merge's combined diff: a line is new in the merge only if every parent column says
    `+`; lines some column marks `-` are not in the result and do not count."""
    blocks: list[Block] = []
    columns, line_no = 1, 0
    run: list[bytes] = []
    run_start = 0
    for line in hunks.split(b"\n"):
        hunk = _HUNK.match(line)
        if hunk:
            _close(blocks, run, run_start)
            columns, line_no, run = len(hunk.group(1)) - 1, int(hunk.group(2)), []
            continue
        head = line[:columns]
        if len(head) != columns or head[0] not in b"+- " or b"-" in head:
            continue
        if head.count(b"+") == columns:
            if not run:
                run_start = line_no
            run.append(line[columns:])
        else:
            _close(blocks, run, run_start)
            run = []
        line_no += 1
    _close(blocks, run, run_start)
    return blocks


def _close(blocks: list[Block], run: list[bytes], first: int) -> None:
    if run:
        blocks.append(Block(first, b"\n".join(run) + b"\n"))


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
