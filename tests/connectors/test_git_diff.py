"""The patch reader: added blocks and their line numbers, from real git output."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from conftest import random_key
from gitrepo import Repo
from test_git_history import places, scan_repo

from connectors.git_diff import Block, parse_patch, unquote


def test_hunks_give_added_blocks_with_new_line_numbers() -> None:
    patch = (
        b"diff --git a/f.txt b/f.txt\n"
        b"index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644\n"
        b"--- a/f.txt\n+++ b/f.txt\n"
        b"@@ -2 +2,2 @@ ctx\n-old\n+new one\n++plus first\n"
        b"@@ -9,2 +10,0 @@\n-gone\n-gone too\n"
        b"@@ -20,0 +21 @@\n+last\n\\ No newline at end of file\n"
    )
    [file] = parse_patch(patch)
    assert file.path == b"f.txt" and file.new_blob == "2" * 40
    assert file.added == [Block(2, b"new one\n+plus first\n"), Block(21, b"last\n")]


def test_quoted_paths_and_binary_markers() -> None:
    patch = (
        b'diff --git "a/caf\\303\\251 \\"x\\".bin" "b/caf\\303\\251 \\"x\\".bin"\n'
        b"new file mode 100644\n"
        b"index 0000000000000000000000000000000000000000..3333333333333333333333333333333333333333\n"
        b'Binary files /dev/null and "b/caf\\303\\251 \\"x\\".bin" differ\n'
    )
    [file] = parse_patch(patch)
    assert file.path == 'café "x".bin'.encode() and file.binary and file.new_file
    assert unquote(b"plain") == b"plain"


def test_combined_diff_counts_only_lines_new_to_every_parent() -> None:
    patch = (
        b"diff --cc a.txt\n"
        b"index aaaa,bbbb..cccc\n--- a/a.txt\n+++ b/a.txt\n"
        b"@@@ -1,3 -1,1 +1,3 @@@\n- a\n -c\n+ from first parent\n++evil one\n++evil two\n"
    )
    [file] = parse_patch(patch)
    assert file.added == [Block(2, b"evil one\nevil two\n")]


def _pem(body: bytes) -> str:
    lines = [base64.b64encode(body).decode()[i : i + 64] for i in range(0, 256, 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def test_a_pem_key_rotated_in_place_is_found(tmp_path: Path) -> None:
    old, new = _pem(secrets.token_bytes(192)), _pem(secrets.token_bytes(192))
    repo = Repo(tmp_path / "repo")
    repo.commit("first key", {"tls/key.pem": f"# service key\n{old}"})
    rotated = repo.commit("rotate", {"tls/key.pem": f"# service key\n{new}"})

    result = scan_repo(tmp_path, str(repo.root), {"new": new}, worktree=False)

    assert places(result) == [("tls/key.pem", rotated, 2)]


def test_a_key_copied_to_many_files_is_matched_once_per_content(tmp_path: Path) -> None:
    key = random_key()
    repo = Repo(tmp_path / "repo")
    content = f"token={key}\n"
    first = repo.commit("one", {"a/config.env": content})
    second = repo.commit("copies", {"b/config.env": content, "c/config.env": content})

    result = scan_repo(tmp_path, str(repo.root), {"k": key}, worktree=False)

    assert places(result) == [
        ("a/config.env", first, 1),
        ("b/config.env", second, 1),
        ("c/config.env", second, 1),
    ]
