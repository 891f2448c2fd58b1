"""A digest of where a local repository keeps its refs, to skip `git show-ref` when it is the
same as last time.

Git updates a ref by writing a new file and renaming it over the old one (a new inode), and
rewrites `packed-refs` the same way; HEAD likewise. So the digest of every such file's path,
inode, size and times changes whenever a ref does. A file written within `racy_ns` of the
check could be replaced within the same clock tick, reusing the inode, so then there is no
digest. Repositories whose refs are elsewhere (reftable) have none either: git is asked.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def refs_digest(root: Path, *, started_ns: int, racy_ns: int) -> str | None:
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    common = _common_dir(git_dir)
    if common is None or (common / "reftable").exists():
        return None
    files = [git_dir / "HEAD", common / "packed-refs", *_files(common / "refs")]
    if git_dir != common:  # a linked worktree: its own HEAD and per-worktree refs
        files += _files(git_dir / "refs")
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        except OSError:
            return None
        if max(info.st_mtime_ns, info.st_ctime_ns) >= started_ns - racy_ns:
            return None
        line = f"{path}\0{info.st_ino} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}\n"
        digest.update(os.fsencode(line))
    return digest.hexdigest()


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        try:
            text = dot_git.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not text.startswith("gitdir:"):
            return None
        return (root / text.removeprefix("gitdir:").strip()).resolve()
    return root if (root / "HEAD").is_file() else None  # bare


def _common_dir(git_dir: Path) -> Path | None:
    pointer = git_dir / "commondir"
    if not pointer.exists():
        return git_dir
    try:
        return (git_dir / pointer.read_text(encoding="utf-8").strip()).resolve()
    except (OSError, UnicodeDecodeError):
        return None


def _files(folder: Path) -> list[Path]:
    found = []
    for directory, _, names in os.walk(folder):
        found += [Path(directory) / name for name in names]
    return found
