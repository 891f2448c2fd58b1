"""Running the `git` command: the plumbing every git-reading module shares.

The git CLI is used rather than a library because its plumbing streams (`diff-tree --stdin`,
`cat-file --batch-command`) are fast and need no objects held in Python. Output is bytes:
paths and messages need not be UTF-8.
"""

from __future__ import annotations

import contextlib
import fcntl
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
# An early walk's pipe: git writes its whole answer (8,000 commits: ~600 KB) before it is read.
_EARLY_PIPE_SIZE = 1 << 20
_EARLY_NICENESS = 10  # an early walk yields to the scan loading itself: it has time
_NICEST = 19
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
        command = self.command(*args)
        completed = EARLY.take(command) if stdin is None else None
        if completed is None:
            with git_program():
                completed = subprocess.run(
                    command, input=stdin, capture_output=True, env=git_env(), check=False
                )
            EARLY.note(command, completed)
        if check and completed.returncode != 0:
            raise GitError(first_line(completed.stderr))
        return completed.stdout

    def popen(
        self, args: Sequence[str], *, stdin: bool = False, pipe_size: int = 0
    ) -> subprocess.Popen[bytes]:
        """git running `args`. With `pipe_size`, its output is read through a buffer of that
        size and its output pipe enlarged to it where Linux allows: git writes that far
        ahead of its reader."""
        with git_program():
            process = subprocess.Popen(
                self.command(*args),
                bufsize=pipe_size or -1,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_env(),
            )
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                _PIPES.add(pipe)
        if pipe_size and process.stdout is not None:
            with contextlib.suppress(OSError):  # not Linux, or past the system's limit
                fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, pipe_size)
        return process

    def object_directory(self) -> Path:
        """Where the repository keeps its objects ($GIT_OBJECT_DIRECTORY if set)."""
        path = self.run("rev-parse", "--git-path", "objects").strip()
        return self.root / path.decode("utf-8", "surrogateescape")  # relative to the root

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"


class EarlyAnswers:
    """Git commands asked before the scan needs their answers (connectors.git_early).

    A command is either started here (`start`: git computes while the scan loads its
    modules) or run while `recording` (its answer kept). Either way `Git.run` takes the
    answer the first time the scan asks the very same command, in the same folder, and
    runs it as usual any other time. Answers nobody asked for are dropped at exit."""

    def __init__(self) -> None:
        self._started: dict[tuple[str, ...], subprocess.Popen[bytes]] = {}
        self._answers: dict[tuple[str, ...], subprocess.CompletedProcess[bytes]] = {}
        self._recording = False

    def start(self, git: Git, *args: str) -> None:
        """Starts `git.run(*args)`'s command, its whole answer written ahead into its pipe."""
        process = git.popen(args, pipe_size=_EARLY_PIPE_SIZE)
        with contextlib.suppress(OSError):
            nice = min(os.getpriority(os.PRIO_PROCESS, 0) + _EARLY_NICENESS, _NICEST)
            os.setpriority(os.PRIO_PROCESS, process.pid, nice)
        self._started[tuple(git.command(*args))] = process

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Every git command run meanwhile has its answer kept for the scan's same ask."""
        self._recording = True
        try:
            yield
        finally:
            self._recording = False

    def note(self, command: list[str], completed: subprocess.CompletedProcess[bytes]) -> None:
        if self._recording:
            self._answers[tuple(command)] = completed

    def take(self, command: list[str]) -> subprocess.CompletedProcess[bytes] | None:
        key = tuple(command)
        if key in self._answers:
            return self._answers.pop(key)
        process = self._started.pop(key, None)
        if process is None:
            return None
        stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)

    def forget_started(self) -> None:
        """In a forked child, what was started is its parent's: the child cannot wait for it,
        and its output pipe reads as empty there (see _release_pipes_in_child). The child
        asks git itself; what was answered already stays (a copy of the answer)."""
        self._started = {}

    def drop(self) -> None:
        """Ends what was started and never asked for (the scan took another way)."""
        for process in self._started.values():
            process.kill()
            process.communicate()
        self._started.clear()
        self._answers.clear()


EARLY = EarlyAnswers()
os.register_at_fork(after_in_child=EARLY.forget_started)


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
