"""Added lines without git's diff: the multiset difference, checked against git's own."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import random_key
from gitrepo import Repo, write_inventory

from connectors.git_cli import Git
from connectors.git_diff import Block, parse_patch
from connectors.git_lines import added_blocks
from scanner import engine, inventory, setup
from scanner.model import Chunk


def lines_of(blocks: list[Block]) -> dict[int, bytes]:
    return {
        block.first + n: line
        for block in blocks
        for n, line in enumerate(block.text.split(b"\n")[:-1])
    }


def test_a_new_file_is_added_whole_and_an_unchanged_one_adds_nothing() -> None:
    assert added_blocks(b"a\nb", []) == [Block(1, b"a\nb\n")]
    assert added_blocks(b"a\nb\n", [b"a\nb\n"]) == []
    assert added_blocks(b"", [b"a\n"]) == []


def test_edits_give_runs_of_new_lines_numbered_in_the_new_version() -> None:
    old = b"".join(b"line %d\n" % n for n in range(100))
    new = old.replace(b"line 10\n", b"first\nsecond\n").replace(b"line 80\n", b"third\n")

    assert added_blocks(new, [old]) == [Block(11, b"first\nsecond\n"), Block(82, b"third\n")]


def test_an_edit_inside_a_line_adds_the_whole_line() -> None:
    old = b"alpha = 1\nbeta = 2\ngamma = 3\n"
    new = b"alpha = 1\nbeta = 22\ngamma = 3\n"

    assert added_blocks(new, [old]) == [Block(2, b"beta = 22\n")]


def test_a_copy_of_an_existing_line_counts_once_more() -> None:
    old = b"key = 1\nother\n"
    new = b"key = 1\nother\nkey = 1\nkey = 1\n"

    assert added_blocks(new, [old]) == [Block(3, b"key = 1\nkey = 1\n")]


def test_a_merge_adds_only_lines_no_parent_had() -> None:
    base = b"a\nb\nc\n"
    ours, theirs = b"a\nours\nb\nc\n", b"a\nb\ntheirs\nc\n"
    merged = b"a\nours\nb\ntheirs\nresolved\nc\n"

    assert added_blocks(merged, [ours, theirs]) == [Block(5, b"resolved\n")]
    assert added_blocks(merged, [base]) == [Block(2, b"ours\n"), Block(4, b"theirs\nresolved\n")]


@pytest.mark.parametrize("seed", range(12))
def test_random_edits_add_what_git_says_they_add(tmp_path: Path, seed: int) -> None:
    """The lines the new version holds more often than the old one, each at a line holding
    it: what `git diff -U0` adds, less the lines it shows as moved (removed, added again)."""
    rng = random.Random(seed)
    words = [b"x", b"y = 1", b"", b"    return z", b"}"] + [b"t%d" % n for n in range(40)]
    old_lines = [rng.choice(words) for _ in range(rng.randrange(0, 120))]
    new_lines = list(old_lines)
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(len(new_lines) + 1)
        del new_lines[at : at + rng.randrange(0, 4)]
        new_lines[at:at] = [rng.choice(words) for _ in range(rng.randrange(0, 5))]
    old = b"".join(line + b"\n" for line in old_lines)
    new = b"".join(line + b"\n" for line in new_lines)

    ours = lines_of(added_blocks(new, [old]))
    theirs = lines_of(_git_added(tmp_path, old, new))

    assert Counter(ours.values()) == Counter(new_lines) - Counter(old_lines)
    assert not Counter(ours.values()) - Counter(theirs.values())
    assert all(new_lines[number - 1] == line for number, line in ours.items())


def _git_added(tmp_path: Path, old: bytes, new: bytes) -> list[Block]:
    (tmp_path / "a").write_bytes(old)
    (tmp_path / "b").write_bytes(new)
    diff = ["git", "diff", "--no-index", "--no-color", "-U0", "--minimal", "a", "b"]
    patch = subprocess.run(diff, cwd=tmp_path, capture_output=True, check=False).stdout
    return [block for file in parse_patch(patch) for block in file.added]


def test_the_blob_stream_reports_a_corrupt_object_and_reads_on(tmp_path: Path) -> None:
    from connectors.git_blob_stream import BlobStream

    repo = Repo(tmp_path / "repo")
    repo.commit("c", {"a.txt": "first\n", "b.txt": "broken\n", "c.txt": "last\n"})
    ids = [repo.git("rev-parse", f"HEAD:{name}") for name in ("a.txt", "b.txt", "c.txt")]
    loose = repo.root / ".git" / "objects" / ids[1][:2] / ids[1][2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not zlib at all")
    stream = BlobStream(Git(repo.root), max_size=1 << 20)

    answers = list(stream.read([*ids, "0" * 40]))
    stream.close()

    assert [data for _, data, _ in answers] == [b"first\n", None, b"last\n", None]
    assert answers[1][2] and "missing" in answers[3][2]


def test_versions_not_in_the_recent_cache_are_read_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import git_line_history
    from connectors.git import GitConnector, GitScanOptions

    keys = {f"k{n}": random_key() for n in range(3)}
    repo = Repo(tmp_path / "repo")
    text = "".join(f"line {n}\n" for n in range(50))
    repo.commit("init", {"a.txt": text, "b.txt": text})
    for n, value in enumerate(keys.values()):
        text = text.replace(f"line {n * 10}\n", f"key = {value}\n")
        repo.commit(f"c{n}", {"a.txt": text})
    loaded = inventory.load(write_inventory(tmp_path / "inv.toml", keys))

    def scan() -> list[tuple[str | None, str | None, int | None]]:
        result = engine.scan(
            [GitConnector(str(repo.root), GitScanOptions(worktree=False))],
            detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
            classifier=setup.classifier(loaded),
        )
        assert result.complete
        return sorted(
            (o.location.commit, o.location.path, o.location.line)
            for f in result.findings
            for o in f.occurrences
        )

    cached = scan()
    monkeypatch.setattr(git_line_history, "_CACHE_BYTES", 0)
    assert scan() == cached and len(cached) == 3


@pytest.mark.parametrize("packed", [False, True], ids=["loose objects", "packed"])
def test_history_read_and_matched_by_parallel_processes_equals_the_serial_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packed: bool
) -> None:
    """--jobs 3 reads and matches history in three processes: the same findings, occurrences
    (commit, path, line, in order), problems and counts as one process reading and matching.
    Packed, the readers ask git for blobs in pack order, not commit order."""
    from connectors import git, git_line_history, git_parallel_history
    from connectors.git import GitConnector, GitScanOptions

    keys = {f"k{n}": random_key() for n in range(6)}
    repo = Repo(tmp_path / "repo")
    text = "".join(f"line {n}\n" for n in range(40))
    for n, value in enumerate(keys.values()):
        text = text.replace(f"line {n * 5}\n", f"key = {value}\n")
        repo.commit(f"c{n}", {"a.txt": text, f"f{n}.txt": f"{value}\n"})
        repo.commit(f"d{n}", {"a.txt": text + f"tail {n}\n"})
    if packed:  # a.txt's versions become deltas on each other, read in pack order
        repo.git("repack", "-q", "-a", "-d", "-f")
        monkeypatch.setattr(git_line_history, "_PACK_ORDER_MIN", 0)
    broken = repo.commit("broken", {"bad.txt": "to be corrupted\n"})
    repo.git("rm", "-q", "bad.txt")
    repo.commit("drop")
    oid = repo.git("rev-parse", f"{broken}:bad.txt")
    (repo.root / ".git" / "objects" / oid[:2] / oid[2:]).chmod(0o644)
    (repo.root / ".git" / "objects" / oid[:2] / oid[2:]).write_bytes(b"not zlib at all")
    repo.commit("last", {"z.txt": f"{keys['k0']}\n"})
    loaded = inventory.load(write_inventory(tmp_path / "inv.toml", keys))
    monkeypatch.setattr(git, "MIN_PARALLEL", 1)
    monkeypatch.setattr(git_parallel_history, "_BATCH", 3)
    started: list[int] = []
    parallel_matched = git.parallel_matched

    def counted(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs["workers"])
        return parallel_matched(*args, **kwargs)

    monkeypatch.setattr(git, "parallel_matched", counted)

    def scan(jobs: int) -> tuple[object, ...]:
        options = GitScanOptions(worktree=False, workers=jobs)  # as --jobs sets it
        result = engine.scan(
            [GitConnector(str(repo.root), options)],
            detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
            classifier=setup.classifier(loaded),
            jobs=jobs,
        )
        occurrences = [(f.key_id, o.location) for f in result.findings for o in f.occurrences]
        return occurrences, result.problems, result.stats.chunks, result.notes

    serial = scan(1)
    parallel = scan(3)

    assert parallel == serial and started == [3]  # the serial scan started no readers
    occurrences, problems, chunks, _ = serial
    assert {key for key, _ in occurrences} == set(keys) and chunks > 20
    assert [p.where for p in problems] == [f"{repo.root} commit {broken}"]


def test_one_job_reads_history_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 1` (GitScanOptions.workers=1) never starts parallel readers, idle machine or
    not, nor does a connector the engine gives no matching to (a sweep's)."""
    from connectors import git
    from connectors.base import Tally
    from connectors.git import GitConnector, GitScanOptions

    repo = Repo(tmp_path / "repo")
    value = random_key()
    repo.commit("one", {"a.txt": f"key = {value}\n"})
    repo.commit("two", {"b.txt": "nothing\n"})
    monkeypatch.setattr(git, "MIN_PARALLEL", 1)

    def no_parallel(*args: object, **kwargs: object) -> None:
        raise AssertionError("parallel readers started")

    monkeypatch.setattr(git, "parallel_matched", no_parallel)
    stage = partial(
        engine.match_stage,
        setup.detector_spec(inventory.Inventory(None, ()), setup.MatchingOptions()),
    )
    one_job = GitConnector(str(repo.root), GitScanOptions(worktree=False, workers=1))
    unstaged = GitConnector(str(repo.root), GitScanOptions(worktree=False, workers=3))
    for connector in (one_job.matching(stage), unstaged):
        chunks = [c for c in connector.chunks(Tally()) if isinstance(c, Chunk)]
        assert any(value.encode() in c.data for c in chunks)
    assert git.git_workers(3) == 3 and git.git_workers(50) == 8 and git.git_workers(0) >= 1


