"""Cloning a repository URL as a bare mirror into a temporary folder, removed afterwards."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from connectors.git_cli import GitError, first_line, git_env, git_program

URL_SCHEMES = ("file://", "https://", "http://", "ssh://", "git://")
_USERINFO = re.compile(r"^([a-z+]+://)[^/@]*@")


def display_url(url: str) -> str:
    """The URL without user name or token, fit for a report or an error message."""
    return _USERINFO.sub(r"\1", url)


def is_url(target: str) -> bool:
    """A clone URL: a scheme we know, or scp-like `user@host:path`."""
    if target.startswith(URL_SCHEMES):
        return True
    head = target.split("/", 1)[0]
    return "@" in head and ":" in head


def header_env(headers: tuple[str, ...], environ: Mapping[str, str]) -> dict[str, str]:
    """HTTP headers for git (a service token for a clone) through the environment: never in
    the URL, the command line or the clone's config, where a report or `ps` could show it.

    Settings the user's `environ` already passes this way (GIT_CONFIG_COUNT with its
    GIT_CONFIG_KEY_n/VALUE_n) stay in force: ours are appended after them."""
    if not headers:
        return {}
    start = _config_count(environ)
    env = {"GIT_CONFIG_COUNT": str(start + len(headers))}
    for index, header in enumerate(headers, start):
        env[f"GIT_CONFIG_KEY_{index}"] = "http.extraHeader"
        env[f"GIT_CONFIG_VALUE_{index}"] = header
    return env


def _config_count(environ: Mapping[str, str]) -> int:
    # As git reads it: unset or empty is none; anything but a count git refuses as well.
    text = environ.get("GIT_CONFIG_COUNT", "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise GitError("GIT_CONFIG_COUNT in the environment is not a number of settings")
    return int(text)


@contextlib.contextmanager
def mirror_clone(url: str, headers: tuple[str, ...] = ()) -> Iterator[Path]:
    """A bare mirror (every ref, pull-request refs included) that lives as long as the block."""
    folder = Path(tempfile.mkdtemp(prefix="keysprawl-clone-"))
    try:
        target = folder / "repo.git"
        _clone(url, headers, target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def kept_clone(url: str, headers: tuple[str, ...], root: Path) -> Path:
    """A bare mirror under `root` that outlives the scan: the caller (an incident, which then
    reads each clone's ref tips) removes `root`. Cloned once per URL."""
    target = root / clone_name(url)
    if not target.exists():
        _clone(url, headers, target)
    return target


def clone_name(url: str) -> str:
    """The folder a kept clone of `url` gets: named by a digest of the URL without its
    credentials, so the name of a repository in a report finds its clone."""
    return hashlib.sha256(display_url(url).encode()).hexdigest()[:24] + ".git"


def _clone(url: str, headers: tuple[str, ...], target: Path) -> None:
    base = git_env()
    try:
        env = {**base, **header_env(headers, base)}
    except GitError as error:
        raise GitError(f"cannot clone {display_url(url)}: {error}") from None
    with git_program():
        completed = subprocess.run(
            ["git", "clone", "--mirror", "--quiet", "--", url, str(target)],
            capture_output=True,
            env=env,
            check=False,
        )
    if completed.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)  # a half clone must not pass for a kept one
        reason = first_line(completed.stderr).replace(url, display_url(url))
        raise GitError(f"cannot clone {display_url(url)}: {reason}")
