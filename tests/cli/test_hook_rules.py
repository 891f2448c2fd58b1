"""The hook runs the rules too: an unmanaged credential stops a commit unless allowed."""

from __future__ import annotations

from pathlib import Path

from conftest import random_key, run_keysprawl
from gitrepo import Repo, write_inventory


def test_the_hook_blocks_an_unmanaged_credential_and_honours_allow_comments(
    tmp_path: Path,
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("init", {"app.py": "x = 1\n"})
    inventory = write_inventory(tmp_path / "inv.toml", {"payments": random_key()})
    token = random_key(40, prefix="ghp_")
    repo.write("app.py", f"x = 1\nTOKEN = '{token}'\n")
    repo.git("add", "app.py")

    blocked = run_keysprawl("hook", "--inventory", inventory, cwd=repo.root)
    assert blocked.code == 1 and "app.py:2:10" in blocked.stderr
    assert "github-pat" in blocked.stderr and "keysprawl:allow" in blocked.stderr
    assert token not in blocked.stdout + blocked.stderr

    repo.write("app.py", f"x = 1\nTOKEN = '{token}'  # keysprawl:allow test value\n")
    repo.git("add", "app.py")
    allowed = run_keysprawl("hook", "--inventory", inventory, cwd=repo.root)
    assert allowed.code == 0, allowed.stderr