def test_readers_take_their_own_run_of_batches_then_the_others_last_ones() -> None:
    """Every batch is read exactly once; a reader that finishes its run takes the last
    batch of the run with the most left, one at a time."""
    import multiprocessing

    from connectors.git_parallel_history import Lanes

    lanes = Lanes(multiprocessing.get_context("fork"), 10, 2)  # lanes 0-3 and 4-9
    assert [lanes.claim(0) for _ in range(4)] == [0, 1, 2, 3]
    assert lanes.claim(1) == 4
    assert [lanes.claim(0), lanes.claim(0)] == [9, 8]  # reader 0 helps from the far end
    assert [lanes.claim(1) for _ in range(4)] == [5, 6, 7, None]
    assert lanes.claim(0) is None


def test_the_first_lane_is_shorter_and_every_batch_is_in_one_lane() -> None:
    """The first lane holds the repository's beginnings (files added whole): it is 80% of
    another lane's length."""
    import multiprocessing

    from connectors.git_parallel_history import Lanes

    def own_lane(lanes: Lanes, worker: int) -> list[int]:
        return list(iter(lambda: lanes.claim(worker, steal=False), None))

    for count, workers in ((16, 2), (4, 2), (24, 3), (100, 8), (2, 3)):
        claimed = Lanes(multiprocessing.get_context("fork"), count, workers)
        owned = [len(own_lane(claimed, worker)) for worker in range(workers)]
        lanes = Lanes(multiprocessing.get_context("fork"), count, workers)
        assert sum(owned) == count
        if count >= 4 * workers:
            assert owned[0] < min(owned[1:]) <= owned[0] * 1.5
        taken = [lanes.claim(worker % workers) for worker in range(count + workers)]
        assert sorted(i for i in taken if i is not None) == list(range(count))


