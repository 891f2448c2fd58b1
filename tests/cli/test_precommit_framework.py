"""The real pre-commit framework installs keysprawl from this repository and runs its hook.

`pre-commit try-repo` uses the committed HEAD of the repository it is given, so the test
commits a snapshot of this source tree (tracked files as they are on disk now) into a
temporary repository and points the framework there. Installing keysprawl into the
framework's own environment needs the package index: the test is marked slow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import random_key
from gitrepo import Repo, write_inventory

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def snapshot(destination: Path) -> Repo:
    listed = subprocess.run(
        ["git", "-C", str(SOURCE_ROOT), "ls-files", "-z", "--cached"],
        capture_output=True,
        check=True,
    ).stdout
    repo = Repo(destination)
    for name in filter(None, listed.split(b"\0")):
        source = SOURCE_ROOT / os.fsdecode(name)
        if source.is_file() and not source.is_symlink():
            target = destination / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    repo.commit("snapshot of the source under test")
    return repo


def try_repo(user: Repo, source: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "KEYSPRAWL_CACHE_DIR": str(home / "ks")}
    env.pop("KEYSPRAWL_INVENTORY", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(source), "keysprawl", "--verbose"],
        cwd=user.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_precommit_blocks_a_leaking_commit_and_allows_a_clean_one(tmp_path: Path) -> None:
    source = snapshot(tmp_path / "keysprawl-src")
    key = random_key()
    user = Repo(tmp_path / "user")
    write_inventory(user.root / "keysprawl-inventory.toml", {"deploy-token": key})
    user.commit("inventory")

    user.write("deploy.sh", f"curl -H 'Authorization: {key}' https://example.test\n")
    user.git("add", "deploy.sh")
    blocked = try_repo(user, source.root, tmp_path / "pre-commit-home")

    user.write("deploy.sh", 'curl -H "Authorization: $DEPLOY_TOKEN" https://example.test\n')
    user.git("add", "deploy.sh")
    allowed = try_repo(user, source.root, tmp_path / "pre-commit-home")
    user.git("commit", "-q", "-m", "deploy script reads the token from the environment")

    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "deploy.sh:1:" in blocked.stdout and "deploy-token" in blocked.stdout
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "Passed" in allowed.stdout
    assert key not in blocked.stdout + blocked.stderr + allowed.stdout + allowed.stderr
