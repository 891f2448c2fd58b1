"""Running the `git` command: the plumbing every git-reading module shares.

The git CLI is used rather than a library because its plumbing streams (`diff-tree --stdin`,
`cat-file --batch-command`) are fast and need no objects held in Python. Output is bytes:
paths and messages need not be UTF-8.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# Options that keep git's output machine-readable whatever the user's configuration says.
_CONFIG = ("-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "color.ui=never")


# Pipe ends of running git processes. A process forked while they are open (the engine's
# worker pool) would hold copies: git would never see the end of its input, and we would wait
# for it forever. In every forked child they are pointed at /dev/null at once.
_PIPES: weakref.WeakSet[IO[bytes]] = weakref.WeakSet()


def _release_pipes_in_child() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for pipe in list(_PIPES):
        if not pipe.closed:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(null, pipe.fileno())
    os.close(null)


os.register_at_fork(after_in_child=_release_pipes_in_child)


class GitError(Exception):
    """A git command failed; the message is git's own first line of complaint."""


class GitMissing(GitError):
    """No git program to run: every git source fails the same way."""


def git_env() -> dict[str, str]:
    # No pager, no prompts for credentials (a clone must fail rather than wait), C messages.
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", "LANG": "C"})
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def first_line(stderr: bytes) -> str:
    """Git's reason in one line: its `fatal:` line if there is one, else its first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith("fatal:")]
    return (fatal or lines or ["git failed"])[0]


GIT_MISSING = "git is not installed (no git program on PATH)"
# `cat-file --batch-command` (and its `flush` with `--buffer`) came with git 2.36 (2022);
# older git (Ubuntu 22.04 ships 2.34) is read with `cat-file --batch`.
_BATCH_COMMAND_SINCE = (2, 36)


@contextlib.contextmanager
def git_program() -> Iterator[None]:
    """Around starting git: no git program on PATH is GitMissing, one line for every source."""
    try:
        yield
    except FileNotFoundError:
        raise GitMissing(GIT_MISSING) from None


@functools.cache
def has_batch_command() -> bool:
    """Whether the git on PATH has `cat-file --batch-command`. Asked once a process (a
    forked history reader inherits the answer)."""
    with git_program():
        completed = subprocess.run(
            ["git", "version"], capture_output=True, env=git_env(), check=False
        )
    found = re.match(rb"git version (\d+)\.(\d+)", completed.stdout)
    return found is not None and (int(found[1]), int(found[2])) >= _BATCH_COMMAND_SINCE


@dataclass(frozen=True, slots=True)
class Git:
    """A repository on disk: `root` is its working tree (or the bare repository folder)."""

    root: Path
    bare: bool = False

    def command(self, *args: str) -> list[str]:
        return ["git", "-C", str(self.root), *_CONFIG, *args]

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        with git_program():
            completed = subprocess.run(
                self.command(*args), input=stdin, capture_output=True, env=git_env(), check=False
            )
        if check and completed.returncode != 0:
            raise GitError(first_line(completed.stderr))
        return completed.stdout

    def popen(
        self, args: Sequence[str], *, stdin: bool = False, buffer: int = -1
    ) -> subprocess.Popen[bytes]:
        with git_program():
            process = subprocess.Popen(
                self.command(*args),
                bufsize=buffer,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_env(),
            )
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                _PIPES.add(pipe)
        return process

    def object_directory(self) -> Path:
        """Where the repository keeps its objects ($GIT_OBJECT_DIRECTORY if set)."""
        path = self.run("rev-parse", "--git-path", "objects").strip()
        return self.root / path.decode("utf-8", "surrogateescape")  # relative to the root

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"


def open_repository(path: Path) -> Git:
    """The repository whose top folder (or bare folder) is `path`; GitError if it is none."""
    probe = Git(path)
    try:
        bare = probe.run("rev-parse", "--is-bare-repository").strip() == b"true"
        top = b"" if bare else probe.run("rev-parse", "--show-toplevel").strip()
    except GitMissing:
        raise
    except (GitError, OSError) as error:
        raise GitError(f"{path} is not a git repository") from error
    if bare:
        return Git(path, bare=True)
    if Path(top.decode("utf-8", "surrogateescape")).resolve() != path.resolve():
        raise GitError(f"{path} is not the top folder of a git repository")
    return Git(path)


def is_repository(path: Path) -> bool:
    """Cheap test for `scan PATH`: a working tree's top folder or a bare repository."""
    dot_git = path / ".git"
    if dot_git.is_file():  # a linked worktree or a submodule: "gitdir: ..."
        return dot_git.read_bytes().startswith(b"gitdir:")
    return any(
        (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()
        for folder in (dot_git, path)
    )
