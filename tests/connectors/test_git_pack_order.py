"""Pack order from `.idx` files agrees with `git show-index`, ids no pack holds sort last as
given, damaged indexes are skipped, offsets past 2 GB are read; a pack-ordered run hands every
change on once, with its blobs' exact content, whatever the byte budget drops."""

from __future__ import annotations

import contextlib
import hashlib
import random
import struct
from collections.abc import Iterator, Sequence
from itertools import count, pairwise
from pathlib import Path

import pytest
from gitrepo import Repo

from connectors.git_blob_stream import BlobStream
from connectors.git_cli import Git
from connectors.git_pack_index import PackIndex, PackOrder
from connectors.git_pack_run import PackOrderedRun

MADE_UP = "ab" * 20
RunJob = tuple[str, str, tuple[str, ...]]
Ready = tuple[str, bytes | None, str, dict[str, bytes]]


@pytest.fixture(autouse=True)
def _same_repository_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed dates: the same commit ids and so the same pack order in every run."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")


def _version(path: str, number: int) -> str:
    return "".join(f"{path} {n} {number if n % 40 == number else ''}\n" for n in range(200))


def _history(repo: Repo, paths: Sequence[str], versions: int) -> list[str]:
    """One commit per version, each changing every path (so the pack holds deltas)."""
    return [repo.commit(f"v{v}", {p: _version(p, v) for p in paths}) for v in range(versions)]


def _show_index(repo: Repo, idx: Path) -> dict[str, int]:
    """Git's own reading of an index: object id to offset in the pack."""
    lines = repo.git("show-index", input=idx.read_bytes()).splitlines()
    return {oid: int(offset) for offset, oid, *_ in map(str.split, lines)}


def _packed_repo(tmp_path: Path) -> tuple[Repo, Path, Path]:
    """A repository packed whole, its objects folder and its one pack's index."""
    repo = Repo(tmp_path / "repo")
    _history(repo, ["a.txt", "b.txt", "c.txt"], 15)
    repo.git("-c", "pack.threads=1", "repack", "-q", "-a", "-d", "-f")
    objects = Git(repo.root).object_directory()
    (idx,) = (objects / "pack").glob("pack-*.idx")
    return repo, objects, idx


def _pack_sorted(objects: Path, oids: list[str]) -> list[str]:
    with contextlib.closing(PackOrder(objects)) as order:
        return order.sorted(oids)


def test_offsets_and_order_agree_with_git_show_index(tmp_path: Path) -> None:
    repo, objects, idx = _packed_repo(tmp_path)
    expected = _show_index(repo, idx)
    assert len(expected) == 75  # 15 commits, 15 trees, 45 blobs
    index = PackIndex.open(idx, 20)
    assert index is not None and index.count == len(expected)
    assert {oid: index.offset(bytes.fromhex(oid)) for oid in expected} == expected
    index.close()
    shuffled = random.Random(7).sample(list(expected), len(expected))
    assert _pack_sorted(objects, shuffled) == sorted(expected, key=expected.__getitem__)


def test_ids_no_pack_holds_sort_last_in_the_order_given(tmp_path: Path) -> None:
    repo, objects, idx = _packed_repo(tmp_path)
    packed = _show_index(repo, idx)
    loose = repo.git("hash-object", "-w", "--stdin", input=b"written after the repack\n")
    assert loose not in packed
    asked = [MADE_UP, *reversed(list(packed)), loose, "not hex at all!"]
    result = _pack_sorted(objects, asked)
    assert result == [*sorted(packed, key=packed.__getitem__), MADE_UP, loose, "not hex at all!"]


def test_only_whole_object_ids_are_looked_up(tmp_path: Path) -> None:
    """A prefix of an id is no id: it sorts last, as anything else no pack holds."""
    repo, objects, idx = _packed_repo(tmp_path)
    packed = sorted(_show_index(repo, idx).items(), key=lambda item: item[1])
    (first, offset), (second, _) = packed[0], packed[1]
    with contextlib.closing(PackIndex.open(idx, 20)) as index:
        assert index is not None
        assert index.offset(bytes.fromhex(first)) == offset
        assert index.offset(bytes.fromhex(first[:8])) is None
    assert _pack_sorted(objects, [first[:8], second, first]) == [first, second, first[:8]]
    assert _pack_sorted(objects, ["", second, first]) == [first, second, ""]
    assert _pack_sorted(objects, ["", "abc"]) == ["", "abc"]


