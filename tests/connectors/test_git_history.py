"""The git connector on real repositories: what history holds and who introduced it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import random_key
from gitrepo import Repo, write_inventory

from connectors.git import GitConnector, GitScanOptions
from scanner import engine, inventory, setup
from scanner.engine import ScanResult
from scanner.model import Occurrence

STRATEGIES = ["lines", "patches", "blobs"]


def scan_repo(tmp_path: Path, target: str, keys: dict[str, str], **options: object) -> ScanResult:
    loaded = inventory.load(write_inventory(tmp_path / "inventory.toml", keys))
    return engine.scan(
        [GitConnector(target, GitScanOptions(**options))],  # type: ignore[arg-type]
        detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
        classifier=setup.classifier(loaded),
    )


def places(result: ScanResult) -> list[tuple[str | None, str | None, int | None]]:
    return [
        (o.location.path or o.location.field, o.location.commit, o.location.line)
        for f in result.findings
        for o in f.occurrences
    ]


def occurrences(result: ScanResult) -> list[Occurrence]:
    return [o for f in result.findings for o in f.occurrences]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_copy_is_attributed_to_the_commit_that_added_it(
    repo: Repo, tmp_path: Path, strategy: str
) -> None:
    key = random_key()
    repo.commit("init", {"app.py": "x = 1\n"})
    added = repo.commit("add key", {"app.py": f"x = 1\ntoken = '{key}'\n"})
    for n in range(5):  # later edits elsewhere in the file do not re-introduce the copy
        repo.commit(f"edit {n}", {"app.py": f"# edit {n}\nx = 1\ntoken = '{key}'\n"})
    repo.commit("remove", {"app.py": "x = 1\n"})

    result = scan_repo(tmp_path, str(repo.root), {"k1": key}, worktree=False, strategy=strategy)

    assert len(result.findings) == 1
    assert places(result) == [("app.py", added, 2)]
    location = occurrences(result)[0].location
    assert location.author == "Ada Test <ada@example.test>"
    assert location.ref == "main" and location.date


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_ref_is_walked_and_messages_are_scanned(
    repo: Repo, tmp_path: Path, strategy: str
) -> None:
    on_tag, in_message, on_branch = random_key(), random_key(), random_key()
    repo.commit("init", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "gone")
    tagged = repo.commit("tagged only", {"t.env": f"KEY={on_tag}\n"})
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "gone")
    repo.git("checkout", "-q", "-b", "unmerged")
    branch = repo.commit("unmerged", {"b.yml": f"key: {on_branch}\n"})
    repo.git("checkout", "-q", "main")
    message = repo.commit(f"oops {in_message}")
    keys = {"tag": on_tag, "msg": in_message, "branch": on_branch}

    result = scan_repo(tmp_path, str(repo.root), keys, worktree=False, strategy=strategy)

    found = {f.key_id: f.occurrences[0].location for f in result.findings}
    assert (found["tag"].commit, found["tag"].path, found["tag"].ref) == (tagged, "t.env", "v1")
    assert (found["branch"].commit, found["branch"].ref) == (branch, "unmerged")
    assert (found["msg"].commit, found["msg"].field) == (message, "commit-message")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_merge_resolution_and_rename_introduce_copies(
    repo: Repo, tmp_path: Path, strategy: str
) -> None:
    evil, moved = random_key(), random_key()
    repo.commit("init", {"a.txt": "base\n", "old.cfg": f"k={moved}\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"a.txt": "side\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"a.txt": "main\n"})
    subprocess_ok = repo.git("merge", "-q", "side", "-m", "merge", "-s", "ours")
    assert subprocess_ok == ""
    repo.write("a.txt", f"resolved {evil}\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "--no-edit")
    merge = repo.git("rev-parse", "HEAD")
    repo.git("mv", "old.cfg", "new.cfg")
    renamed = repo.commit("rename")

    result = scan_repo(
        tmp_path, str(repo.root), {"evil": evil, "moved": moved}, worktree=False, strategy=strategy
    )

    found = {
        f.key_id: [(o.location.path, o.location.commit) for o in f.occurrences]
        for f in result.findings
    }
    assert found["evil"] == [("a.txt", merge)]
    assert ("new.cfg", renamed) in found["moved"] and found["moved"][0][0] == "old.cfg"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_binary_files_and_split_pem_are_read_whole(
    repo: Repo, tmp_path: Path, strategy: str
) -> None:
    key = random_key()
    repo.commit("init", {"blob.bin": b"\0\1\2" + key.encode() + b"\0"})
    result = scan_repo(tmp_path, str(repo.root), {"k": key}, worktree=False, strategy=strategy)
    assert places(result)[0][0] == "blob.bin"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_scoping_matches_the_full_scan_restricted(
    repo: Repo, tmp_path: Path, strategy: str
) -> None:
    keys = {f"k{n}": random_key() for n in range(4)}
    commits = [
        repo.commit(f"c{n}", {f"f{n}.txt": f"v={value}\n"}) for n, value in enumerate(keys.values())
    ]
    full = places(scan_repo(tmp_path, str(repo.root), keys, worktree=False, strategy=strategy))
    scoped = places(
        scan_repo(
            tmp_path,
            str(repo.root),
            keys,
            worktree=False,
            since_commit=commits[1],
            strategy=strategy,
        )
    )
    assert scoped == [p for p in full if p[1] in commits[2:]]
    assert len(scoped) == 2


def test_worktree_holds_untracked_but_not_ignored_files(repo: Repo, tmp_path: Path) -> None:
    tracked, untracked, ignored = random_key(), random_key(), random_key()
    repo.commit("init", {".gitignore": "*.log\n", "a.txt": f"{tracked}\n"})
    repo.write("new.txt", f"{untracked}\n")
    repo.write("debug.log", f"{ignored}\n")
    keys = {"t": tracked, "u": untracked, "i": ignored}

    result = scan_repo(tmp_path, str(repo.root), keys, history=False)

    assert sorted((f.key_id, f.occurrences[0].source) for f in result.findings) == [
        ("t", "worktree"),
        ("u", "worktree"),
    ]


def test_the_ref_names_every_ref_that_reaches_the_commit(repo: Repo, tmp_path: Path) -> None:
    key = random_key()
    repo.commit("init", {"a.txt": "a\n"})
    repo.commit("key", {"k.txt": f"{key}\n"})
    repo.git("tag", "-a", "v1", "-m", "release")
    repo.git("branch", "feature")
    for n in range(4):
        repo.git("tag", f"t{n}")

    result = scan_repo(tmp_path, str(repo.root), {"k": key}, worktree=False)

    assert occurrences(result)[0].location.ref == "main, feature, t0 (+4 more)"


def test_with_reflogs_every_commit_names_a_ref_or_its_reflog_entry(
    repo: Repo, tmp_path: Path
) -> None:
    on_main, reset_away = random_key(), random_key()
    repo.commit("init", {"a.txt": f"{on_main}\n"})
    dropped = repo.commit("dropped", {"b.txt": f"{reset_away}\n"})
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.commit("after", {"c.txt": "c\n"})
    keys = {"main": on_main, "gone": reset_away}

    result = scan_repo(tmp_path, str(repo.root), keys, worktree=False, all_objects=True)

    found = {f.key_id: f.occurrences[0].location for f in result.findings}
    assert found["main"].ref == "main"
    assert (found["gone"].commit, found["gone"].ref) == (
        dropped,
        "main@{2}",
    )  # after, the reset, then it


def test_past_the_ref_limit_the_first_refs_are_still_named(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import git_refs

    monkeypatch.setattr(git_refs, "MAX_REFS", 2)
    shared, side = random_key(), random_key()
    repo.commit("init", {"a.txt": f"{shared}\n"})
    repo.git("branch", "second")
    repo.git("checkout", "-q", "-b", "zz-side")
    repo.commit("side", {"b.txt": f"{side}\n"})
    repo.git("checkout", "-q", "main")

    result = scan_repo(tmp_path, str(repo.root), {"s": shared, "x": side}, worktree=False)

    found = {f.key_id: f.occurrences[0].location.ref for f in result.findings}
    assert found == {"s": "main, second", "x": "zz-side"}  # x: the name the walk gave
