"""A repository's working tree: tracked files and untracked files that are not ignored.

Content is read from disk (what the developer has now, staged or not). Submodules are
recorded, not entered; symbolic links are not followed; binary files are
skipped by content, except UTF-16 text and archives, which the engine unpacks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from connectors.base import Tally, printable_path
from connectors.git_cli import Git
from connectors.git_diff import SUBMODULE_MODE
from scanner.model import Chunk, Location
from scanner.sniff import BINARY, content_kind

SOURCE = "worktree"


def worktree_files(git: Git, tally: Tally, *, changes_only: bool = False) -> list[bytes]:
    """Paths (bytes, relative to the root) of tracked and untracked-not-ignored files.

    `changes_only`: of the tracked files, only those that differ from HEAD. The others hold
    exactly HEAD's blobs, which a history scan covers (a sweep's incremental pass).
    """
    if changes_only and git.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip():
        changed = git.run("diff", "--name-only", "--no-renames", "-z", "HEAD").split(b"\0")
        return list(dict.fromkeys([p for p in changed if p] + _untracked(git)))
    paths: dict[bytes, None] = {}
    for entry in git.run("ls-files", "-z", "--stage").split(b"\0"):
        if not entry:
            continue
        info, _, path = entry.partition(b"\t")
        if info.split(b" ", 1)[0] == SUBMODULE_MODE:
            shown = printable_path(os.fsdecode(path))
            tally.notes.append(f"submodule {shown} recorded, not followed")
            continue
        paths[path] = None
    for path in _untracked(git):
        paths[path] = None
    return list(paths)


def _untracked(git: Git) -> list[bytes]:
    listed = git.run("ls-files", "-z", "--others", "--exclude-standard").split(b"\0")
    return [path for path in listed if path]


def worktree_chunks(
    git: Git, repo: str, max_size: int, tally: Tally, *, changes_only: bool = False
) -> Iterator[Chunk]:
    for raw in worktree_files(git, tally, changes_only=changes_only):
        shown = printable_path(os.fsdecode(raw))
        data = _read(git.root / os.fsdecode(raw), shown, max_size, tally)
        if data is not None:
            yield Chunk(data, Location(source=SOURCE, repo=repo, path=shown))


def _read(path: Path, shown: str, max_size: int, tally: Tally) -> bytes | None:
    try:
        if path.is_symlink():
            tally.skip("symlink")
            return None
        if path.stat().st_size > max_size:
            tally.skip("too large")
            tally.notes.append(f"skipped {shown}: larger than {max_size} bytes")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        return None  # tracked but deleted in the working tree: nothing there to scan
    except OSError as error:
        tally.problem(SOURCE, shown, f"cannot read: {error.strerror}")
        return None
    if content_kind(data) == BINARY:  # UTF-16 text and archives are unpacked by the engine
        tally.skip("binary")
        return None
    return data
