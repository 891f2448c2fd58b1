"""`keysprawl scan github:…` end to end: the real CLI, the real client library, a fake API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import add_key, random_key, run_keysprawl
from fakes.github import GithubFake
from fakes.gitlab import GitlabFake
from fakes.jira import JiraFake
from fakes.server import FakeServer
from gitrepo import Repo

TOKEN = "ghp_" + random_key(36)
FAST = ("--api-backoff", "0", "--api-retries", "1")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def inventory(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "inventory.toml"
    value = random_key()
    add_key(path, "deploy-token", value)
    return path, value


def scan(fake: GithubFake, inventory: Path, *targets: str, token: str | None = TOKEN):
    env = {"GITHUB_TOKEN": token} if token else {"GITHUB_TOKEN": ""}
    return run_keysprawl(
        "scan", *targets, "--inventory", inventory, "--github-url", fake.base_url,
        "--format", "jsonl", *FAST, env=env,
    )  # fmt: skip


def test_a_key_in_an_issue_is_an_exposure_with_link_author_and_date(
    server: FakeServer, inventory: tuple[Path, str], tmp_path: Path
) -> None:
    path, value = inventory
    fake = GithubFake(server)
    repo = fake.repo("payments")
    fake.issue(repo, f"here you go: {value}", author="carol")
    history = Repo(tmp_path / "payments")
    history.commit("add config", {"deploy.env": f"TOKEN={value}\n"})
    history.commit("remove it", {"deploy.env": "TOKEN=\n"})
    repo.clone_url = history.root.as_uri()
    fake.serve()

    result = scan(fake, path, "github:acme")

    assert result.code == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    [cloned] = [r for r in records if r["source"] == "git"]
    assert (cloned["location"]["path"], cloned["location"]["author"]) == (
        "deploy.env",
        "Ada Test <ada@example.test>",
    )
    [record] = [r for r in records if r["source"] != "git"]
    assert (record["kind"], record["key_id"], record["source"]) == (
        "exposure", "deploy-token", "github-issue"
    )  # fmt: skip
    location = record["location"]
    assert location["url"] == "https://github.example/acme/payments/issues/1"
    assert (location["author"], location["repo"], location["line"]) == (
        "carol", "acme/payments", 1
    )  # fmt: skip
    assert location["date"].startswith("2026-03-01")
    assert value not in result.stdout + result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_a_failing_source_does_not_stop_the_others_and_exits_3(
    server: FakeServer, inventory: tuple[Path, str], tmp_path: Path
) -> None:
    path, value = inventory
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()
    server.fail("/api/v3/orgs/acme", 401, times=10, body=b'{"message": "Bad credentials"}')
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.cfg").write_text(f"key = {value}\n")

    result = scan(fake, path, "github:acme", str(folder))

    assert result.code == 3
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["location"]["path"] == "app.cfg"
    errors = [line for line in result.stderr.splitlines() if "github" in line]
    assert errors == [
        "error: github acme: GitHub rejected the token in $GITHUB_TOKEN (401): "
        "is it valid and unexpired?"
    ]
    assert TOKEN not in result.stdout + result.stderr


def test_a_missing_token_is_a_usage_error(server: FakeServer, inventory: tuple[Path, str]) -> None:
    fake = GithubFake(server)
    fake.serve()

    result = scan(fake, inventory[0], "github:acme", token=None)

    assert result.code == 2
    assert result.stderr.strip() == (
        "keysprawl: github: set the token in the environment variable GITHUB_TOKEN"
    )
    assert server.log == []


def test_a_malformed_target_is_a_usage_error(inventory: tuple[Path, str]) -> None:
    result = run_keysprawl("scan", "github:a/b/c", "--inventory", inventory[0])

    assert result.code == 2
    assert "expected github:OWNER or github:OWNER/REPO" in result.stderr


def test_gitlab_and_jira_targets_in_one_scan(
    server: FakeServer, inventory: tuple[Path, str]
) -> None:
    path, value = inventory
    gitlab = GitlabFake(server)
    project = gitlab.project(gitlab.group("acme"), "payments")
    project.variables.append(gitlab.variable("DEPLOY", value))
    gitlab.serve()
    jira = JiraFake(server)
    jira.issue("nothing here", comments=[f"the token: {value}"])
    jira.serve()
    tokens = {"GITLAB_TOKEN": random_key(20), "JIRA_TOKEN": random_key(24)}

    result = run_keysprawl(
        "scan", "gitlab:acme/payments", "jira:project = OPS", "--inventory", path,
        "--gitlab-url", server.url, "--jira-url", server.url, "--format", "jsonl", *FAST,
        "--no-repositories",
        env=tokens,
    )  # fmt: skip

    assert result.code == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((r["source"], r["location"]["url"]) for r in records) == [
        ("gitlab-variable", f"{project.web_url}/-/settings/ci_cd"),
        ("jira-comment", f"{server.url}/browse/OPS-1?focusedCommentId=0"),
    ]
    output = result.stdout + result.stderr
    assert value not in output and not any(token in output for token in tokens.values())


def test_jira_needs_a_site(inventory: tuple[Path, str]) -> None:
    result = run_keysprawl(
        "scan", "jira:project = OPS", "--inventory", inventory[0], env={"JIRA_TOKEN": "x" * 20}
    )

    assert result.code == 2
    assert result.stderr.strip() == "keysprawl: jira: set the site with --jira-url or $JIRA_URL"


def test_the_config_file_names_the_url_and_the_token_variable(
    server: FakeServer, inventory: tuple[Path, str], tmp_path: Path
) -> None:
    path, value = inventory
    fake = GithubFake(server)
    fake.issue(fake.repo("payments"), value)
    fake.serve()
    config = tmp_path / "keysprawl.toml"
    config.write_text(
        f'[services.github]\nurl = "{fake.base_url}"\ntoken_env = "GHE_TOKEN"\n'
        "[services.http]\nbackoff = 0\nretries = 1\nworkers = 2\n"
    )

    result = run_keysprawl(
        "scan", "github:acme", "--inventory", path, "--config", config, "--no-repositories",
        env={"GHE_TOKEN": TOKEN, "GITHUB_TOKEN": ""},
    )  # fmt: skip

    assert result.code == 1, result.stderr
    assert "acme/payments/issues/1" in result.stdout
    assert server.log[0].headers["authorization"] == f"token {TOKEN}"


def test_a_token_pasted_as_token_env_is_refused_without_echoing_it(
    inventory: tuple[Path, str], tmp_path: Path
) -> None:
    config = tmp_path / "keysprawl.toml"
    config.write_text(f'[services.gitlab]\ntoken_env = "{TOKEN}"\n')

    result = run_keysprawl("scan", "gitlab:acme", "--inventory", inventory[0], "--config", config)

    assert result.code == 2
    assert "token_env must name an environment variable" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
