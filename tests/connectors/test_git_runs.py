"""A parallel history reader's runs: which batches make a run, git fed a run's commits
ahead, and what a run matched put back in commit order, batch by batch."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from conftest import detector_spec, random_key
from gitrepo import Repo

from connectors.base import Tally
from connectors.git_cli import Git
from connectors.git_history import (
    RAW_OPTIONS,
    CommitRecord,
    CommitStream,
    ProblemCallback,
    _blocks_until,
    read_commits,
)
from connectors.git_parallel_history import Lanes
from connectors.git_run_order import RunOrder
from connectors.git_runs import RunsAhead
from scanner import engine
from scanner.model import Chunk, Location, Match, Matched


def _history(repo: Repo, count: int) -> list[str]:
    return [repo.commit(f"c{n}\n\nbody {n}", {f"f{n % 3}.txt": f"{n}\n" * n}) for n in range(count)]


def test_batches_fed_ahead_are_read_back_in_order(tmp_path: Path) -> None:
    """Several batches written to git at once: each batch's records, no more, no fewer,
    though one read of git's output may hold the end of one and the start of the next."""
    repo = Repo(tmp_path / "repo")
    ids = _history(repo, 12)
    git = Git(repo.root)
    expected = list(read_commits(git, ids, lambda *_: None, options=RAW_OPTIONS))
    batches = [ids[0:1], ids[1:5], ids[5:6], ids[6:12]]
    stream = CommitStream(git, RAW_OPTIONS)
    try:
        stream.feed(batches[:3])
        read = [list(stream.records(batch, lambda *_: None)) for batch in batches[:3]]
        stream.feed(batches[3:])
        read.append(list(stream.records(batches[3], lambda *_: None)))
        # Asked for something other than what was fed: a new git process, same records.
        stream.feed([ids[0:2]])
        other = list(stream.records(ids[3:5], lambda *_: None))
    finally:
        stream.close()
    assert [r for batch in read for r in batch] == expected
    assert [len(batch) for batch in read] == [1, 4, 1, 6]
    assert other == expected[3:5]


def test_output_read_past_a_batch_end_is_kept_for_the_next() -> None:
    import io

    end = b"END-1234\n"
    data = b"first" + end + b"second" + end
    ended: list[bytes] = []
    stream = io.BufferedReader(io.BytesIO(data[7:]))  # type: ignore[arg-type]
    blocks = list(_blocks_until(stream, end, ended, held=data[:7]))
    assert b"".join(blocks) == b"first" and ended == [b"second" + end]
    again: list[bytes] = []
    rest = list(_blocks_until(io.BufferedReader(io.BytesIO(b"")), end, again, ended[0]))  # type: ignore[arg-type]
    assert b"".join(rest) == b"second" and again == [b""]


