"""How long a history scan waits for git: the wall time its processes spend reading git.

    python bench/git_wait.py REPO INVENTORY [--runs 5] [--jobs N]

Runs `keysprawl scan REPO --no-worktree` (in a forked child of this process, as the
command runs it) with its reads of git timed: every `subprocess.run` (the scan process's
questions: refs, the commit list, probes) and every wait for an answer started early
(connectors.git_early), each record block of a history reader's
`diff-tree`, each blob of its `cat-file` stream and each blob read on demand. A read's time
is the wait for git plus the copy out of the pipe; what git computes while the reader
matches is not in it (that is in git's share of the CPU time, bench/git_history.py). Each
process writes its totals as it goes; printed (medians of --runs):
- the scan process: its wall time, and its own reads of git (before the readers start);
- a history reader: its reads of git by kind, and its lifetime (fork to last result);
- waiting for git: the scan process's reads plus the mean reader's, over the wall time.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

KINDS = ("run", "diff-tree", "cat-file", "on demand")
_totals: dict[str, float] = {}


def _count(kind: str, started: float) -> None:
    _totals[kind] = _totals.get(kind, 0.0) + time.perf_counter() - started


def _timed_call(function: Callable[..., Any], kind: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _count(kind, started)

    return timed


def _timed_items(function: Callable[..., Iterator[Any]], kind: str) -> Callable[..., Iterator[Any]]:
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        items = function(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                _count(kind, started)
            yield item

    return timed


def _patch(out: Path) -> None:
    import connectors.git as git_connector
    import connectors.git_blob_stream as blob_stream
    import connectors.git_blobs as blobs
    import connectors.git_cli as git_cli
    import connectors.git_history as history
    import connectors.git_parallel_history as parallel

    subprocess.run = _timed_call(subprocess.run, "run")
    # A command started early (connectors.git_early) is waited for when the scan asks it.
    git_cli.EarlyAnswers.take = _timed_call(git_cli.EarlyAnswers.take, "run")
    history._blocks_until = _timed_items(history._blocks_until, "diff-tree")
    blob_stream.BlobStream._one = _timed_call(blob_stream.BlobStream._one, "cat-file")
    blobs.BlobReader.read = _timed_call(blobs.BlobReader.read, "on demand")
    parallel._read_batches = _reporting_reader(parallel._read_batches, out)
    git_connector.parallel_matched = _noting_fork(git_connector.parallel_matched)


def _reporting_reader(read_batches: Callable[..., None], out: Path) -> Callable[..., None]:
    def reader(*args: Any) -> None:
        # The scan ends its readers once every result is in: a reader writes its figures
        # as it sends each result, so the last one stands.
        _totals.clear()
        started, cpu, results = time.perf_counter(), time.process_time(), args[6]
        path = out / f"reader-{os.getpid()}.json"

        class Sending:
            def put(self, item: Any) -> None:
                spent = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}
                path.write_text(json.dumps({**_totals, **spent}))
                results.put(item)

        read_batches(*args[:6], Sending(), *args[7:])

    return reader


def _noting_fork(parallel_matched: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def forking(*args: Any, **kwargs: Any) -> Iterator[Any]:
        _totals["before readers"] = sum(_totals.get(kind, 0.0) for kind in KINDS)
        yield from parallel_matched(*args, **kwargs)

    return forking


def _child(out: Path, arguments: list[str]) -> None:
    """The scan as `keysprawl` runs it (scanner.entry ends the process itself)."""
    started = time.perf_counter()

    def write() -> None:
        figures = {**_totals, "wall": time.perf_counter() - started}
        (out / "main.json").write_text(json.dumps(figures))

    atexit.register(write)
    _patch(out)
    from scanner.entry import main

    sys.argv = ["keysprawl", *arguments]
    main()


def scan_once(arguments: list[str]) -> dict[str, Any]:
    # Not a TemporaryDirectory: the child runs the exit handlers it inherits, and that
    # one would remove the folder before the figures are written.
    out = Path(tempfile.mkdtemp(prefix="keysprawl-git-wait-"))
    try:
        pid = os.fork()
        if pid == 0:
            _child(out, arguments)
        os.waitpid(pid, 0)
        main = json.loads((out / "main.json").read_text())
        readers = [json.loads(path.read_text()) for path in out.glob("reader-*.json")]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"main": main, "readers": readers}


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return statistics.mean(row.get(key, 0.0) for row in rows) if rows else 0.0


def _row(figures: dict[str, Any]) -> dict[str, float]:
    main, readers = figures["main"], figures["readers"]
    own = sum(main.get(kind, 0.0) for kind in KINDS)
    row = {"wall": main["wall"], "scan process": own, "reader wall": _mean(readers, "wall")}
    row["reader cpu"] = _mean(readers, "cpu")
    row |= {f"reader {kind}": _mean(readers, kind) for kind in KINDS}
    reader_git = sum(row[f"reader {kind}"] for kind in KINDS)
    row["waiting share"] = (own + reader_git) / main["wall"]
    return row


def waiting_for_git(repo: str, inventory: str, runs: int, jobs: int = 0) -> dict[str, float]:
    """Medians over `runs` scans (see the module's text)."""
    arguments = ["scan", repo, "--no-worktree", "--inventory", inventory]
    arguments += ["--format", "jsonl", "--output", os.devnull]
    arguments += ["--jobs", str(jobs)] if jobs else []
    rows = [_row(scan_once(arguments)) for _ in range(runs)]
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def describe(figures: dict[str, float]) -> str:
    ms = {key: round(value * 1000) for key, value in figures.items()}
    reads = ", ".join(f"{kind} {ms[f'reader {kind}']}" for kind in KINDS[1:])
    return (
        f"scan {ms['wall']} ms; the scan process reads git {ms['scan process']} ms; a reader"
        f" reads git {reads} ms of its {ms['reader wall']} ms (CPU {ms['reader cpu']} ms);"
        " waiting for git:"
        f" {figures['waiting share']:.0%} of the wall time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("repo")
    parser.add_argument("inventory")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=0, help="as the scan's --jobs (0: its default)")
    arguments = parser.parse_args()
    figures = waiting_for_git(arguments.repo, arguments.inventory, arguments.runs, arguments.jobs)
    print(describe(figures))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