def test_a_failure_reading_the_ref_graph_is_raised_where_the_graph_is_asked_for() -> None:
    from connectors.git import _in_background
    from connectors.git_cli import GitError

    def broken() -> None:
        raise GitError("bad object HEAD")

    graph = _in_background(broken)
    with pytest.raises(GitError, match="bad object"):
        graph()
    assert _in_background(lambda: 42)() == 42


def _scan_by_two_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], engine.ScanResult]:
    """Four commits, a key each, read by two history readers a batch a commit: the scan to
    run once a test has set up what goes wrong."""
    from connectors import git, git_parallel_history
    from connectors.git import GitConnector, GitScanOptions

    keys = {f"k{n}": random_key() for n in range(4)}
    repo = Repo(tmp_path / "repo")
    for n, value in enumerate(keys.values()):
        repo.commit(f"c{n}", {f"f{n}.txt": f"key = {value}\n"})
    loaded = inventory.load(write_inventory(tmp_path / "inv.toml", keys))
    monkeypatch.setattr(git, "MIN_PARALLEL", 1)
    monkeypatch.setattr(git_parallel_history, "_MIN_BATCH", 1)
    return partial(
        engine.scan,
        [GitConnector(str(repo.root), GitScanOptions(worktree=False, workers=2))],
        detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
        classifier=setup.classifier(loaded),
        jobs=2,
    )


