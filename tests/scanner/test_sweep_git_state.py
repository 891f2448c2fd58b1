"""The sweep's cheap change check for git sources (scanner.sweep.git_state, cursors.plan)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import Repo

from scanner.sweep import git_state as git_state_module
from scanner.sweep.cursors import plan
from scanner.sweep.git_state import NO_WORKTREE, git_state
from scanner.sweep.sources import Source
from scanner.targets import TargetOptions


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("first", {"a.txt": "one\n"})
    return repo


@pytest.fixture
def no_racy_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files these tests write are seconds old at most: trust their times at once.
    monkeypatch.setattr(git_state_module, "RACY_NS", 0)


def cursor_of(target: Path) -> dict[str, object]:
    return git_state(str(target)).cursor()


def test_the_tips_are_those_ls_remote_lists(repo: Repo) -> None:
    repo.git("branch", "side")
    repo.git("tag", "-a", "v1", "-m", "release")
    listed = subprocess.run(
        ["git", "ls-remote", "--", str(repo.root)], capture_output=True, text=True, check=True
    ).stdout
    expected = {
        ref: sha
        for sha, ref in (line.split("\t") for line in listed.splitlines())
        if not ref.endswith("^{}")
    }
    assert git_state(str(repo.root)).tips == expected
    assert {"HEAD", "refs/heads/main", "refs/heads/side", "refs/tags/v1"} <= set(expected)


def test_an_untouched_repository_is_the_same(repo: Repo, no_racy_margin: None) -> None:
    before = cursor_of(repo.root)
    assert git_state(str(repo.root)).same_as(before)


@pytest.mark.parametrize(
    "change",
    [
        lambda repo: repo.commit("second", {"b.txt": "two\n"}),
        lambda repo: repo.git("branch", "side"),
        lambda repo: repo.git("tag", "v2"),
        lambda repo: repo.git("commit", "-q", "--amend", "-m", "rewritten"),
        lambda repo: repo.write("a.txt", "edited, not committed\n"),
        lambda repo: repo.write("new.txt", "untracked\n"),
        lambda repo: repo.write("deep/er/new.txt", "untracked in a new folder\n"),
        lambda repo: repo.git("update-ref", "refs/heads/main", "HEAD~1"),
        lambda repo: repo.git("checkout", "-q", "--detach", "HEAD~1"),
    ],
    ids=[
        "commit",
        "new-branch",
        "new-tag",
        "amend",
        "edit",
        "untracked",
        "untracked-folder",
        "ref-moved-back",
        "detached-head",
    ],
)
@pytest.mark.parametrize("packed", [False, True], ids=["loose", "packed"])
def test_every_change_is_seen(
    repo: Repo, no_racy_margin: None, change: object, packed: bool
) -> None:
    repo.commit("base", {"base.txt": "base\n"})
    if packed:
        repo.git("pack-refs", "--all")
    before = cursor_of(repo.root)
    assert before["refs"]  # the ref files' digest is kept with the tips
    change(repo)  # type: ignore[operator]
    assert not git_state(str(repo.root), before).same_as(before)


@pytest.mark.parametrize("packed", [False, True], ids=["loose", "packed"])
def test_a_deleted_branch_is_seen(repo: Repo, no_racy_margin: None, packed: bool) -> None:
    repo.git("branch", "side")
    if packed:
        repo.git("pack-refs", "--all")
    before = cursor_of(repo.root)
    repo.git("branch", "-D", "side")
    assert not git_state(str(repo.root), before).same_as(before)


def test_unchanged_ref_files_spare_reading_the_tips(repo: Repo, no_racy_margin: None) -> None:
    kept = {**cursor_of(repo.root), "tips": {"HEAD": "0" * 40}}  # what an earlier read said
    assert git_state(str(repo.root), kept).tips == {"HEAD": "0" * 40}
    repo.git("branch", "side")
    assert "refs/heads/side" in git_state(str(repo.root), kept).tips


def test_recently_written_ref_files_are_read_again(repo: Repo) -> None:
    state = git_state(str(repo.root))  # the commit was a moment ago: within the racy margin
    assert state.refs is None and "refs" not in state.cursor()


def test_a_linked_worktree_sees_its_own_and_the_shared_refs(
    repo: Repo, tmp_path: Path, no_racy_margin: None
) -> None:
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "wt", str(linked))
    before = cursor_of(linked)
    assert before["refs"] and git_state(str(linked), before).same_as(before)
    repo.git("branch", "side")  # a shared ref, changed from the main worktree
    after = git_state(str(linked), before)
    assert not after.same_as(before) and "refs/heads/side" in after.tips
    (linked / "c.txt").write_text("on the linked branch\n")
    repo.git("-C", str(linked), "add", "c.txt")
    repo.git("-C", str(linked), "commit", "-q", "-m", "linked")  # its HEAD moves
    assert not git_state(str(linked), after.cursor()).same_as(after.cursor())


def test_a_dirty_file_edited_again_is_seen(repo: Repo, no_racy_margin: None) -> None:
    repo.write("a.txt", "first edit\n")
    before = cursor_of(repo.root)
    assert git_state(str(repo.root)).same_as(before)  # the same dirty tree: nothing new
    repo.write("a.txt", "second, longer edit\n")
    assert not git_state(str(repo.root)).same_as(before)


def test_an_ignored_file_is_no_change(repo: Repo, no_racy_margin: None) -> None:
    repo.commit("ignore logs", {".gitignore": "*.log\n"})
    before = cursor_of(repo.root)
    repo.write("debug.log", "not scanned, so no reason to scan\n")
    assert git_state(str(repo.root)).same_as(before)


def test_a_just_modified_file_is_never_vouched_for(repo: Repo) -> None:
    repo.write("a.txt", "edited a moment ago\n")  # within the racy margin
    state = git_state(str(repo.root))
    assert state.worktree is None
    assert not state.same_as({"tips": state.tips, "worktree": None})


def test_a_bare_repository_has_no_working_tree(repo: Repo, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(bare)], check=True)
    state = git_state(str(bare))
    assert state.worktree == NO_WORKTREE and state.tips["refs/heads/main"]
    assert state.same_as(cursor_of(bare))


def test_a_folder_or_an_empty_repository_is_never_unchanged(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    empty = Repo(tmp_path / "empty")
    for target in (tmp_path / "plain", empty.root, tmp_path / "missing"):
        state = git_state(str(target))
        assert state.tips == {} and not state.same_as(cursor_of(target))


def test_plan_skips_only_with_a_usable_cursor(repo: Repo, no_racy_margin: None) -> None:
    source = Source("git", "app", str(repo.root))
    first = plan(source, None, "stamp-1", TargetOptions(), full=False)
    assert not first.unchanged and not first.incremental
    again = plan(source, first.next_cursor, "stamp-1", TargetOptions(), full=False)
    assert again.unchanged and again.next_cursor == first.next_cursor
    assert not plan(source, first.next_cursor, "stamp-2", TargetOptions(), full=False).unchanged
    assert not plan(source, first.next_cursor, "stamp-1", TargetOptions(), full=True).unchanged
    old_cursor = {"stamp": "stamp-1", "tips": first.next_cursor["tips"]}  # before this check
    assert not plan(source, old_cursor, "stamp-1", TargetOptions(), full=False).unchanged
