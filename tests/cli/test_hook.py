"""`keysprawl hook`: the staged change (and pushed commits), on the import-light fast path."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import random_key, run_keysprawl
from gitrepo import Repo, write_inventory

from scanner.cli.hook import parser


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("init", {"app.py": "".join(f"line {n}\n" for n in range(1, 21))})
    return repo


def hook(repo: Repo, inventory: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    result = run_keysprawl("hook", "--inventory", inventory, *args, cwd=repo.root, stdin=stdin)
    return result.code, result.stdout, result.stderr


def test_a_staged_key_blocks_the_commit(repo: Repo, tmp_path: Path) -> None:
    key = random_key()
    inventory = write_inventory(tmp_path / "inv.toml", {"payments": key})
    repo.write("app.py", (repo.root / "app.py").read_text() + f"TOKEN = '{key}'\n")
    repo.git("add", "app.py")

    code, out, err = hook(repo, inventory)

    assert code == 1
    assert "app.py:21:10" in err and "payments" in err and "owner: team-payments" in err
    assert f"…{key[-4:]}" in err and "revoke by" in err and "secret store" in err
    assert key not in out + err


def test_only_lines_added_by_this_commit_count(repo: Repo, tmp_path: Path) -> None:
    key = random_key()
    inventory = write_inventory(tmp_path / "inv.toml", {"old": key})
    repo.commit("already there", {"conf.ini": f"k={key}\n"})
    repo.write("conf.ini", f"# unrelated edit\nk={key}\n")
    repo.write("other.txt", "clean\n")
    repo.git("add", "-A")

    assert hook(repo, inventory) == (0, "", "")


def test_jsonl_says_staged(repo: Repo, tmp_path: Path) -> None:
    key = random_key()
    inventory = write_inventory(tmp_path / "inv.toml", {"k": key})
    repo.write("new.env", f"A=1\nB={key}\n")
    repo.git("add", "new.env")

    code, out, _ = hook(repo, inventory, "--format", "jsonl")

    record = json.loads(out)
    assert code == 1 and record["source"] == "staged" and record["key_id"] == "k"
    assert record["location"]["path"] == "new.env" and record["location"]["line"] == 2


def test_pre_push_scans_the_commits_being_pushed(repo: Repo, tmp_path: Path) -> None:
    key = random_key()
    inventory = write_inventory(tmp_path / "inv.toml", {"k": key})
    remote = tmp_path / "remote.git"
    repo.git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    base = repo.git("rev-parse", "HEAD")
    leak = repo.commit("leak", {"x.cfg": f"key={key}\n"})
    stdin = f"refs/heads/main {leak} refs/heads/main {base}\n"

    code, _, err = hook(repo, inventory, "--stage", "pre-push", stdin=stdin)
    clean_code, _, _ = hook(repo, inventory, "--stage", "pre-push", stdin=f"x {base} y {base}\n")

    assert code == 1 and f"x.cfg @ {leak[:12]}:1:5" in err
    assert clean_code == 0


def test_bad_input_is_one_line(repo: Repo, tmp_path: Path) -> None:
    missing = run_keysprawl("hook", "--inventory", tmp_path / "nope.toml", cwd=repo.root)
    bad_stage = run_keysprawl("hook", "--stage", "post-merge", cwd=repo.root)
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    outside = run_keysprawl("hook", "--inventory", inventory, cwd=tmp_path)
    assert missing.code == 2 and len(missing.stderr.splitlines()) == 1
    assert bad_stage.code == 2
    assert outside.code == 2 and "not a git repository" in outside.stderr


def hook_imports(repo: Repo, inventory: Path) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scanner", "hook", "--inventory", inventory],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-500:]
    return set(re.findall(r"\|\s+([\w.]+)$", completed.stderr, re.MULTILINE))


def test_the_hook_imports_no_cli_framework_or_pool(repo: Repo, tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    imported = hook_imports(repo, inventory)
    assert "scanner.cli.hook" in imported
    heavy = {"click", "tqdm", "git", "concurrent.futures.process", "multiprocessing", "github"}
    heavy |= {"tarfile", "gitlab", "jira", "sqlite3"}
    assert heavy.isdisjoint(imported)


def test_a_clean_commit_loads_only_what_matching_needs(repo: Repo, tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "inv.toml", {"k": random_key()})
    repo.write("app.py", "clean = 1\n")
    repo.git("add", "app.py")
    hook_imports(repo, inventory)  # the first run parses the inventory and fills the cache
    imported = hook_imports(repo, inventory)
    assert {"scanner.inventory_cache", "detectors.base"} <= imported
    # Each of these cost every commit milliseconds: parsers of files that are cached, archive
    # readers for plain text, report formats for a clean result, shutil via argparse.
    unused = {"tomllib", "shutil", "zipfile", "scanner.config", "scanner.baseline"}
    unused |= {"detectors.decoders.archives", "scanner.report.render", "connectors.filesystem"}
    assert unused.isdisjoint(imported)


@pytest.mark.parametrize("columns", ["60", "120", "", "junk"])
def test_help_is_sized_as_argparse_sizes_it(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    hook_parser = parser()
    ours = hook_parser.format_help()
    hook_parser.formatter_class = argparse.HelpFormatter  # the one that asks shutil
    assert ours == hook_parser.format_help()
