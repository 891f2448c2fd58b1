"""The git connector: a repository's history, commit messages and working tree.

`scan_repository(target, options)` (or `GitConnector`) takes a local repository or a clone
URL. History is read as patches: each commit contributes the lines it adds, so every copy of
a key is attributed to the commit that introduced it, with the ref it was reached from, its
author and date. By default every branch, tag and remote-tracking ref is walked; with
`all_objects`, also reflogs, every other ref (pull-request refs of a mirror), dangling commits
and blobs that no commit reaches.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from connectors.base import DEFAULT_MAX_FILE_SIZE, MatchStage, Tally
from connectors.git_blob_history import BlobHistory
from connectors.git_blobs import BlobReader
from connectors.git_cli import Git, GitError, open_repository
from connectors.git_clone import display_url, is_url, kept_clone, mirror_clone
from connectors.git_commits import SOURCE, CommitChunker, Provenance
from connectors.git_history import (
    PATCH_OPTIONS,
    Commit,
    Selection,
    list_commits,
    read_commits,
)
from connectors.git_line_history import LineHistory, Records
from connectors.git_parallel_history import MIN_PARALLEL, parallel_matched
from connectors.git_refs import RefGraph, ref_graph
from connectors.git_unreachable import Unreachable, unreachable_chunks, unreachable_objects
from connectors.git_worktree import worktree_chunks
from scanner.model import Chunk, Matched

Item = TypeVar("Item", Chunk, Chunk | Matched)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GitScanOptions:
    worktree: bool = True
    history: bool = True
    all_objects: bool = False
    since_commit: str | None = None
    since: str | None = None
    branches: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # How history is read (bench/git_history.py measures all three, bench/RESULTS-git.md):
    # "lines": the lines each commit adds, computed here from whole blobs (the fastest);
    # "patches": the same lines from git's patches; "blobs": each distinct new blob whole.
    strategy: str = "lines"
    # Commits reachable from these were scanned before (a sweep's cursor): skip them.
    exclude: tuple[str, ...] = ()
    # Working tree: only files that differ from HEAD (HEAD's own content is in the history).
    worktree_changes_only: bool = False
    # HTTP headers for cloning (a GitHub/GitLab token): passed to git by environment only.
    clone_headers: tuple[str, ...] = field(default=(), repr=False)
    # A folder where clones of URLs stay after the scan (named by `clone_name`) for a caller
    # that reads them again and removes the folder; None: each clone is removed at once.
    keep_clones: str | None = None
    # Processes reading history side by side (the scan's --jobs); 0: one per CPU.
    workers: int = 0

    @property
    def selection(self) -> Selection:
        return Selection(
            revisions=self.branches,
            since_commit=self.since_commit,
            since=self.since,
            all_refs=self.all_objects,
            exclude=self.exclude,
        )


@dataclass(frozen=True, slots=True)
class GitConnector:
    """A repository: a local path or a URL (cloned as a bare mirror, removed afterwards).

    Given the engine's matching (`matching`), a long history is read and matched by several
    processes side by side (connectors.git_parallel_history); otherwise in this process."""

    target: str
    options: GitScanOptions = GitScanOptions()
    stage: MatchStage | None = field(default=None, compare=False, repr=False)

    def matching(self, stage: MatchStage) -> GitConnector:
        return replace(self, stage=stage)

    @property
    def name(self) -> str:
        return display_url(self.target) if is_url(self.target) else self.target

    def chunks(self, tally: Tally) -> Iterator[Chunk | Matched]:
        with contextlib.ExitStack() as stack:
            try:
                git = self._open(stack)
            except GitError as error:
                tally.problem(SOURCE, self.name, str(error))
                return
            yield from self._scan(git, tally)

    def _open(self, stack: contextlib.ExitStack) -> Git:
        if is_url(self.target) and self.options.keep_clones is not None:
            root = Path(self.options.keep_clones)
            return Git(kept_clone(self.target, self.options.clone_headers, root), bare=True)
        if is_url(self.target):
            clone = mirror_clone(self.target, self.options.clone_headers)
            return Git(stack.enter_context(clone), bare=True)
        return open_repository(Path(self.target))

    def _scan(self, git: Git, tally: Tally) -> Iterator[Chunk | Matched]:
        if self.options.history:
            yield from self._guarded(self._history(git, tally), tally)
        if self.options.worktree and not git.bare:
            chunks = worktree_chunks(
                git,
                self.name,
                self.options.max_file_size,
                tally,
                changes_only=self.options.worktree_changes_only,
            )
            yield from self._guarded(chunks, tally)

    def _guarded(self, chunks: Iterator[Item], tally: Tally) -> Iterator[Item]:
        """A git failure (a corrupt object or index) ends one part with a problem line."""
        try:
            yield from chunks
        except GitError as error:
            tally.problem(SOURCE, self.name, str(error))

    def _history(self, git: Git, tally: Tally) -> Iterator[Chunk | Matched]:
        # The ref graph is git's work as much as the commit list: both run at once.
        graph = _in_background(partial(ref_graph, git, all_refs=self.options.all_objects))
        if git.is_shallow():
            tally.notes.append(f"{self.name} is a shallow clone: history before its cut is absent")
        commits = list_commits(git, self.options.selection)
        extra = unreachable_objects(git) if self.options.all_objects else Unreachable((), ())
        commits += [Commit(commit, None) for commit in extra.commits]
        blobs = BlobReader(git, self.options.max_file_size)
        history: Reader
        if self.options.strategy == "blobs":
            history = BlobHistory(git, self.name, tally, self.options.max_file_size)
        elif self.options.strategy == "lines":
            history = LineHistory(git, self.name, tally, self.options.max_file_size)
        else:
            history = PatchHistory(self.name, CommitChunker(blobs, tally))
        try:
            yield from _history_chunks(
                git,
                commits,
                history,
                tally,
                graph=graph,
                workers=self.options.workers,
                stage=self.stage,
            )
            yield from unreachable_chunks(git, self.name, blobs, extra.blobs, tally)
        finally:
            history.close()
            blobs.close()


@dataclass(frozen=True, slots=True)
class PatchHistory:
    """Chunks of each commit's message and the lines its patch adds."""

    repo: str
    chunker: CommitChunker
    options: tuple[str, ...] = PATCH_OPTIONS

    def chunks(self, records: Records) -> Iterator[Chunk]:
        for record, ref in records:
            origin = Provenance(self.repo, record.id, ref, record.author, record.date)
            yield from self.chunker.chunks(origin, record.message, record.patch)

    def close(self) -> None:
        pass