def test_every_id_is_found_across_several_packs(tmp_path: Path) -> None:
    repo, objects, _ = _packed_repo(tmp_path)
    _history(repo, ["d.txt"], 5)
    repo.git("repack", "-q", "-d")
    shown = [_show_index(repo, idx) for idx in (objects / "pack").glob("pack-*.idx")]
    packed = [oid for show in shown for oid in show]
    assert len(shown) == 2 and len(set(packed)) == len(packed)
    random.Random(3).shuffle(packed)
    result = _pack_sorted(objects, [MADE_UP, *packed])  # an id not found would follow MADE_UP
    assert sorted(result) == sorted([MADE_UP, *packed]) and result[-1] == MADE_UP
    packs = [next(n for n, show in enumerate(shown) if oid in show) for oid in result[:-1]]
    assert sum(a != b for a, b in pairwise(packs)) == 1  # one pack's objects, then the other's
    for show in shown:
        assert [oid for oid in result if oid in show] == sorted(show, key=show.__getitem__)


def test_too_many_packs_leave_the_order_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repository never repacked may hold hundreds of packs, each a lookup per id: past
    _MAX_PACKS the ids are asked for in the order given."""
    from connectors import git_pack_index

    repo, objects, _ = _packed_repo(tmp_path)
    _history(repo, ["d.txt"], 3)
    repo.git("repack", "-q", "-d")
    packed = [
        oid for idx in (objects / "pack").glob("pack-*.idx") for oid in _show_index(repo, idx)
    ]
    asked = list(reversed(packed))
    assert _pack_sorted(objects, asked) != asked
    monkeypatch.setattr(git_pack_index, "_MAX_PACKS", 1)
    assert _pack_sorted(objects, asked) == asked


def test_damaged_foreign_or_missing_indexes_are_skipped(tmp_path: Path) -> None:
    repo, objects, idx = _packed_repo(tmp_path)
    good = _show_index(repo, idx)
    data = idx.read_bytes()
    damaged = {  # "0cut" sorts before the good pack, the others after it
        objects / "pack" / "pack-bad.idx": b"NOT!" + data[4:],  # all but the magic fits
        objects / "pack" / "pack-v3.idx": data[:7] + b"\3" + data[8:],
        objects / "pack" / "pack-0cut.idx": data[:100],
        objects / "pack" / "pack-empty.idx": b"",
    }
    for path, content in damaged.items():
        path.write_bytes(content)
    assert [PackIndex.open(path, 20) for path in damaged] == [None] * len(damaged)
    assert PackIndex.open(idx, 32) is None  # a SHA-1 index read as SHA-256 does not fit
    expected = [*sorted(good, key=good.__getitem__), MADE_UP]
    assert _pack_sorted(objects, [MADE_UP, *reversed(good)]) == expected
    ids = ["ff" * 20, MADE_UP, *good]  # no packs known, or no pack folder: as given
    assert PackOrder(None).sorted(ids) == ids == _pack_sorted(tmp_path, ids)


def _idx(entries: dict[bytes, int]) -> bytes:
    """An idx version 2 holding `entries` (name: offset), offsets past 2 GB in the large table."""
    names = sorted(entries)
    fanout = [sum(name[0] <= byte for name in names) for byte in range(256)]
    offsets = [entries[name] for name in names]
    large = [offset for offset in offsets if offset >= 1 << 31]
    position = count()
    small = [offset if offset < 1 << 31 else 1 << 31 | next(position) for offset in offsets]
    header = b"\377tOc" + struct.pack(">I256I", 2, *fanout)
    crcs = bytes(4 * len(names))  # not read
    tables = struct.pack(f">{len(small)}I{len(large)}Q", *small, *large)
    return header + b"".join(names) + crcs + tables + bytes(40)  # 40: pack and index checksums


def test_large_offsets_are_read_from_the_eight_byte_table(tmp_path: Path) -> None:
    near = b"\x10" + bytes(9) + b"\x10" + bytes(9)
    far = b"\x10" + b"\xff" * 19
    across = b"\x10" + bytes(9) + b"\x10" + b"\xff" * 9  # near's tail + far's head, not a name
    crowd = [b"\x42" + hashlib.sha1(bytes([n])).digest()[1:] for n in range(200)]  # halving
    entries = {near: 12, far: 5_000_000_000, **{n: 1 << (31 + i % 10) for i, n in enumerate(crowd)}}
    path = tmp_path / "pack-large.idx"
    path.write_bytes(_idx(entries))
    index = PackIndex.open(path, 20)
    assert index is not None and index.count == len(entries)
    assert index.offset(near) == 12 and index.offset(far) == 5_000_000_000
    assert {name: index.offset(name) for name in crowd} == {n: entries[n] for n in crowd}
    absent = [across, b"\x10" * 20, b"\x00" * 20, b"\xff" * 20, b"\x42" + b"\x80" * 19]
    assert [index.offset(name) for name in absent] == [None] * len(absent)
    index.close()


class _AskedStream(BlobStream):
    """The real cat-file stream, remembering what it was asked for."""

    def read(self, oids: Sequence[str]) -> Iterator[tuple[str, bytes | None, str]]:
        self.asked = list(oids)
        return super().read(oids)


def _run_repo(tmp_path: Path) -> tuple[Repo, list[RunJob]]:
    """Two files in six versions, packed; a job per file per commit, with its blob ids."""
    repo, paths = Repo(tmp_path / "repo"), ["a.txt", "b.txt"]
    commits = _history(repo, paths, 6)
    repo.git("-c", "pack.threads=1", "repack", "-q", "-a", "-d", "-f")
    blob = {(c, p): repo.git("rev-parse", f"{c}:{p}") for c in commits for p in paths}
    jobs: list[RunJob] = [(f"{p}@0", blob[commits[0], p], ()) for p in paths]
    for number, (old, new) in enumerate(pairwise(commits), 1):
        jobs += [(f"{p}@{number}", blob[new, p], (blob[old, p],)) for p in paths]
    return repo, jobs


def _in_pack_order(repo: Repo, jobs: list[RunJob]) -> list[str]:
    distinct = dict.fromkeys(oid for _, new, old in jobs for oid in (new, *old))
    return _pack_sorted(Git(repo.root).object_directory(), list(distinct))


def _run(repo: Repo, jobs: list[RunJob], budget: int, again: list[str]) -> list[Ready]:
    def read_again(oid: str) -> tuple[bytes | None, str]:
        again.append(oid)
        return Git(repo.root).run("cat-file", "blob", oid), ""

    stream = _AskedStream(Git(repo.root), 10_000_000, "16m")
    try:
        run = PackOrderedRun(stream, PackOrder(Git(repo.root).object_directory()), budget)
        ready = [(j, d, w, dict(held)) for j, d, w, held in run.ready(jobs, read_again)]
    finally:
        stream.close()
    assert stream.asked == _in_pack_order(repo, jobs)  # each blob once, packed order
    assert sorted(label for label, *_ in ready) == sorted(label for label, *_ in jobs)  # each once
    return ready


def _text(label: str, back: int = 0) -> bytes:
    path, number = label.split("@")
    return _version(path, int(number) - back).encode()


BLOB = len(_version("a.txt", 0))  # every version's size


# Git packs each file's newest version first, then the rest oldest first, the two files'
# versions interleaved: three blobs held is enough for all but the newest new version.
@pytest.mark.parametrize(("budget", "reread"), [(10**7, []), (3 * BLOB, ["a.txt@5", "b.txt@5"])])
def test_each_change_comes_with_its_blobs(tmp_path: Path, budget: int, reread: list[str]) -> None:
    repo, jobs = _run_repo(tmp_path)
    again: list[str] = []
    ready = _run(repo, jobs, budget, again)
    assert all(data == _text(label) and why == "" for label, data, why, _ in ready)
    blobs = {label: (new, *old) for label, new, old in jobs}
    for number, (label, _, _, held) in enumerate(ready):
        assert [held[oid] for oid in blobs[label][1:]] == [_text(label, 1)] * len(blobs[label][1:])
        waiting = {oid for later, *_ in ready[number:] for oid in blobs[later]}
        assert held.keys() <= waiting  # a blob no change still needs is not held on to
        assert sum(map(len, held.values())) <= budget
    assert sorted(again) == sorted(new for label, new, _ in jobs if label in reread)


def test_blobs_past_the_budget_are_dropped_and_new_ones_read_again(tmp_path: Path) -> None:
    repo, jobs = _run_repo(tmp_path)
    again: list[str] = []
    ready = _run(repo, jobs, 1, again)
    assert all(data == _text(label) and why == "" for label, data, why, _ in ready)
    # One byte to hold: each blob read drops those before it, so of a job's blobs only the
    # last to arrive is held, and a new blob that arrived before it is read again.
    place = {oid: n for n, oid in enumerate(_in_pack_order(repo, jobs))}
    last = {label: max((new, *old), key=place.__getitem__) for label, new, old in jobs}
    new_of = {label: new for label, new, _ in jobs}
    assert sorted(again) == sorted(new_of[label] for label in last if last[label] != new_of[label])
    assert any(old and last[label] == new_of[label] for label, _, old in jobs)  # previous dropped
    for label, _, _, held in ready:
        assert held == {last[label]: _text(label, int(last[label] != new_of[label]))}


def test_an_unreadable_blob_is_reported_and_the_rest_come_out(tmp_path: Path) -> None:
    repo, jobs = _run_repo(tmp_path)
    gone = "0123" * 10
    jobs += [("broken", gone, (jobs[0][1],)), ("a.txt@1", jobs[2][1], (gone,))]
    jobs.pop(2)  # a.txt@1 comes back with an unreadable previous version
    ready = _run(repo, jobs, 10_000_000, [])
    assert all(
        data == _text(label) and not why for label, data, why, _ in ready if label != "broken"
    )
    ((_, data, why, _),) = [row for row in ready if row[0] == "broken"]
    assert data is None and gone in why and "missing" in why
    assert [gone in held for label, _, _, held in ready if label == "a.txt@1"] == [False]
