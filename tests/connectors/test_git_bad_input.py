"""The git connector on awkward repositories: each is scanned as far as it can be."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from conftest import random_key, run_keysprawl
from gitrepo import Repo, write_inventory
from test_git_history import places, scan_repo


def test_not_a_repository_with_git_options_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    result = run_keysprawl("scan", tmp_path / "plain", "--branch", "main", "--inventory", inventory)
    assert result.code == 2
    assert "not a git repository" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_branch_option_that_looks_like_a_git_option_is_a_usage_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "nothing\n"})
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    written = tmp_path / "written"
    result = run_keysprawl(
        "scan", repo.root, f"--branch=--output={written}", "--inventory", inventory
    )
    assert result.code == 2 and "not a ref name" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not written.exists()


def test_without_git_installed_a_repository_scan_says_so(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "nothing\n"})
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    no_git = tmp_path / "empty-path"
    no_git.mkdir()
    result = run_keysprawl("scan", repo.root, "--inventory", inventory, env={"PATH": str(no_git)})
    assert result.code == 3 and "Traceback" not in result.stderr
    assert "git is not installed" in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def test_unreachable_url_is_an_incomplete_scan(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    missing = (tmp_path / "nope.git").as_uri()
    result = run_keysprawl("scan", missing, "--inventory", inventory)
    assert result.code == 3
    assert "cannot clone" in result.stdout


def test_url_is_cloned_as_a_mirror_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = random_key()
    repo = Repo(tmp_path / "origin")
    repo.commit("init", {"a.txt": f"{key}\n"})
    repo.git("update-ref", "refs/pull/1/head", repo.commit("pr", {"b.txt": "b\n"}))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))

    result = scan_repo(tmp_path, repo.root.as_uri(), {"k": key})

    assert [p[0] for p in places(result)] == ["a.txt"]
    assert result.findings[0].occurrences[0].location.repo == repo.root.as_uri()
    assert list(temporary.iterdir()) == []


def test_shallow_clone_is_scanned_and_said_to_be_shallow(tmp_path: Path) -> None:
    old, new = random_key(), random_key()
    repo = Repo(tmp_path / "origin")
    repo.commit("old", {"a.txt": f"{old}\n"})
    repo.commit("new", {"b.txt": f"{new}\n"})
    shallow = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", repo.root.as_uri(), str(shallow))

    result = scan_repo(tmp_path, str(shallow), {"old": old, "new": new}, worktree=False)

    # The cut commit shows its whole tree as added: what is there is scanned.
    assert {f.key_id for f in result.findings} == {"old", "new"}
    assert any("shallow" in note for note in result.notes)
    assert result.complete


def history_with_unreadable_commits(repo: Repo, around: int) -> tuple[list[str], str, str]:
    """`around` readable commits, two whose tree is corrupt, `around` more: (every commit,
    oldest first; the two unreadable ones)."""
    ids = [repo.commit(f"c{n}", {f"f{n}.txt": f"{n}\n"}) for n in range(around)]
    broken = repo.commit("broken", {"bad.txt": "to be corrupted\n"})
    repo.git("rm", "-q", "bad.txt")
    dropped = repo.commit("drop")
    _corrupt(repo, repo.git("rev-parse", f"{broken}^{{tree}}"))  # both commits need this tree
    ids += [broken, dropped]
    ids += [repo.commit(f"d{n}", {f"g{n}.txt": f"{n}\n"}) for n in range(around)]
    return ids, broken, dropped


def _corrupt(repo: Repo, oid: str) -> None:
    loose = repo.root / ".git" / "objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not zlib at all")


def test_corrupt_object_is_reported_and_the_walk_goes_on(tmp_path: Path) -> None:
    before, after = random_key(), random_key()
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": f"{before}\n"})
    broken = repo.commit("two", {"bad.txt": "this blob will be corrupted\n"})
    _corrupt(repo, repo.git("rev-parse", "HEAD:bad.txt"))
    (repo.root / "bad.txt").unlink()  # else git reads the file from the working tree
    repo.git("rm", "-q", "--cached", "bad.txt")
    repo.git("commit", "-q", "-m", "drop")
    last = repo.commit("three", {"c.txt": f"{after}\n"})
    inventory = write_inventory(tmp_path / "inv.toml", {"before": before, "after": after})

    result = scan_repo(tmp_path, str(repo.root), {"before": before, "after": after}, worktree=False)
    cli = run_keysprawl("scan", repo.root, "--no-worktree", "--inventory", inventory)

    assert {f.key_id for f in result.findings} == {"before", "after"}
    assert last in {p[1] for p in places(result)}
    assert [p.where for p in result.problems] == [f"{repo.root} commit {broken}"]
    assert cli.code == 3 and "error:" in cli.stdout
    assert before not in cli.stdout + cli.stderr and after not in cli.stdout + cli.stderr


def test_corrupt_index_is_a_problem_line_not_an_internal_error(tmp_path: Path) -> None:
    key = random_key()
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": f"{key}\n"})
    (repo.root / ".git" / "index").write_bytes(b"not an index")
    inventory = write_inventory(tmp_path / "inv.toml", {"k": key})

    result = scan_repo(tmp_path, str(repo.root), {"k": key})
    cli = run_keysprawl("scan", repo.root, "--inventory", inventory)

    # Git refuses history and working tree alike; the working tree's failure is one line.
    worktree = [p.message for p in result.problems if p.where == str(repo.root)]
    assert len(worktree) == 1 and "index" in worktree[0]
    assert cli.code == 3 and "internal error" not in cli.stderr and "index" in cli.stdout
    assert key not in cli.stdout + cli.stderr


def test_a_branch_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "a\n"})
    written = tmp_path / "written"

    result = scan_repo(tmp_path, str(repo.root), {}, branches=(f"--output={written}",))

    assert [p.message for p in result.problems] == [f"--output={written}: not a revision"]
    assert not written.exists()


def test_submodule_is_recorded_not_followed(tmp_path: Path) -> None:
    inner_key = random_key()
    inner = Repo(tmp_path / "inner")
    inner.commit("inner", {"secret.txt": f"{inner_key}\n"})
    outer = Repo(tmp_path / "outer")
    outer.commit("init", {"a.txt": "a\n"})
    outer.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        inner.root.as_uri(),
        "vendor/inner",
    )
    outer.commit("add submodule")

    result = scan_repo(tmp_path, str(outer.root), {"inner": inner_key})

    assert result.findings == []
    assert any("submodule vendor/inner" in note for note in result.notes)


def test_huge_binary_blob_is_skipped_and_odd_names_are_kept(tmp_path: Path) -> None:
    key = random_key()
    repo = Repo(tmp_path / "repo")
    name = b"caf\xe9-\xff.txt"  # Latin-1, not UTF-8
    repo.commit("odd", {name: f"k={key}\n", "big.bin": b"\0" * 4096 + key.encode()})

    result = scan_repo(tmp_path, str(repo.root), {"k": key}, max_file_size=1024)

    paths = {p[0] for p in places(result)}
    assert paths == {"caf\ufffd-\ufffd.txt"}
    assert result.stats.skipped.get("too large", 0) >= 1


def test_a_bare_repository_is_scanned(tmp_path: Path) -> None:
    key = random_key()
    repo = Repo(tmp_path / "origin")
    repo.commit("init", {"a.txt": f"{key}\n"})
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.root), str(bare))

    result = scan_repo(tmp_path, str(bare), {"k": key})

    assert [p[0] for p in places(result)] == ["a.txt"] and result.complete


def test_parallel_readers_keep_order_and_report_the_broken_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import git_history
    from connectors.git_cli import Git

    monkeypatch.setattr(git_history, "_MIN_PARALLEL", 1)
    monkeypatch.setattr(git_history, "_MIN_BATCH", 2)
    repo = Repo(tmp_path / "repo")
    ids, broken, dropped = history_with_unreadable_commits(repo, 5)
    problems: list[str] = []

    read = git_history.read_commits(
        Git(repo.root), ids, lambda commit, _: problems.append(commit), workers=3
    )

    assert [record.id for record in read] == [c for c in ids if c not in (broken, dropped)]
    assert sorted(problems) == sorted([broken, dropped])  # readers run side by side


def test_a_forked_worker_does_not_keep_git_waiting(tmp_path: Path) -> None:
    """The engine's pool forks while git processes run: their input must still end."""
    from connectors.git_cli import Git

    repo = Repo(tmp_path / "repo")
    repo.commit("init", {"a.txt": "a\n"})
    process = Git(repo.root).popen(["cat-file", "--batch"], stdin=True)
    child = os.fork()
    if child == 0:  # a worker that lives on for a while
        time.sleep(3)
        os._exit(0)
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        assert process.wait(timeout=2) == 0
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
