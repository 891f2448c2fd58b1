"""`keysprawl sweep` over remote sources: [services] settings, updated-since cursors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import add_key, random_key, run_keysprawl
from fakes.github import GithubFake
from fakes.jira import JiraFake
from fakes.server import FakeServer
from gitrepo import Repo

TOKEN = "ghp_" + random_key(36)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def test_sweep_reads_services_and_asks_only_for_changes_the_second_time(
    server: FakeServer, tmp_path: Path
) -> None:
    value = random_key()
    add_key(tmp_path / "inventory.toml", "deploy", value)
    github = GithubFake(server)
    repo = github.repo("payments")
    github.issue(repo, f"token {value}")
    repo.clone_url = Repo(tmp_path / "payments").root.as_uri()
    Repo(tmp_path / "payments").commit("start", {"README": "hello\n"})
    github.serve()
    jira = JiraFake(server)
    jira.issue("nothing")
    jira.serve()
    config = tmp_path / "keysprawl.toml"
    config.write_text(
        'inventory = "inventory.toml"\n[store]\npath = "state.db"\n'
        "[sweep]\nretries = 0\n"
        f'[services.github]\nurl = "{github.base_url}"\ntoken_env = "GHE_TOKEN"\n'
        "[services.http]\nbackoff = 0\nretries = 1\n"
        '[[sources]]\nkind = "github"\ntarget = "acme/payments"\n'
        f'[[sources]]\nkind = "jira"\njql = "project = OPS"\nurl = "{server.url}"\n'
    )
    env = {"GHE_TOKEN": TOKEN, "JIRA_TOKEN": random_key(20)}

    first = run_keysprawl("sweep", "--config", config, env=env)
    second = run_keysprawl("sweep", "--config", config, env=env)

    assert first.code == 1, first.stderr  # an open exposure
    issues = server.requests("/api/v3/repos/acme/payments/issues")
    assert "since" not in issues[0].query and "since" in issues[-1].query
    searches = server.requests("/rest/api/2/search")
    assert "updated >=" not in searches[0].query["jql"]
    assert searches[-1].query["jql"].startswith('(project = OPS) AND updated >= "')
    output = first.stdout + first.stderr + second.stdout + second.stderr
    assert TOKEN not in output and value not in output


def test_a_token_pasted_as_a_sources_token_env_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "keysprawl.toml"
    config.write_text(f'[[sources]]\nkind = "github"\ntarget = "acme"\ntoken_env = "{TOKEN}"\n')

    result = run_keysprawl("sweep", "--config", config)

    assert result.code == 2
    assert "token_env: must name an environment variable" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
