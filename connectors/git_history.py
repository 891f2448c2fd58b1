"""Walking history: which commits to read, and each commit's header and patch.

`rev-list`-style selection (`git log --source`, oldest first so a copy's introducing commit
is met before its descendants) picks the commits; one `git diff-tree --stdin` streams their
patches. If git dies on a corrupt object, the commit it was reading is reported and the walk
goes on from the next one.
"""

from __future__ import annotations

import io
import os
import queue
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from connectors.git_blobs import finish
from connectors.git_cli import Git, GitError, first_line
from connectors.git_refs import short_ref

_MARK = b"\0\0C"
_FORMAT = "--format=%x00%x00C%H%x00%an <%ae>%x00%aI%x00%B%x00"
# Per commit: its header, then the lines its patch adds (`-U0`; merges as combined diffs).
PATCH_OPTIONS = (
    "diff-tree",
    "--stdin",
    "-p",
    "-U0",
    "--cc",
    "--root",
    "--always",
    "--full-index",
    "--no-renames",
    "--irreversible-delete",  # a deleted file's old lines are neither needed nor read
    "--no-textconv",
    "--no-ext-diff",
    "--ignore-submodules=none",
    _FORMAT,
)
# Per commit: its header, then one raw entry per path whose blob changed (a tree comparison,
# no content diff: the blobs are read whole). Merges list only paths new to every parent.
RAW_OPTIONS = (
    # Trees unpacked once each in a walk from old to new: git's default 96 MB cache of
    # delta bases only fills up (8,000 commits: 143 -> 129 ms, 40 -> 26 MB of RSS).
    "-c",
    "core.deltaBaseCacheLimit=16m",
    "diff-tree",
    "--stdin",
    "-r",
    "-c",
    "--raw",
    "-z",
    "--root",
    "--always",
    "--full-index",
    "--no-renames",
    "--ignore-submodules=none",
    _FORMAT,
)
# Options that may stand among revisions (the hook walks `HEAD --not --remotes`).
_REVISION_OPTIONS = frozenset({"--not", "--all", "--branches", "--tags", "--remotes"})
_READ_SIZE = 1 << 20
# diff-tree's output pipe, enlarged where Linux allows: git computes that far ahead of a
# reader that fed it batches in advance (CommitStream.feed).
_PIPE_SIZE = 1 << 20
_MIN_PARALLEL = 400  # fewer commits are read by one git process: starting more costs more
_MIN_BATCH = 100


