"""History read and matched by several processes side by side, results in commit order.

Working out each commit's changed lines and matching them is Python work that would
otherwise run on one core. The commits are cut into batches; each forked reader takes a
consecutive lane of them, then the far end of the lane with the most left (`Lanes`), with
its own git processes and detectors (the engine's MatchStage). A reader reads its batches
in runs (connectors.git_runs): a run's blobs are asked of git in the order its packs hold
them (connectors.git_pack_run), its chunks matched in that order, and what matched put back
in commit order (connectors.git_run_order). Only the chunks that matched (place and
matches, no content) and a count of the others come back, passed on batch by batch, so the
findings are the serial ones (a blob added in two runs is matched in both; nothing else
differs). Measured by bench/git_history.py: sending the content, or an item per chunk,
back to the scan's process cost more than the matching.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import queue
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from multiprocessing.queues import Queue
from typing import Any, Protocol

from connectors.base import MatchStage, Tally
from connectors.git_cli import Git, GitError
from connectors.git_commits import SOURCE
from connectors.git_history import CommitRecord, CommitStream
from connectors.git_run_order import RunOrder
from connectors.git_runs import RunsAhead
from scanner.model import Chunk, Location, Matched

# Fewer commits are read in this process: forking costs more than it saves (this
# repository's own 349 commits: 0.35 s in one process, 0.31 s by two; betterleaks 0.31 s).
MIN_PARALLEL = 100
# Commits per batch, at most and at least; a reader takes a consecutive lane of batches
# (git's caches stay warm: interleaved batches cost 7% more on bench/git_history.py's 8,000
# commits), and sends results per batch.
_BATCH = 500
_MIN_BATCH = 25
# Batches a reader reads as one run, git asked for all their blobs in pack order: 8 of 500
# commits get most of what pack order saves git (bench/RESULTS-git.md: blobs sorted in
# windows of 8,192 cost git 0.15 s, the whole history at once 0.13, commit order 0.28).
_RUN_BATCHES = 8
_FIRST_LANE = 0.8  # the first reader's lane, as a share of another's (see Lanes)
_POLL_SECONDS = 1.0  # how often a wait for results checks that the readers still run


class History(Protocol):
    tally: Tally

    @property
    def options(self) -> tuple[str, ...]: ...

    def run_chunks(self, records: Iterator[tuple[CommitRecord, str | None]]) -> Iterator[Chunk]: ...

    def close(self) -> None: ...


Problem = Callable[[Tally], Callable[[str, str], None]]
_Packed = list[Matched]
_Result = tuple[int, _Packed, Tally] | BaseException


def parallel_matched(
    make: Callable[[Tally], History],
    git: Git,
    commits: Sequence[str],
    refs: dict[str, str | None],
    tally: Tally,
    *,
    workers: int,
    unreadable: Problem,
    stage: MatchStage,
) -> Iterator[Matched]:
    """The chunks of `commits`, matched by `stage` in `workers` processes; their tallies
    merged into `tally`."""
    size = max(_MIN_BATCH, min(_BATCH, len(commits) // (2 * workers)))  # two or more a reader
    batches = [commits[start : start + size] for start in range(0, len(commits), size)]
    context = multiprocessing.get_context("fork")  # the reader and refs are inherited as is
    lanes = Lanes(context, len(batches), workers)
    # Unbounded: results wait here for the batches before them, and they are small (the
    # chunks that matched, without content).
    results: Queue[_Result] = context.Queue()
    processes = [
        context.Process(
            target=_read_batches,
            args=(make, git, batches, refs, lanes, worker, results, unreadable, stage),
            daemon=True,
        )
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        yield from _in_order(lambda: _next_result(results, processes), len(batches), tally)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # a consumer that stops early ends the readers
            process.join()


def _next_result(results: Queue[_Result], processes: list[Any]) -> _Result:
    """The next result any reader sends. Once no reader runs and nothing more arrives, an
    error instead: a reader that died (killed, out of memory) ends the scan of history with
    a problem line, not a wait that never ends; what the others sent is kept."""
    while any(process.exitcode is None for process in processes):
        with contextlib.suppress(queue.Empty):
            return results.get(timeout=_POLL_SECONDS)
    with contextlib.suppress(queue.Empty):  # a reader hands over all it sent before it ends:
        return results.get(block=False)  # sent just before the last check, it is here
    stopped = [p.exitcode for p in processes if p.exitcode != 0]
    if stopped:
        return GitError(f"a history reader stopped unexpectedly (exit code {stopped[0]})")
    return GitError("the history readers ended without sending every batch")


def _in_order(next_result: Callable[[], _Result], count: int, tally: Tally) -> Iterator[Matched]:
    """Each batch's items once the batches before it have been passed on."""
    waiting: dict[int, tuple[_Packed, Tally]] = {}
    for index in range(count):
        while index not in waiting:
            result = next_result()
            if isinstance(result, BaseException):
                raise result
            waiting[result[0]] = result[1], result[2]
        packed, part = waiting.pop(index)
        _merge(tally, part)
        yield from packed


