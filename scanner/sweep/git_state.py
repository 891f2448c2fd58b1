"""The cheap test of whether a git source changed since the last sweep.

An unchanged repository then costs two small git commands instead of a scan:
- the tip of every ref: `git ls-remote` for a URL (nothing is cloned); in a local repository
  the tips the cursor kept when the files git keeps refs in are as they were then
  (scanner.sweep.ref_files), else `git show-ref --head`;
- with a working tree, a digest of what an incremental scan would read from it: the paths
  `git status` lists (differing from HEAD or the index, or untracked and not ignored; a
  superset of the files the scan reads) with each one's size, inode, modification and change
  times. A file changed within RACY_NS of the check could change again without its times
  moving (coarse file-system clocks), so then no digest is kept and the next sweep reads the
  tree again, as git itself does for racily clean index entries.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.git_cli import Git, GitError, git_env, is_repository
from connectors.git_clone import is_url
from scanner.sweep.ref_files import refs_digest

NO_WORKTREE = "none"  # a bare repository or a URL: nothing outside the history to read
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class GitState:
    tips: dict[str, str]  # ref (and HEAD) → object id; {} when unknown or empty
    worktree: str | None  # digest, NO_WORKTREE, or None when it cannot be vouched for
    refs: str | None = None  # digest of the ref files the tips were read after

    def cursor(self) -> dict[str, Any]:
        """What a cursor keeps of this state."""
        kept: dict[str, Any] = {"tips": self.tips}
        if self.worktree is not None:
            kept["worktree"] = self.worktree
        if self.refs is not None:
            kept["refs"] = self.refs
        return kept

    def same_as(self, cursor: dict[str, object]) -> bool:
        """Nothing to read since the scan that kept `cursor` (its tips and working tree)."""
        return (
            bool(self.tips)
            and self.worktree is not None
            and cursor.get("tips") == self.tips
            and cursor.get("worktree") == self.worktree
        )


def git_state(target: str, cursor: Mapping[str, Any] | None = None) -> GitState:
    """The repository now; `cursor` (the last one kept) may spare reading unchanged refs."""
    if is_url(target):
        return GitState(remote_tips(target), NO_WORKTREE)
    path = Path(target)
    if not path.is_dir() or not is_repository(path):
        return GitState({}, None)  # scanned as a plain folder, or reported by the scan
    git = Git(path)
    # Before the tips are read: a ref moved in between changes the next digest, not this one.
    refs = refs_digest(path, started_ns=time.time_ns(), racy_ns=RACY_NS)
    if refs is not None and cursor and cursor.get("refs") == refs and cursor.get("tips"):
        tips = dict(cursor["tips"])
    else:
        try:
            tips = _tips(git.run("show-ref", "--head", check=False), b" ")
        except OSError:
            return GitState({}, None)
    bare = not (path / ".git").exists()
    return GitState(tips, NO_WORKTREE if bare else worktree_digest(git), refs)


def remote_tips(target: str) -> dict[str, str]:
    """Every ref's commit, asked before the scan: what is pushed meanwhile is read next time."""
    try:
        completed = subprocess.run(
            ["git", "ls-remote", "--", target],
            capture_output=True,
            check=False,
            timeout=300,
            env=git_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}  # no git, or no answer: the scan itself reports the repository
    if completed.returncode != 0:
        return {}  # the scan itself reports the unreachable repository
    return _tips(completed.stdout, b"\t")


def _tips(listed: bytes, separator: bytes) -> dict[str, str]:
    tips = {}
    for line in listed.decode("utf-8", "replace").splitlines():
        sha, _, ref = line.partition(separator.decode())
        if ref and not ref.endswith("^{}"):
            tips[ref] = sha
    return tips


def worktree_digest(git: Git) -> str | None:
    started = time.time_ns()
    try:
        listed = git.run(
            # No index refresh written back: the repository may be a developer's, in use.
            "--no-optional-locks",
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--no-renames",
        )
    except (GitError, OSError):
        return None
    digest = hashlib.sha256(listed)
    for entry in listed.split(b"\0"):
        if not entry:
            continue
        stamp = _file_stamp(git.root / os.fsdecode(entry[3:]), started)
        if stamp is None:
            return None
        digest.update(stamp)
    return digest.hexdigest()


def _file_stamp(path: Path, started: int) -> bytes | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return b"\0gone"
    except OSError:
        return None
    if max(info.st_mtime_ns, info.st_ctime_ns) >= started - RACY_NS:
        return None  # racy: it may change again within the clock's granularity
    return f"\0{info.st_size} {info.st_ino} {info.st_mtime_ns} {info.st_ctime_ns}".encode()
