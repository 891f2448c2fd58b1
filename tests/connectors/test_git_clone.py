"""Cloning with a token header: the header goes through git's environment, after whatever
GIT_CONFIG_* settings the user's own environment already passes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import random_key
from fakes.server import FakeServer, Request, Response
from gitrepo import Repo

from connectors import git_clone
from connectors.git_cli import GitError


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FakeServer, str]]:
    """A repository served over git's dumb HTTP protocol (plain files) by the fake server."""
    repo = Repo(tmp_path / "work")
    repo.commit("first", {"README.md": "hello\n"})
    bare = tmp_path / "served.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "repack", "-q", "-a", "-d"], check=True)
    subprocess.run(["git", "-C", str(bare), "update-server-info"], check=True)
    with FakeServer() as server:
        for path in (p for p in bare.rglob("*") if p.is_file()):
            content = path.read_bytes()

            def answer(_request: Request, content: bytes = content) -> Response:
                return Response(200, content, {"Content-Type": "application/octet-stream"})

            server.route(f"/served.git/{path.relative_to(bare).as_posix()}", answer)
        yield server, f"{server.url}/served.git"


def own_settings(monkeypatch: pytest.MonkeyPatch, headers: list[str]) -> None:
    """The user's own settings, passed to git the same way keysprawl passes its header."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", str(len(headers)))
    for index, header in enumerate(headers):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{index}", "http.extraHeader")
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{index}", header)


def command_lines(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every git command line the clone runs (the process list shows them)."""
    seen: list[list[str]] = []
    run = subprocess.run

    def recording(args: list[str], **kwargs: Any) -> Any:
        seen.append(list(args))
        return run(args, **kwargs)

    monkeypatch.setattr(git_clone.subprocess, "run", recording)
    return seen


@pytest.mark.parametrize("own", [["X-Team: kept"], ["X-Team: kept", "X-Second: kept too"]])
def test_the_users_git_config_environment_survives_and_the_token_header_still_arrives(
    served: tuple[FakeServer, str], monkeypatch: pytest.MonkeyPatch, own: list[str]
) -> None:
    server, url = served
    own_settings(monkeypatch, own)
    token = random_key(36)
    lines = command_lines(monkeypatch)
    with git_clone.mirror_clone(url, (f"Authorization: Bearer {token}",)) as clone:
        refs = subprocess.run(
            ["git", "-C", str(clone), "show-ref"], capture_output=True, text=True, check=True
        )
    assert "refs/heads/main" in refs.stdout  # the clone worked
    assert server.log, "git never reached the server"
    for request in server.log:
        assert request.headers.get("authorization") == f"Bearer {token}", request.path
        for header in own:
            name, value = header.split(": ")
            assert request.headers.get(name.lower()) == value, request.path
    assert lines and not any(token in part for line in lines for part in line)


def test_header_env_appends_after_the_existing_entries() -> None:
    environ = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.askPass",
        "GIT_CONFIG_VALUE_0": "",
    }
    assert git_clone.header_env(("Authorization: x",), environ) == {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_1": "http.extraHeader",
        "GIT_CONFIG_VALUE_1": "Authorization: x",
    }
    assert git_clone.header_env((), environ) == {}  # no header: the user's settings untouched


def test_a_count_git_would_refuse_is_one_error_without_the_token(
    served: tuple[FakeServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url = served
    monkeypatch.setenv("GIT_CONFIG_COUNT", "two")
    token = random_key(36)
    with (
        pytest.raises(GitError) as raised,
        git_clone.mirror_clone(url, (f"Authorization: Bearer {token}",)),
    ):
        pass
    message = str(raised.value)
    assert message == (
        f"cannot clone {url}: GIT_CONFIG_COUNT in the environment is not a number of settings"
    )
    assert token not in message and server.log == []