class Reader(Protocol):
    """How commits (each with the refs that reach it) become chunks: LineHistory,
    PatchHistory or BlobHistory."""

    @property
    def repo(self) -> str: ...

    @property
    def options(self) -> tuple[str, ...]: ...

    def chunks(self, records: Records) -> Iterator[Chunk]: ...

    def close(self) -> None: ...


def _history_chunks(
    git: Git,
    commits: list[Commit],
    history: Reader,
    tally: Tally,
    *,
    graph: Callable[[], RefGraph],
    workers: int = 0,
    stage: MatchStage | None = None,
) -> Iterator[Chunk | Matched]:
    ids = [commit.id for commit in commits]
    # Every ref that reaches a commit, else the one the walk came through.
    refs = {commit.id: commit.ref for commit in commits}
    refs.update(graph().reaching(set(ids)))

    def unreadable(part: Tally) -> Callable[[str, str], None]:
        return lambda commit, message: part.problem(
            SOURCE, f"{history.repo} commit {commit}", message
        )

    workers = git_workers(workers)
    # Reading and matching in parallel processes took less CPU time than one process
    # reading beside a matcher, idle machine or loaded (bench/RESULTS-git.md): no load test.
    long = len(ids) >= MIN_PARALLEL
    if stage is not None and isinstance(history, LineHistory) and long and workers > 1:
        make = partial(LineHistory, git, history.repo, max_size=history.max_size)
        yield from parallel_matched(
            lambda part: make(tally=part),
            git,
            ids,
            refs,
            tally,
            workers=workers,
            unreadable=unreadable,
            stage=stage,
        )
        return
    # Raw tree comparisons are cheap for git: one process; patches need several.
    workers = workers if history.options == PATCH_OPTIONS else 1
    records = read_commits(git, ids, unreadable(tally), workers=workers, options=history.options)
    yield from history.chunks((record, refs.get(record.id)) for record in records)


def _in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Runs `work` in a thread; the returned function waits for its result (or raises its
    error)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # raised where the result is asked for
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if failure:
            raise failure[0]
        return outcome[0]

    return result


def git_workers(asked: int = 0) -> int:
    """Processes reading history side by side: as many as asked (a scan's --jobs), else one
    per CPU; at most 8."""
    return max(1, min(8, asked or os.cpu_count() or 1))


def scan_repository(
    target: str, options: GitScanOptions | None = None, stage: MatchStage | None = None
) -> GitConnector:
    """The connector other connectors (GitHub, GitLab) use to scan a repository they clone,
    with the engine's matching they were given, if any."""
    return GitConnector(target, options or GitScanOptions(), stage)