@pytest.fixture
def runs_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs read ahead even for the short histories built here (normally from 1,000
    commits on)."""
    from connectors import git_runs

    monkeypatch.setattr(git_runs, "_AHEAD_MIN", 0)


@pytest.mark.usefixtures("runs_ahead")
def test_a_reader_runs_one_batch_first_then_its_lane_then_the_others_last(
    tmp_path: Path,
) -> None:
    repo = Repo(tmp_path / "repo")
    ids = _history(repo, 20)
    git = Git(repo.root)
    batches = [ids[n : n + 2] for n in range(0, 20, 2)]  # ten batches, lanes 0-3 and 4-9
    lanes = Lanes(multiprocessing.get_context("fork"), len(batches), 2)
    assert lanes.claim(1, steal=False) == 4  # the other reader has started its lane
    stream = CommitStream(git, RAW_OPTIONS)
    try:
        runs = RunsAhead(stream, batches, lanes, 0, _quiet, 3)
        taken = [[index for index, _ in run.batches] for run in runs]
        other_reader = list(RunsAhead(stream, batches, lanes, 1, _quiet, 3))
    finally:
        stream.close()
    # Two batches, then runs of up to three of its own lane, then the other lane's last
    # batches one at a time.
    assert taken == [[0, 1], [2, 3], [9], [8], [7], [6], [5]]
    assert other_reader == []  # nothing was left for it
    assert lanes.claim(0) is None


def _quiet(tally: Tally) -> Callable[[str, str], None]:
    return lambda commit, message: None


@pytest.mark.usefixtures("runs_ahead")
def test_a_run_reads_each_batch_s_records(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    ids = _history(repo, 9)
    git = Git(repo.root)
    expected = list(read_commits(git, ids, lambda *_: None, options=RAW_OPTIONS))
    batches = [ids[n : n + 3] for n in range(0, 9, 3)]
    lanes = Lanes(multiprocessing.get_context("fork"), len(batches), 1)
    stream = CommitStream(git, RAW_OPTIONS)
    try:
        runs = list(RunsAhead(stream, batches, lanes, 0, _quiet, 8))
    finally:
        stream.close()
    assert [[index for index, _ in run.batches] for run in runs] == [[0, 1], [2]]
    assert [r for run in runs for _, read in run.batches for r in read] == expected


def _match(line: int) -> Match:
    return Match(0, 1, line, 1, (f"sha256:{line}",), "…x")


def _item(commit: str, path: str | None, matched: bool, size: int = 10) -> Matched:
    location = Location("git", path=path, repo="r", commit=commit)
    if path is None:
        location = Location("git", repo="r", commit=commit, field="commit-message")
    return Matched(Chunk(b"x" * size, location), [_match(size)] if matched else [], size)


def test_a_run_s_matches_go_back_in_commit_order_batch_by_batch() -> None:
    order = RunOrder([(4, ["a", "b"]), (5, ["c"])])
    items = [
        _item("c", "z.txt", True),
        _item("b", "y.txt", True),
        _item("a", "x.zip!inner.txt", True),
        _item("b", None, True),
        _item("a", "x.zip", False, 7),
        _item("a", "w.txt", True),
        _item("c", None, False, 5),
        Matched(Chunk(b"ctx", Location("git", commit="a"), context=True), [_match(1)], 3),
    ]
    packed = dict(order.packed(iter(items), "git"))
    places = {
        index: [(m.chunk.location.commit, m.chunk.location.path) for m in batch if m.matches]
        for index, batch in packed.items()
    }
    assert places == {
        4: [("a", "w.txt"), ("a", "x.zip!inner.txt"), ("b", None), ("b", "y.txt")],
        5: [("c", "z.txt")],
    }
    counts = {
        index: [(m.chunks, m.size) for m in batch if not m.matches]
        for index, batch in packed.items()
    }
    assert counts == {4: [(1, 7)], 5: [(1, 5)]}  # the context chunk is neither
    assert all(m.chunk.data == b"" for batch in packed.values() for m in batch)


def test_one_process_matching_does_not_read_chunks_ahead() -> None:
    """A history span holds its file's whole version until it is matched: matching in this
    process takes chunks a few at a time, not two batches of BATCH_BYTES first."""
    key = random_key(40)
    spec = detector_spec([key])
    pulled: list[int] = []

    def chunks() -> Iterator[Chunk]:
        for n in range(500):
            pulled.append(n)
            yield Chunk(f"K={key}\n".encode() * 50, Location("file", path=f"f{n}.txt"))

    results = engine._matching(chunks(), spec, spec.build, 1, Counter())
    _, matches = next(results)
    assert len(matches) == 50 and len(pulled) <= engine._RUN


@pytest.mark.usefixtures("runs_ahead")
def test_work_given_to_do_while_git_computes_runs_after_the_first_feed(tmp_path: Path) -> None:
    """The reader builds its detectors while git computes the first run's records: after
    git has the commits, before the records are waited for, and once."""
    repo = Repo(tmp_path / "repo")
    ids = _history(repo, 6)
    batches = [ids[n : n + 2] for n in range(0, 6, 2)]
    calls: list[str] = []

    class Watched(CommitStream):
        def feed(self, batches: Sequence[Sequence[str]]) -> None:
            calls.append(f"feed {len(batches)}")
            super().feed(batches)

        def records(
            self, commits: Sequence[str], on_problem: ProblemCallback
        ) -> Iterator[CommitRecord]:
            calls.append("records")
            return super().records(commits, on_problem)

    lanes = Lanes(multiprocessing.get_context("fork"), len(batches), 1)
    stream = Watched(Git(repo.root), RAW_OPTIONS)
    try:
        runs = RunsAhead(stream, batches, lanes, 0, _quiet, 8, lambda: calls.append("warm"))
        assert sum(len(run.batches) for run in runs) == 3
    finally:
        stream.close()
    assert calls[:4] == ["feed 2", "warm", "records", "records"]
    assert calls.count("warm") == 1


def test_a_run_of_few_changes_is_read_in_commit_order_with_the_same_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below _PACK_ORDER_MIN changes a run is read as one process reads history (pack order
    saves git little there); above, in pack order: the same chunks either way."""
    from connectors import git_line_history
    from connectors.git_line_history import LineHistory

    repo = Repo(tmp_path / "repo")
    for n in range(12):
        repo.commit(
            f"c{n}", {"a.txt": "".join(f"line {k} {n if k == n else ''}\n" for k in range(30))}
        )
    repo.git("repack", "-q", "-a", "-d", "-f")
    git = Git(repo.root)
    ids = repo.git("rev-list", "--reverse", "HEAD").split()
    records = list(read_commits(git, ids, lambda *_: None, options=RAW_OPTIONS))
    asked: list[int] = []

    def chunks(minimum: int) -> list[tuple[object, bytes]]:
        history = LineHistory(git, "r", Tally(), 10_000_000)
        sorted_by_pack = history._packs().sorted
        history._packs().sorted = lambda oids: asked.append(minimum) or sorted_by_pack(oids)  # type: ignore[method-assign]
        monkeypatch.setattr(git_line_history, "_PACK_ORDER_MIN", minimum)
        try:
            found = [(c.location, c.data) for c in history.run_chunks((r, None) for r in records)]
        finally:
            history.close()
        return sorted(found, key=lambda pair: (ids.index(pair[0].commit or ""), str(pair[0].path)))

    assert chunks(0) == chunks(100) and len(chunks(0)) > 12
    assert asked == [0, 0]  # only the pack-ordered runs sorted their blobs


def test_a_short_history_is_taken_a_batch_at_a_time_so_the_other_reader_can_share(
    tmp_path: Path,
) -> None:
    """Under 1,000 commits nothing is claimed ahead: a batch of this reader's lane it has not
    started is still there for the other reader to take."""
    repo = Repo(tmp_path / "repo")
    ids = _history(repo, 8)
    batches = [ids[n : n + 2] for n in range(0, 8, 2)]  # lanes 0-1 and 2-3
    lanes = Lanes(multiprocessing.get_context("fork"), len(batches), 2)
    stream = CommitStream(Git(repo.root), RAW_OPTIONS)
    try:
        runs = iter(RunsAhead(stream, batches, lanes, 0, _quiet, 8))
        first = next(runs)
        assert [index for index, _ in first.batches] == [0]
        assert [r.id for r in first.batches[0][1]] == ids[0:2]
        # While reader 0 matches batch 0, reader 1 does its lane and takes batch 1.
        assert [lanes.claim(1) for _ in range(3)] == [2, 3, 1]
        assert list(runs) == []
    finally:
        stream.close()