@dataclass(frozen=True, slots=True)
class Commit:
    id: str
    ref: str | None


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One commit as read: header fields and its patch (or git's raw list of changed paths)."""

    id: str
    author: str
    date: str
    message: bytes
    patch: bytes


@dataclass(frozen=True, slots=True)
class Selection:
    """Which commits to read. `revisions` empty means every branch, tag and remote ref."""

    revisions: tuple[str, ...] = ()
    since_commit: str | None = None
    since: str | None = None
    all_refs: bool = False
    exclude: tuple[str, ...] = ()


def list_commits(git: Git, selection: Selection) -> list[Commit]:
    """Oldest first, each with the ref the walk reached it from.

    With `all_refs`, commits only a reflog reaches (amended, reset away) come after the
    others (their parents are among those or earlier among them), named by the reflog entry
    that holds them ("main@{2}"). `--source` and `--reflog` are not combined in one walk:
    there git names no source for what it reaches through a reflog first, even a commit a
    branch also reaches.
    """
    revisions, scope = _walked(git, selection)
    commits = _commits(git.run(*walk_arguments(["--source", *scope, *revisions])))
    if selection.all_refs:
        names = _reflog_names(git)
        reflog = _commits(git.run(*walk_arguments(["--reflog", *scope, "--not", *revisions])))
        commits += [Commit(commit.id, names.get(commit.id)) for commit in reflog]
    return commits


def commit_walk(git: Git, selection: Selection) -> list[str]:
    """The arguments of the walk `list_commits` asks first (connectors.git_early starts it
    before the scan asks)."""
    revisions, scope = _walked(git, selection)
    return walk_arguments(["--source", *scope, *revisions])


def _walked(git: Git, selection: Selection) -> tuple[list[str], list[str]]:
    """The revisions to walk from, and the options and negative revisions that limit it."""
    revisions = _revisions(selection.revisions) or _every_ref(git)
    if selection.all_refs:
        revisions = ["--all"]
    return revisions, _scope(git, selection)


def _revisions(revisions: tuple[str, ...]) -> list[str]:
    """The revisions to walk. Any other `-…` (a `--branch` or a sweep setting `branch` such
    as `--output=FILE`) would be an option to `git log`: refused, never passed on."""
    for revision in revisions:
        if revision.startswith("-") and revision not in _REVISION_OPTIONS:
            raise GitError(f"{revision}: not a revision")
    return list(revisions)


def _scope(git: Git, selection: Selection) -> list[str]:
    """Options and negative revisions that limit a walk (they precede any `--not`)."""
    args = [f"--since={selection.since}"] if selection.since else []
    if selection.since_commit:
        args.append(f"^{selection.since_commit}")
    return args + [f"^{commit}" for commit in _existing_commits(git, selection.exclude)]


def walk_arguments(args: list[str]) -> list[str]:
    return ["log", "--reverse", "--topo-order", "--format=%H%x00%S", *args, "--"]


def _commits(output: bytes) -> list[Commit]:
    commits = []
    for line in output.splitlines():
        commit, _, ref = line.decode("utf-8", "replace").partition("\0")
        commits.append(Commit(commit, ref or None))
    return commits


def _reflog_names(git: Git) -> dict[str, str]:
    """Each commit some reflog holds: its first entry ("main@{2}", "HEAD@{1}")."""
    output = git.run("log", "--walk-reflogs", "--all", "--format=%H %gD", check=False)
    names: dict[str, str] = {}
    for line in output.decode("utf-8", "replace").splitlines():
        commit, _, entry = line.partition(" ")
        names.setdefault(commit, short_ref(entry))
    return names


def _existing_commits(git: Git, commits: tuple[str, ...]) -> list[str]:
    """The commits of `commits` the repository still has (a force-push may have dropped some)."""
    if not commits:
        return []
    answer = git.run(
        "cat-file", "--batch-check", stdin="\n".join(commits).encode() + b"\n", check=False
    )
    rows = (line.split() for line in answer.splitlines())
    return [row[0].decode() for row in rows if len(row) == 3 and row[1] == b"commit"]


def _every_ref(git: Git) -> list[str]:
    """Branches, tags, remote-tracking refs, and HEAD when it points at a commit (detached)."""
    refs = ["--branches", "--tags", "--remotes"]
    if git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip():
        refs.append("HEAD")
    return refs


ProblemCallback = Callable[[str, str], None]
_Stream = Generator[CommitRecord, None, tuple[int, str | None]]


def read_commits(
    git: Git,
    commits: Sequence[str],
    on_problem: ProblemCallback,
    *,
    workers: int = 1,
    options: tuple[str, ...] = PATCH_OPTIONS,
) -> Iterator[CommitRecord]:
    """Each commit's record, in the order given. Unreadable commits go to `on_problem`.

    Computing diffs is git's single-threaded work and the cost of a history scan, so a long
    history is cut into batches that `workers` git processes compute side by side; records
    still come out in the order given (bounded read-ahead keeps memory flat).
    """
    if workers <= 1 or len(commits) < _MIN_PARALLEL:
        yield from _read_serial(git, commits, on_problem, options)
        return
    size = max(_MIN_BATCH, len(commits) // (workers * 8))
    batches = [commits[i : i + size] for i in range(0, len(commits), size)]
    stop = threading.Event()
    queues: list[queue.Queue[_Batch]] = [queue.Queue(2) for _ in range(workers)]
    for worker in range(workers):
        mine = batches[worker::workers]
        threading.Thread(
            target=_read_batches,
            args=(git, mine, on_problem, queues[worker], stop, options),
            daemon=True,
        ).start()
    try:
        for index in range(len(batches)):
            records = queues[index % workers].get()
            if isinstance(records, BaseException):
                raise records
            yield from records
    finally:
        stop.set()  # a consumer that stops early releases the readers


_Batch = list[CommitRecord] | BaseException


def _read_batches(
    git: Git,
    batches: list[Sequence[str]],
    on_problem: ProblemCallback,
    out: queue.Queue[_Batch],
    stop: threading.Event,
    options: tuple[str, ...],
) -> None:
    for batch in batches:
        if stop.is_set():
            return
        result: _Batch
        try:
            result = list(_read_serial(git, batch, on_problem, options))
        except Exception as error:  # handed to the consumer, raised there
            result = error
        while not stop.is_set():
            try:
                out.put(result, timeout=0.2)
                break
            except queue.Full:
                continue


def _read_serial(
    git: Git,
    commits: Sequence[str],
    on_problem: ProblemCallback,
    options: tuple[str, ...],
    stream: Callable[[Sequence[str]], _Stream] | None = None,
) -> Iterator[CommitRecord]:
    """The records of `commits` from `stream` (a new `diff-tree` by default); where git dies,
    the commit it was reading is reported and the rest is read on."""
    stream = stream or (lambda rest: _stream(git, rest, options))
    position = 0
    while position < len(commits):
        done, failure = yield from stream(commits[position:])
        position += done
        if failure is None:
            return
        # Git died at or after the last complete record: read the next commit alone to find
        # out whether it is the unreadable one, then go on after it.
        if position < len(commits):
            _, alone = yield from _stream(git, commits[position : position + 1], options)
            if alone is not None:
                on_problem(commits[position], alone)
            position += 1


class CommitStream:
    """One `git diff-tree --stdin` kept for batch after batch (a parallel history reader
    reads many): a process per batch cost 30% more of git's time (bench/RESULTS-git.md).
    Each batch is followed by a line that is not an object id, which git echoes and flushes:
    its echo ends the batch's last record. The line carries a random part, so no commit
    message can end a batch early."""

    def __init__(self, git: Git, options: tuple[str, ...]) -> None:
        self._git = git
        self._options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._end = b"keysprawl-end-" + os.urandom(8).hex().encode() + b"\n"
        # A batch whose records were not all read (its reader stopped early) leaves git
        # with output nobody reads: that process is ended, not reused or waited for.
        self._unread = False
        self._fed: deque[Sequence[str]] = deque()  # written to git ahead, not read yet
        self._past_end = b""  # output of those, read with the end of the batch before

    def feed(self, batches: Sequence[Sequence[str]]) -> None:
        """Hands git `batches` to work on while the caller does something else; `records`
        then reads them, asked for in the same order."""
        if not batches:
            return
        process = self._started()
        assert process.stdin is not None
        # One write for every batch, each ended as `records` expects (writes from two
        # threads could interleave).
        commits = [c for batch in batches for c in (*batch, None)][:-1]
        _feed(process.stdin, commits, end=self._end)
        self._fed.extend(batches)

    def records(
        self, commits: Sequence[str], on_problem: ProblemCallback
    ) -> Iterator[CommitRecord]:
        """Each commit's record, in the order given; unreadable commits go to `on_problem`."""
        yield from _read_serial(self._git, commits, on_problem, self._options, self._batch)

    def close(self) -> None:
        if self._process is not None:
            if self._unread or self._fed:
                self._process.kill()  # it may be blocked writing what nobody will read
            finish(self._process)
            self._process = None
        self._unread = False
        self._fed.clear()
        self._past_end = b""

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            self._process = self._git.popen(self._options, stdin=True, pipe_size=_PIPE_SIZE)
        return self._process

    def _batch(self, commits: Sequence[str]) -> _Stream:
        if self._unread or (self._fed and list(self._fed[0]) != list(commits)):
            self.close()  # git's output holds records nobody will read before these
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        self._unread = True
        if self._fed:
            self._fed.popleft()  # written already
        else:
            _feed(process.stdin, commits, end=self._end)
        ended: list[bytes] = []
        stdout = cast(io.BufferedReader, process.stdout)
        held, self._past_end = self._past_end, b""
        done, rest = yield from _parse(_blocks_until(stdout, self._end, ended, held))
        if not ended:  # git stopped before the batch's end
            self._process, self._unread = None, False
            self._fed.clear()
            return done, first_line(finish(process)) or "git diff-tree stopped"
        self._past_end = ended[0]
        if rest:
            yield _record(rest)
            done += 1
        self._unread = False
        return done, None


def _stream(git: Git, commits: Sequence[str], options: tuple[str, ...]) -> _Stream:
    """Records until git stops; returns (records completed, failure message or None)."""
    process = git.popen(options, stdin=True)
    assert process.stdin is not None and process.stdout is not None
    _feed(process.stdin, commits)
    stdout = cast(io.BufferedReader, process.stdout)
    # read1: what git has written so far, not a full _READ_SIZE: git runs ahead meanwhile.
    done, rest = yield from _parse(iter(lambda: stdout.read1(_READ_SIZE), b""))
    stderr = finish(process)
    if process.returncode == 0:
        if rest:
            yield _record(rest)
            done += 1
        return done, None
    return done, first_line(stderr)


def _parse(blocks: Iterator[bytes]) -> Generator[CommitRecord, None, tuple[int, bytes]]:
    """The records completed in `blocks`; returns their count and what follows the last
    record's start (the last record, once the output has ended)."""
    done = 0
    pending = bytearray()
    for block in blocks:
        start = max(0, len(pending) - len(_MARK) + 1)
        pending += block
        if pending.find(_MARK, start) < 0:
            continue  # a big commit still arriving: do not re-split what is buffered
        parts = bytes(pending).split(_MARK)
        pending = bytearray(parts.pop())
        for part in parts:
            if part:
                yield _record(part)
                done += 1
    return done, bytes(pending)


def _blocks_until(
    stream: io.BufferedReader, end: bytes, ended: list[bytes], held: bytes = b""
) -> Iterator[bytes]:
    """What `stream` has ready, block by block (after `held`, read before), up to the line
    `end`; then `ended` holds what was read past it (the next batch's start, if git was
    fed batches ahead). All of it if the stream ends first."""
    data = held
    while True:
        cut = data.find(end)
        if cut >= 0:
            ended.append(data[cut + len(end) :])
            yield data[:cut]
            return
        keep = min(len(data), len(end) - 1)  # the start of an `end` cut by the block's end
        if len(data) > keep:
            yield data[: len(data) - keep]
        data = data[len(data) - keep :]
        block = stream.read1(_READ_SIZE)
        if not block:
            yield data
            return
        data += block


def _feed(stream: object, commits: Sequence[str | None], end: bytes | None = None) -> None:
    """Write the commit list from a thread: git starts answering before it has read it all.
    Without `end`, the input is closed after the list; with it, `end` follows the list and
    the input stays open for the next (a None in the list stands for `end` too: several
    batches written at once)."""
    text = b"".join(f"{c}\n".encode() if c is not None else end or b"" for c in commits)

    def write() -> None:
        try:
            stream.write(text + (end or b""))  # type: ignore[attr-defined]
            if end is None:
                stream.close()  # type: ignore[attr-defined]
            else:
                stream.flush()  # type: ignore[attr-defined]
        except (BrokenPipeError, OSError, ValueError):
            pass  # git stopped early (a corrupt object); the reader reports it

    threading.Thread(target=write, daemon=True).start()


def _record(part: bytes) -> CommitRecord:
    commit, author, date, message, patch = part.split(b"\0", 4)
    return CommitRecord(
        commit.decode("ascii"),
        author.decode("utf-8", "replace"),
        date.decode("ascii", "replace"),
        message,
        patch,
    )
