"""One `git diff-tree` kept for batch after batch gives the records a process per batch gives."""

from __future__ import annotations

import fcntl
import threading
from itertools import pairwise
from pathlib import Path

from gitrepo import Repo
from test_git_bad_input import history_with_unreadable_commits

from connectors.git_cli import Git
from connectors.git_history import RAW_OPTIONS, CommitRecord, CommitStream, read_commits


def _history(repo: Repo) -> list[str]:
    ids = [repo.commit("one\n\nwith a body\nkeysprawl-end-0000000000000000", {"a.txt": "a\n"})]
    repo.git("checkout", "-q", "-b", "side")
    ids.append(repo.commit("side", {"b.txt": "b\n"}))
    repo.git("checkout", "-q", "main")
    ids.append(repo.commit("main moves on", {"a.txt": "a\nmore\n"}))
    repo.git("merge", "-q", "--no-edit", "side")
    ids.append(repo.git("rev-parse", "HEAD"))
    repo.git("commit", "-q", "--allow-empty", "-m", "empty")
    ids.append(repo.git("rev-parse", "HEAD"))
    ids += [repo.commit(f"c{n}", {f"f{n}.txt": f"{n}\n" * n}) for n in range(1, 6)]
    return ids


def _batches(stream: CommitStream, ids: list[str], problems: list[str]) -> list[CommitRecord]:
    cuts = [0, 1, 4, 5, len(ids)]
    records: list[CommitRecord] = []
    for start, end in pairwise(cuts):
        records += stream.records(ids[start:end], lambda commit, _: problems.append(commit))
    return records


def test_records_of_batches_equal_one_process_per_batch(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    ids = _history(repo)
    git = Git(repo.root)
    expected = list(read_commits(git, ids, lambda *_: None, options=RAW_OPTIONS))
    stream = CommitStream(git, RAW_OPTIONS)
    problems: list[str] = []
    try:
        records = _batches(stream, ids, problems)
    finally:
        stream.close()

    assert records == expected and not problems
    assert [record.id for record in records] == ids
    assert records[0].message.startswith(b"one\n\nwith a body\nkeysprawl-end-")
    assert records[4].patch.strip(b"\0") == b""  # a batch of one empty commit


def test_a_corrupt_commit_is_reported_and_later_batches_are_read(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    ids, broken, dropped = history_with_unreadable_commits(repo, 3)
    stream = CommitStream(Git(repo.root), RAW_OPTIONS)
    problems: list[str] = []
    try:
        records = _batches(stream, ids, problems)
        again = list(stream.records(ids[-2:], lambda *_: None))
    finally:
        stream.close()

    assert [record.id for record in records] == [c for c in ids if c not in (broken, dropped)]
    assert problems == [broken, dropped]
    assert [record.id for record in again] == ids[-2:]


def test_a_batch_left_half_read_neither_blocks_nor_leaks_into_the_next(tmp_path: Path) -> None:
    """Records too big for a pipe: git blocks writing them once the reader stops reading."""
    repo = Repo(tmp_path / "repo")
    ids = [repo.commit(f"c{n}\n\n" + "x" * 100_000, {f"f{n}.txt": f"{n}\n"}) for n in range(4)]
    git = Git(repo.root)
    expected = list(read_commits(git, ids, lambda *_: None, options=RAW_OPTIONS))
    stream = CommitStream(git, RAW_OPTIONS)
    try:
        first = stream.records(ids, lambda *_: None)
        assert next(first) == expected[0]
        first.close()  # the reader stopped: three records are left unread
        assert list(stream.records(ids[2:], lambda *_: None)) == expected[2:]
        half = stream.records(ids, lambda *_: None)
        next(half)
        half.close()
    finally:
        closing = threading.Thread(target=stream.close)
        closing.start()
        closing.join(timeout=10)
    assert not closing.is_alive()


def test_a_stream_s_pipe_is_enlarged_so_git_writes_ahead(tmp_path: Path) -> None:
    """`Git.popen(pipe_size=…)` (the records, the blobs, an early walk): git may write that
    much before its reader asks; a plain popen keeps the system's pipe."""
    git = Git(Repo(tmp_path / "repo").root)
    sizes = []
    for size in (1 << 20, 0):
        process = git.popen(["cat-file", "--batch"], stdin=True, pipe_size=size)
        assert process.stdout is not None
        sizes.append(fcntl.fcntl(process.stdout.fileno(), fcntl.F_GETPIPE_SZ))
        process.kill()
        process.communicate()
    assert sizes[0] == 1 << 20 and sizes[1] < 1 << 20
