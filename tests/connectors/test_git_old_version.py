"""Git before 2.36 (Ubuntu 22.04 ships 2.34) has no `cat-file --batch-command`: blobs are read
with `--batch` there, with the same results. The old git is the real one behind a wrapper that
says it is 2.34.1 and refuses `--batch-command` as git 2.34 does."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import random_key, run_keysprawl
from gitrepo import Repo, write_inventory

from connectors import git_cli
from connectors.git_blobs import BlobReader, BlobTooLarge
from connectors.git_cli import Git

_WRAPPER = """#!/bin/sh
for argument in "$@"; do
  if [ "$argument" = "--batch-command" ]; then
    echo "error: unknown option \\`batch-command'" >&2
    exit 129
  fi
done
if [ "$1" = "version" ]; then
  echo "git version 2.34.1"
  exit 0
fi
exec {git} "$@"
"""


@pytest.fixture
def old_git_path(tmp_path: Path) -> str:
    """A PATH whose `git` behaves as git 2.34."""
    real = shutil.which("git")
    assert real is not None
    folder = tmp_path / "old-git"
    folder.mkdir()
    wrapper = folder / "git"
    wrapper.write_text(_WRAPPER.format(git=real))
    wrapper.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture
def fresh_version_answer() -> Iterator[None]:
    git_cli.has_batch_command.cache_clear()
    yield
    git_cli.has_batch_command.cache_clear()


def _history(repo: Repo, keys: list[str]) -> None:
    """More commits than the parallel readers' threshold, keys added along the way."""
    body = "".join(f"setting_{n} = {n}\n" for n in range(300))
    repo.commit("init", {"settings.py": body, "logo.bin": b"\0\1\2" * 100})
    for n in range(120):
        extra = f"token_{n} = '{keys[n % len(keys)]}'\n" if n % 40 == 7 else ""
        body = f"{body}value_{n} = {n}\n{extra}"
        repo.commit(f"change {n}", {"settings.py": body})


def _scan(
    repo: Repo, inventory: Path, *args: str, path: str | None = None
) -> list[dict[str, object]]:
    result = run_keysprawl(
        "scan",
        repo.root,
        "--inventory",
        inventory,
        "--format",
        "jsonl",
        *args,
        env={"PATH": path} if path else None,
    )
    assert result.code == 1 and "error" not in result.stderr, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_history_read_with_an_old_git_equals_a_new_one(tmp_path: Path, old_git_path: str) -> None:
    keys = [random_key(), random_key(), random_key()]
    repo = Repo(tmp_path / "repo")
    _history(repo, keys)
    inventory = write_inventory(tmp_path / "inv.toml", {f"k{n}": key for n, key in enumerate(keys)})
    since = repo.git("rev-list", "--max-count=1", "--skip=60", "HEAD")

    for args in ((), ("--jobs", "1"), ("--since-commit", since)):
        new = _scan(repo, inventory, *args)
        old = _scan(repo, inventory, *args, path=old_git_path)
        assert old == new and len(new) >= 1, args
    assert {row["key_id"] for row in _scan(repo, inventory, path=old_git_path)} == {
        "k0",
        "k1",
        "k2",
    }


def test_the_hook_with_an_old_git_blocks_a_staged_key(tmp_path: Path, old_git_path: str) -> None:
    """A UTF-16 file is binary to git: the hook reads its staged blob whole."""
    key, other = random_key(), random_key()
    repo = Repo(tmp_path / "repo")
    repo.commit("init", {"app.py": "print('hi')\n"})
    repo.write("app.py", f"print('hi')\nTOKEN = '{key}'\n")
    repo.write("settings.cfg", f"[api]\ntoken = {other}\n".encode("utf-16"))
    repo.git("add", "app.py", "settings.cfg")
    inventory = write_inventory(tmp_path / "inv.toml", {"payments": key, "search": other})

    result = run_keysprawl(
        "hook", "--inventory", inventory, cwd=repo.root, env={"PATH": old_git_path}
    )

    assert result.code == 1 and "app.py:2:10" in result.stderr
    assert "settings.cfg" in result.stderr and "search" in result.stderr
    assert key not in result.stderr and other not in result.stderr


@pytest.mark.usefixtures("fresh_version_answer")
def test_an_old_git_skips_a_blob_too_large_and_reads_the_next(
    tmp_path: Path, old_git_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("init", {"big.txt": "x" * 100_000, "small.txt": "small\n"})
    big, small = (repo.git("rev-parse", f"HEAD:{name}") for name in ("big.txt", "small.txt"))
    monkeypatch.setenv("PATH", old_git_path)
    assert not git_cli.has_batch_command()
    reader = BlobReader(Git(repo.root), max_size=1000)
    try:
        with pytest.raises(BlobTooLarge):
            reader.read(big)
        assert reader.read(small) == b"small\n"
    finally:
        reader.close()
