"""Bounded concurrency for connectors: a few requests in flight, results in a stable order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def bounded(tasks: Iterable[Callable[[], list[T]]], workers: int) -> Iterator[T]:
    """Run each task with at most `workers` running at once; yield their items in task order.

    Tasks handle their own errors (a connector records them in its tally): one failing part
    of a source must never stop the others.
    """
    if workers <= 1:
        for task in tasks:
            yield from task()
        return
    pending: deque[Future[list[T]]] = deque()
    with ThreadPoolExecutor(workers, thread_name_prefix="keysprawl-fetch") as pool:
        try:
            for task in tasks:
                pending.append(pool.submit(task))
                while len(pending) >= workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