class Lanes:
    """Which batches each reader has left: its own consecutive lane (git's caches stay
    warm), and, when that is done, the last batch of the lane with the most left, so a part
    of history that costs more does not keep one reader busy while the other waits.

    The first lane is shorter than the others (_FIRST_LANE of their length): it holds the
    repository's beginnings, whose files are added, so read and matched whole, not as
    changed spans. A reader takes its lane's batches in a few long runs, so with a short
    history nothing is left to share: on bench/git_history.py's 8,000 commits, equal lanes
    left the readers 60-110 ms apart (838 ms; 45% of the batches in the first: 818 ms; 40%:
    844 ms). A long history evens out by sharing whichever way it leans."""

    def __init__(self, context: Any, count: int, workers: int) -> None:
        total = workers - 1 + _FIRST_LANE
        cuts = [0] + [round(count * (_FIRST_LANE + lane) / total) for lane in range(workers)]
        bounds = [bound for worker in range(workers) for bound in cuts[worker : worker + 2]]
        self._bounds = context.Array("i", bounds, lock=False)  # next, end of each lane
        self._lock = context.Lock()
        self._workers = workers

    def claim(self, worker: int, *, steal: bool = True) -> int | None:
        """The reader's next batch of its own run, else (if `steal`) another run's last."""
        with self._lock:
            bounds = self._bounds
            if bounds[2 * worker] < bounds[2 * worker + 1]:
                bounds[2 * worker] += 1
                return int(bounds[2 * worker] - 1)
            if not steal:
                return None
            left = [bounds[2 * lane + 1] - bounds[2 * lane] for lane in range(self._workers)]
            lane = max(range(self._workers), key=left.__getitem__)
            if left[lane] <= 0:
                return None
            bounds[2 * lane + 1] -= 1
            return int(bounds[2 * lane + 1])


def _read_batches(
    make: Callable[[Tally], History],
    git: Git,
    batches: list[Sequence[str]],
    refs: dict[str, str | None],
    lanes: Lanes,
    worker: int,
    out: Queue[_Result],
    unreadable: Problem,
    stage: MatchStage,
) -> None:
    # What the reader inherited is no garbage: collections skip it from now on. Reading and
    # matching history makes no reference cycles (each run left none to collect on
    # bench/git_history.py's repositories), so the collector runs once a run, not every
    # 700 allocations: that cost each reader 20-30 ms of CPU time at 8,000 commits.
    gc.freeze()
    gc.disable()
    history = make(Tally())
    commits = CommitStream(git, history.options)
    runs = RunsAhead(
        commits, batches, lanes, worker, unreadable, _RUN_BATCHES, partial(_warm, stage)
    )
    try:
        for run in runs:
            history.tally = part = run.tally
            order = RunOrder([(index, [r.id for r in read]) for index, read in run.batches])
            every = (record for _, read in run.batches for record in read)
            chunks = history.run_chunks((record, refs.get(record.id)) for record in every)
            for index, packed in order.packed(stage(chunks, part), SOURCE):
                out.put((index, packed, part))
                part = Tally()  # the run's problems and notes go with its first batch
            gc.collect()
    except Exception as error:  # raised in the consumer
        out.put(error)
    finally:
        commits.close()
        history.close()
        _hand_over(out)


def _hand_over(out: Queue[_Result]) -> None:
    """Waits until what the reader put has left it. A queue's feeder thread sends it, and
    the exit handlers that would wait for that thread are skipped in a process forked by
    one whose handlers already ran: the last batch would be lost (the scan reports a reader
    that ended without it)."""
    out.close()
    out.join_thread()


def _warm(stage: MatchStage) -> None:
    """Builds the reader's detectors (its first match does, ~10 ms) while git computes the
    first run's records, instead of after."""
    for _ in stage(iter([Chunk(b"\n", Location(SOURCE))]), Tally()):
        pass


def _merge(tally: Tally, part: Tally) -> None:
    tally.problems.extend(part.problems)
    tally.skipped.update(part.skipped)
    tally.timeouts.update(part.timeouts)
    # Each reader notes a submodule the first time it meets it; the scan notes it once.
    tally.notes.extend(note for note in part.notes if note not in tally.notes)
