"""Real git repositories for tests, built with the git CLI in a temporary folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_ENV = {
    "GIT_AUTHOR_NAME": "Ada Test",
    "GIT_AUTHOR_EMAIL": "ada@example.test",
    "GIT_COMMITTER_NAME": "Ada Test",
    "GIT_COMMITTER_EMAIL": "ada@example.test",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, input: bytes | None = None) -> str:
        completed = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=input,
            capture_output=True,
            env={**os.environ, **_ENV},
            check=True,
        )
        return completed.stdout.decode("utf-8", "replace").strip()

    def write(self, path: str | bytes, content: str | bytes) -> None:
        target = self.root / os.fsdecode(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)

    def commit(self, message: str, files: dict[str, str | bytes] | None = None) -> str:
        for path, content in (files or {}).items():
            self.write(path, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


def write_inventory(path: Path, keys: dict[str, str]) -> Path:
    """An inventory holding the fingerprints of the given values (test helper, in-process)."""
    import hashlib

    from scanner.charsets import charset_of
    from scanner.fingerprint import normalize

    entries = []
    for key_id, value in keys.items():
        pem = value.startswith("-----BEGIN")
        digest = hashlib.sha256(normalize(value.encode())).hexdigest()
        entries.append(
            f'[[keys]]\nid = "{key_id}"\nowner = "team-{key_id}"\nstatus = "active"\n'
            f"[[keys.fingerprints]]\n"
            f'digest = "sha256:{digest}"\nlength = {0 if pem else len(value)}\n'
            f'charset = "{"pem" if pem else charset_of(value.encode())}"\npreview = "…{value.strip()[-4:] if not pem else "PEM"}"\n'
        )
    path.write_text("version = 1\n" + "\n".join(entries), encoding="utf-8")
    return path