def test_readers_hand_over_every_batch_before_they_end_whatever_their_exit_handlers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader's results leave it through a queue's feeder thread, which Python's exit
    handlers would flush; a reader flushes it itself before it ends. Here the handlers are
    marked as run already (as in a process whose handlers ran before it forked) and the
    feeder is slow: every batch still arrives."""
    import multiprocessing.util
    import time
    from multiprocessing.reduction import ForkingPickler

    scan = _scan_by_two_readers(tmp_path, monkeypatch)
    monkeypatch.setattr(multiprocessing.util, "_exiting", True)
    dumps = ForkingPickler.dumps

    def slow_dumps(obj: object, protocol: int | None = None) -> Any:
        time.sleep(0.2)  # the feeder thread is still pickling when the reader is done
        return dumps(obj, protocol)

    monkeypatch.setattr(ForkingPickler, "dumps", slow_dumps)
    result = scan()
    assert result.problems == []
    assert {f.key_id for f in result.findings} == {"k0", "k1", "k2", "k3"}


def test_a_result_sent_as_the_last_reader_ends_is_still_taken() -> None:
    """The wait for a result ends empty, and meanwhile the last reader sends its last batch
    and ends: the batch is taken, not reported missing."""
    import queue
    from types import SimpleNamespace

    from connectors.git_parallel_history import _next_result

    reader = SimpleNamespace(exitcode=None)
    last = (0, [], None)

    class LateQueue:
        def get(self, block: bool = True, timeout: float | None = None) -> object:
            if reader.exitcode is None:
                reader.exitcode = 0  # sent and ended just after this wait gave up
                raise queue.Empty
            return last

    assert _next_result(LateQueue(), [reader]) is last  # type: ignore[arg-type]


def test_a_history_reader_that_dies_is_a_problem_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader process killed mid-scan (out of memory, a signal): the scan ends with a
    problem line (exit 3) and keeps what the other batches found."""
    import os

    from connectors import git_parallel_history

    scan = _scan_by_two_readers(tmp_path, monkeypatch)
    monkeypatch.setattr(git_parallel_history, "_POLL_SECONDS", 0.05)
    claim = git_parallel_history.Lanes.claim
    read_batches = git_parallel_history._read_batches
    sending: list[Any] = []  # in a reader: the queue its results leave by

    def reading(*args: Any) -> None:
        sending.append(args[6])
        read_batches(*args)

    def dies_reading_batch_2(self: object, worker: int, *, steal: bool = True) -> int | None:
        index = claim(self, worker, steal=steal)  # type: ignore[arg-type]
        if index == 2:  # whichever reader takes it is killed while reading it
            git_parallel_history._hand_over(sending[0])  # after what it sent before has left
            os._exit(9)
        return index

    monkeypatch.setattr(git_parallel_history, "_read_batches", reading)
    monkeypatch.setattr(git_parallel_history.Lanes, "claim", dies_reading_batch_2)
    result = scan()
    assert [p.message for p in result.problems] == [
        "a history reader stopped unexpectedly (exit code 9)"
    ]
    # Batches 0 and 1 are passed on; batch 2 died with its reader, so what comes after it in
    # commit order is not passed on either.
    assert {f.key_id for f in result.findings} == {"k0", "k1"}
