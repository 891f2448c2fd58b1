"""Git's walks started before the scan asks: the scan gets the very answers it would have
got (each walk run once, not twice), any other command runs as usual, a guess that does
not come true is dropped, and only a plainly named repository is guessed at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import random_key
from gitrepo import Repo, write_inventory
from test_git_history import occurrences, scan_repo

from connectors import git_cli
from connectors.git_cli import EARLY, Git, GitError, open_repository
from connectors.git_early import ask_early
from connectors.git_history import Selection, list_commits
from connectors.git_refs import ref_graph


@pytest.fixture(autouse=True)
def _nothing_left_early() -> Iterator[None]:
    yield
    EARLY.drop()


def _branchy(root: Path, key: str) -> Repo:
    """Branches, a tag, an unmerged branch and a detached HEAD: every ref the walks name."""
    repo = Repo(root)
    repo.commit("base", {"a.txt": "nothing yet\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", {"b.txt": f"token = {key}\n"})
    repo.git("tag", "-a", "v1", "-m", "release")
    repo.git("checkout", "-q", "main")
    repo.commit("main moves", {"a.txt": "still nothing\n"})
    repo.git("checkout", "-q", "--detach", "feature")
    repo.commit("detached", {"c.txt": f"again {key}\n"})
    return repo


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The git commands run from here on (not those answered early)."""
    commands: list[list[str]] = []
    run = subprocess.run

    def recording(command: list[str], *args: object, **kwargs: object) -> object:
        commands.append(command)
        return run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(git_cli.subprocess, "run", recording)
    return commands


def test_the_scan_gets_the_answers_started_early_and_asks_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _branchy(tmp_path / "repo", random_key())
    plain_git = open_repository(repo.root)
    expected = list_commits(plain_git, Selection()), ref_graph(plain_git)
    ask_early(["--format", "jsonl", str(repo.root)])
    asked = _asked(monkeypatch)
    git = open_repository(repo.root)
    assert (list_commits(git, Selection()), ref_graph(git)) == expected
    assert git.is_shallow() is False
    assert asked == []  # every question above was answered by what was started early
    git.run("rev-parse", "--is-shallow-repository")
    assert len(asked) == 1  # once taken, an answer is gone: the same question runs again


def test_another_question_or_folder_runs_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _branchy(tmp_path / "repo", random_key())
    ask_early([str(repo.root)])
    asked = _asked(monkeypatch)
    scoped = Selection(revisions=("main",))
    assert [c.id for c in list_commits(Git(repo.root), scoped)] == repo.git(
        "rev-list", "--reverse", "--topo-order", "main"
    ).split()
    assert any("log" in command for command in asked)  # another walk: git asked
    link = tmp_path / "link"
    link.symlink_to(repo.root)  # the same repository by another name: not the same ask
    assert Git(link).run("rev-parse", "--is-bare-repository").strip() == b"false"
    assert any(str(link) in command for command in asked)


def test_an_early_failure_is_the_same_failure(tmp_path: Path) -> None:
    git = Git(tmp_path / "absent")
    EARLY.start(git, "rev-parse", "HEAD")
    with pytest.raises(GitError) as early:
        git.run("rev-parse", "HEAD")
    with pytest.raises(GitError) as late:
        git.run("rev-parse", "HEAD")
    assert str(early.value) == str(late.value) != ""


def _started_walk(tmp_path: Path) -> tuple[list[str], subprocess.Popen[bytes]]:
    """A walk started early (never asked for yet): its command and its process."""
    git = Git(_branchy(tmp_path / "repo", random_key()).root)
    EARLY.start(git, "log", "--format=%H", "--all")
    command = git.command("log", "--format=%H", "--all")
    return command, EARLY._started[tuple(command)]


def test_an_early_walk_runs_below_the_scan_s_own_priority(tmp_path: Path) -> None:
    _, process = _started_walk(tmp_path)
    niceness = os.getpriority(os.PRIO_PROCESS, process.pid)  # unreaped until taken: readable
    assert niceness == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)


def test_what_nobody_asked_for_is_ended(tmp_path: Path) -> None:
    command, process = _started_walk(tmp_path)
    EARLY.drop()
    assert process.poll() is not None
    assert EARLY.take(command) is None


def test_a_forked_reader_asks_git_itself_for_what_its_parent_started(tmp_path: Path) -> None:
    """A history reader forked while a walk started early is still untaken gets git's
    real answer, not the parent's process (which it cannot wait for, and whose output it
    would read as empty)."""
    import multiprocessing

    command, _ = _started_walk(tmp_path)
    git = Git(Path(command[2]))  # the command is git -C ROOT ...
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe(duplex=False)

    def walk_in_child() -> None:
        child_end.send(git.run("log", "--format=%H", "--all"))

    child = context.Process(target=walk_in_child)
    child.start()
    walked = parent_end.recv()
    child.join()
    assert walked == git.run("log", "--format=%H", "--all") != b""  # the parent's own take


@pytest.mark.parametrize(
    "arguments",
    [
        ["REPO", "--branch", "main"],
        ["REPO", "--since=2024-01-01"],
        ["REPO", "--since-commit", "abc"],
        ["REPO", "--all-objects"],
        ["REPO", "--no-history"],
        ["REPO", "--help"],
        ["REPO", "OTHER"],  # two repositories: no guess
        ["PLAIN"],  # a folder that is no repository
        ["-"],
        [],
    ],
)
def test_only_a_plain_scan_of_one_repository_is_guessed(
    tmp_path: Path, arguments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {
        "REPO": Repo(tmp_path / "repo").root,
        "OTHER": Repo(tmp_path / "other").root,
        "PLAIN": tmp_path / "plain",
    }
    names["PLAIN"].mkdir()
    asked = _asked(monkeypatch)
    ask_early([str(names.get(word, word)) for word in arguments])
    assert asked == [] and EARLY._started == {} and EARLY._answers == {}


def test_a_folder_that_cannot_be_read_is_left_to_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests run as root, whom permissions do not stop: a folder refusing to be looked
    at is played by `stat` failing as it would."""
    repo = Repo(tmp_path / "repo")

    def refused(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_dir", refused)
    ask_early([str(repo.root)])
    assert EARLY._started == {} and EARLY._answers == {}


def test_the_command_line_scan_runs_each_walk_once_with_the_same_findings(
    tmp_path: Path,
) -> None:
    """`keysprawl scan` as a user runs it (its entry point asks early), against the
    connector scanning without it: the same copies, and git walked each graph once."""
    key = random_key()
    repo = _branchy(tmp_path / "repo", key)
    inventory = write_inventory(tmp_path / "inventory.toml", {"k1": key})
    trace = tmp_path / "trace.json"
    command = [sys.executable, "-m", "scanner", "scan", str(repo.root), "--no-worktree"]
    command += ["--inventory", str(inventory), "--format", "jsonl"]
    env = {**os.environ, "GIT_TRACE2_EVENT": str(trace)}
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    assert done.returncode == 1, done.stderr  # copies found
    records = [json.loads(line) for line in done.stdout.splitlines()]
    fields = ("commit", "path", "line", "ref")
    found = sorted(tuple(r["location"][field] for field in fields) for r in records)
    direct = occurrences(scan_repo(tmp_path, str(repo.root), {"k1": key}, worktree=False))
    assert found == sorted(tuple(getattr(o.location, field) for field in fields) for o in direct)
    assert len(found) == 2
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    started = [e["argv"] for e in events if e["event"] == "start"]
    walks = [word for argv in started for word in argv if word in ("log", "rev-list")]
    assert sorted(walks) == ["log", "rev-list"]  # each walk once: the scan took them
