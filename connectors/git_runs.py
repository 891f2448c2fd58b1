"""The runs a parallel history reader reads, each run's commits handed to git ahead.

A run's blobs are asked of git in pack order (connectors.git_pack_run), so every record of
the run is needed before its first blob. So the next run's commits are given to git's
`diff-tree` before the run at hand is matched (git computes their records on the other
core meanwhile, up to what its output pipe holds), and the first run is short, so that
little time passes before the first blob is asked for. No thread: one reading
records beside the matching thread made the matching wait for the interpreter's lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from connectors.base import Tally
from connectors.git_history import CommitRecord, CommitStream

Problem = Callable[[Tally], Callable[[str, str], None]]
# Batches of a reader's first run: few, as nothing is matched while its records are read;
# two, as a single batch's blobs cost git more (2,000 commits, lanes of two batches:
# 313 -> 303 ms; 8,000: 848 -> 844 ms, bench/RESULTS-git.md).
_FIRST_RUN = 2
# A shorter history is taken a batch at a time, not a run ahead (see _one_by_one): this
# repository's 373 commits were 5% slower read in runs than before them (in-process
# medians: 197 ms in runs, 191 one by one; 2,000 commits: 294 in runs, 314 one by one).
_AHEAD_MIN = 1000


class Claims(Protocol):
    def claim(self, worker: int, *, steal: bool = True) -> int | None: ...


@dataclass
class Run:
    """Batches read as one: (index, records) each, and the problems met reading them."""

    batches: list[tuple[int, list[CommitRecord]]]
    tally: Tally


@dataclass
class RunsAhead:
    commits: CommitStream
    batches: Sequence[Sequence[str]]
    lanes: Claims
    worker: int
    unreadable: Problem
    run_batches: int
    # Called once git has the first run's commits, before its records are waited for.
    while_git_works: Callable[[], None] = lambda: None

    def __iter__(self) -> Iterator[Run]:
        if sum(len(batch) for batch in self.batches) < _AHEAD_MIN:
            yield from self._one_by_one()
            return
        run = self._fed(self._claim(_FIRST_RUN))
        self.while_git_works()
        while run:
            tally = Tally()
            read = [(index, self._records(index, tally)) for index in run]
            run = self._fed(self._claim(self.run_batches))
            yield Run(read, tally)

    def _one_by_one(self) -> Iterator[Run]:
        """A batch at a time, each taken once the last is matched: with a handful of batches
        (a short history), what one reader has not taken yet is what the other can share."""
        self.while_git_works()
        while run := self._claim(1):
            tally = Tally()
            yield Run([(run[0], self._records(run[0], tally))], tally)

    def _records(self, index: int, tally: Tally) -> list[CommitRecord]:
        return list(self.commits.records(self.batches[index], self.unreadable(tally)))

    def _fed(self, run: list[int]) -> list[int]:
        self.commits.feed([self.batches[index] for index in run])
        return run

    def _claim(self, size: int) -> list[int]:
        """Up to `size` batches of the reader's own lane, and once that is done, one batch
        taken from the lane with the most left."""
        run: list[int] = []
        while len(run) < size:
            index = self.lanes.claim(self.worker, steal=False)
            if index is None:
                break
            run.append(index)
        if not run and (index := self.lanes.claim(self.worker)) is not None:
            run.append(index)
        return run
