"""History read and matched by several processes side by side, results in commit order.

Working out each commit's changed lines and matching them is Python work that would
otherwise run on one core. The commits are cut into one consecutive part per forked
process, each with its own git processes, cache of recent blobs and detectors (the
engine's MatchStage). Only the chunks that matched (place and matches, no content) and a
count of the others come back, in batches, passed on in commit order, so the findings are
the serial ones (a part's first edits of each file read their previous versions from git
instead of the cache, and a blob added in two parts is matched in both; nothing else
differs). Measured by bench/git_history.py:
sending the content, or an item per chunk, back to the scan's process cost more than the
matching.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.queues import Queue
from typing import Protocol

from connectors.base import MatchStage, Tally
from connectors.git_cli import Git
from connectors.git_commits import SOURCE
from connectors.git_history import CommitRecord, read_commits
from scanner.model import Chunk, Location, Matched

MIN_PARALLEL = 1000  # fewer commits are read in-process: forking costs more than it saves
# Each reader takes one consecutive part of history (its cache of recent blobs and git's
# cache of delta bases stay warm: interleaved batches cost 7% more on bench/git_history.py's
# 8,000 commits) and sends its results after every _BATCH commits.
_BATCH = 1000


class History(Protocol):
    tally: Tally

    @property
    def options(self) -> tuple[str, ...]: ...

    def chunks(self, records: Iterator[tuple[CommitRecord, str | None]]) -> Iterator[Chunk]: ...

    def close(self) -> None: ...


Problem = Callable[[Tally], Callable[[str, str], None]]
_Packed = list[Matched]
_Result = tuple[_Packed, Tally] | BaseException


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
    share = -(-len(commits) // workers)
    parts = [_batches(commits[start : start + share]) for start in range(0, len(commits), share)]
    context = multiprocessing.get_context("fork")  # the reader and refs are inherited as is
    # Unbounded: a later part's results wait for the earlier ones, and they are small (the
    # chunks that matched, without content).
    queues: list[Queue[_Result]] = [context.Queue() for _ in parts]
    processes = [
        context.Process(
            target=_read_batches,
            args=(make, git, batches, refs, queue, unreadable, stage),
            daemon=True,
        )
        for batches, queue in zip(parts, queues, strict=True)
    ]
    for process in processes:
        process.start()
    try:
        for batches, queue in zip(parts, queues, strict=True):
            for _ in batches:
                result = queue.get()
                if isinstance(result, BaseException):
                    raise result
                packed, part = result
                _merge(tally, part)
                yield from packed
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # a consumer that stops early ends the readers
            process.join()


def _batches(commits: Sequence[str]) -> list[Sequence[str]]:
    return [commits[start : start + _BATCH] for start in range(0, len(commits), _BATCH)]


def _read_batches(
    make: Callable[[Tally], History],
    git: Git,
    batches: list[Sequence[str]],
    refs: dict[str, str | None],
    out: Queue[_Result],
    unreadable: Problem,
    stage: MatchStage,
) -> None:
    history = make(Tally())
    try:
        for batch in batches:
            history.tally = part = Tally()
            records = read_commits(git, batch, unreadable(part), options=history.options)
            chunks = history.chunks((record, refs.get(record.id)) for record in records)
            out.put((_pack(stage(chunks, part), SOURCE), part))
    except Exception as error:  # raised in the consumer
        out.put(error)
    finally:
        history.close()


def _merge(tally: Tally, part: Tally) -> None:
    tally.problems.extend(part.problems)
    tally.skipped.update(part.skipped)
    tally.timeouts.update(part.timeouts)
    # Each reader notes a submodule the first time it meets it; the scan notes it once.
    tally.notes.extend(note for note in part.notes if note not in tally.notes)


def _pack(items: Iterator[Matched], source: str) -> _Packed:
    """The items that matched something, without their data; the others as one count."""
    matched: list[Matched] = []
    count = size = 0
    for item in items:
        chunk = item.chunk
        if chunk.context:
            continue  # matched only for the items after it: never counted nor reported
        if item.matches:
            matched.append(Matched(replace(chunk, data=b"", before=()), item.matches, item.size))
        else:
            count += 1
            size += item.size
    if count:
        matched.append(Matched(Chunk(b"", Location(source)), [], size, chunks=count))
    return matched
