"""`keysprawl inventory import gitlab-ci|github-actions`: CI variables become inventory keys."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from conftest import files_containing, random_key, run_keysprawl
from fakes.github import GithubFake
from fakes.gitlab import GitlabFake
from fakes.server import FakeServer

from scanner.cli.import_cmd import import_command
from scanner.cli.scan_cmd import scan

TOKENS = {"GITLAB_TOKEN": random_key(20), "GITHUB_TOKEN": random_key(36)}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def import_(store: str, target: str, inventory: Path, url: str, *extra: str):
    url_option = "--gitlab-url" if store == "gitlab-ci" else "--github-url"
    return run_keysprawl(
        "inventory", "import", store, target, "--inventory", inventory, url_option, url, *extra,
        env=TOKENS,
    )  # fmt: skip


def keys_of(inventory: Path) -> dict[str, dict]:
    return {key["id"]: key for key in tomllib.loads(inventory.read_text())["keys"]}


def digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def test_gitlab_group_variables_become_keys_approved_where_they_live(
    server: FakeServer, tmp_path: Path
) -> None:
    fake = GitlabFake(server)
    acme = fake.group("acme")
    payments, billing = fake.project(acme, "payments"), fake.project(acme, "billing")
    deploy, org_key = random_key(), random_key(48)
    payments.variables += [
        fake.variable("DEPLOY_TOKEN", deploy, masked=True),
        fake.variable("ENVIRONMENT", "production"),
        fake.variable("HIDDEN", None, hidden=True),
    ]
    billing.variables.append(fake.variable("PAY_TOKEN", deploy))  # the same key, reused
    acme.variables.append(fake.variable("ORG_KEY", org_key, protected=True))
    fake.serve()
    inventory = tmp_path / "inventory.toml"

    result = import_(
        "gitlab-ci", "acme", inventory, fake.url, "--owner", "platform", "--purpose", "ci"
    )

    assert result.code == 0, result.stderr
    keys = keys_of(inventory)
    assert sorted(keys) == ["acme-org-key", "acme-payments-deploy-token"]
    token = keys["acme-payments-deploy-token"]
    assert token["approved"] == [
        "gitlab-variable:acme/payments:DEPLOY_TOKEN",
        "gitlab-variable:acme/billing:PAY_TOKEN",
    ]
    assert token["fingerprints"][0]["digest"] == digest(deploy)
    assert (token["owner"], token["purpose"], token["provider"]) == ("platform", "ci", "gitlab-ci")
    assert "skipped gitlab-variable:acme/payments:ENVIRONMENT: shorter than 16" in result.stdout
    assert "2 added, 1 newly approved, 0 rotated, 0 unchanged, 1 skipped" in result.stderr
    assert files_containing(tmp_path, [deploy, org_key, *TOKENS.values()]) == []
    assert not any(v in result.stdout + result.stderr for v in [deploy, org_key])

    again = import_("gitlab-ci", "acme", inventory, fake.url)
    assert "0 added, 0 newly approved, 0 rotated, 3 unchanged, 1 skipped" in again.stderr


def test_a_changed_value_is_recorded_as_a_rotation(server: FakeServer, tmp_path: Path) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    old, new = random_key(), random_key()
    project.variables.append(fake.variable("DEPLOY_TOKEN", old))
    fake.serve()
    inventory = tmp_path / "inventory.toml"
    assert import_("gitlab-ci", "acme/payments", inventory, fake.url).code == 0

    project.variables[0]["value"] = new
    result = import_("gitlab-ci", "acme/payments", inventory, fake.url)

    assert result.code == 0, result.stderr
    [key] = keys_of(inventory).values()
    assert [fp["digest"] for fp in key["fingerprints"]] == [digest(old), digest(new)]
    assert "retired" in key["fingerprints"][0] and "retired" not in key["fingerprints"][1]
    assert "owner" not in key  # left empty without --owner: the audit flags it


def test_github_actions_repository_and_environment_variables(
    server: FakeServer, tmp_path: Path
) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    repo_value, env_value = random_key(), random_key()
    repo.variables.append(fake.variable("DEPLOY_TOKEN", repo_value))
    repo.environments["production"] = [fake.variable("PROD_TOKEN", env_value)]
    fake.serve()
    inventory = tmp_path / "inventory.toml"

    result = import_("github-actions", "acme/payments", inventory, fake.base_url, "--dry-run")
    assert result.code == 0 and not inventory.exists()
    assert "2 added" in result.stderr and "dry run" in result.stderr

    result = import_("github-actions", "acme/payments", inventory, fake.base_url)

    assert result.code == 0, result.stderr
    approved = sorted(p for key in keys_of(inventory).values() for p in key["approved"])
    assert approved == [
        "github-variable:acme/payments:DEPLOY_TOKEN",
        "github-variable:acme/payments:environments/production/PROD_TOKEN",
    ]
    assert server.requests("/api/v3/repos/acme/payments/issues") == []  # variables only


def test_a_failing_store_exits_3_with_one_line(server: FakeServer, tmp_path: Path) -> None:
    fake = GitlabFake(server)
    fake.project(fake.group("acme"), "payments")
    fake.serve()
    server.fail("/api/v4/*", 401, times=10)

    result = import_("gitlab-ci", "acme/payments", tmp_path / "inventory.toml", fake.url)

    assert result.code == 3
    assert result.stderr.splitlines()[-1] == (
        "error: gitlab acme/payments: GitLab rejected the token in $GITLAB_TOKEN (401): "
        "is it valid and unexpired?"
    )


def test_scanning_the_store_reports_reuse_and_weakly_protected_variables(
    server: FakeServer, tmp_path: Path
) -> None:
    fake = GitlabFake(server)
    acme = fake.group("acme")
    shared, safe = random_key(), random_key()
    fake.project(acme, "payments").variables += [
        fake.variable("DEPLOY_TOKEN", shared, masked=True),
        fake.variable("SAFE", safe, masked=True, protected=True),
    ]
    fake.project(acme, "billing").variables.append(fake.variable("PAY_TOKEN", shared))
    fake.serve()
    inventory = tmp_path / "inventory.toml"
    assert import_("gitlab-ci", "acme", inventory, fake.url, "--owner", "platform").code == 0

    result = run_keysprawl(
        "scan", "gitlab:acme", "--inventory", inventory, "--gitlab-url", fake.url,
        "--no-repositories", env=TOKENS,
    )  # fmt: skip

    assert result.code == 0, result.stdout + result.stderr  # every copy is approved
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: ")]
    preview = f"…{shared[-4:]}"
    assert sorted(notes) == [
        f"note: exposed variable: acme-payments-deploy-token ({preview}) at "
        "gitlab-variable:acme/billing:PAY_TOKEN is unmasked and unprotected",
        f"note: exposed variable: acme-payments-deploy-token ({preview}) at "
        "gitlab-variable:acme/payments:DEPLOY_TOKEN is unprotected",
        f"note: reused key: acme-payments-deploy-token ({preview}) is in the CI variables of "
        "2 projects (gitlab-variable:acme/billing, gitlab-variable:acme/payments): "
        "give each its own key",
    ]
    assert shared not in result.stdout + result.stderr


def url_options(command: click.Command) -> dict[str, tuple[object, ...]]:
    """`--github-url`/`--gitlab-url` of a command: flags, metavar, help, default."""
    return {
        param.opts[0]: (tuple(param.opts), param.metavar, param.help, param.default)
        for param in command.params
        if isinstance(param, click.Option) and param.name in ("github_url", "gitlab_url")
    }


def test_import_and_scan_share_the_service_url_options() -> None:
    imported = url_options(import_command)
    assert sorted(imported) == ["--github-url", "--gitlab-url"]
    assert imported == url_options(scan)


def test_a_url_option_wins_over_the_config_as_in_scan(server: FakeServer, tmp_path: Path) -> None:
    fake = GitlabFake(server)
    fake.project(fake.group("acme"), "payments").variables.append(
        fake.variable("DEPLOY_TOKEN", random_key())
    )
    fake.serve()
    config = tmp_path / "keysprawl.toml"
    config.write_text('[services.gitlab]\nurl = "http://127.0.0.1:9"\n')  # nothing listens there
    inventory = tmp_path / "inventory.toml"
    result = import_("gitlab-ci", "acme/payments", inventory, fake.url, "--config", str(config))
    assert result.code == 0, result.stderr
    assert list(keys_of(inventory)) != []
