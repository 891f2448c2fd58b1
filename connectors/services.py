"""Remote sources named on the command line or in a config: `github:`, `gitlab:`, `jira:`.

| target | means |
| --- | --- |
| `github:OWNER` | an organization's (or user's) repositories, issues, comments, variables, gists |
| `github:OWNER/REPO` | one repository |
| `gitlab:GROUP[/SUBGROUP…]` | a group with its subgroups and all their projects |
| `gitlab:GROUP/PROJECT` | one project (a path is tried as a project first, then as a group) |
| `gitlab:` | the instance: CI/CD variables of the instance (admin) and personal snippets |
| `jira:JQL` | the issues the JQL query selects, with comments and text attachments |

Base URLs and token variables come from `ServiceOptions` (command-line options or the sweep's
config); tokens only ever from the environment. No client library is imported here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from connectors.base import Connector
from connectors.git import GitScanOptions
from connectors.github_secrets import SecretPlace
from connectors.http import HttpPolicy, token_from
from scanner.errors import UsageError

if TYPE_CHECKING:  # the modules load when such a target is used, not for every command
    from connectors.github import GithubConnector
    from connectors.gitlab import GitlabConnector
    from connectors.jira import JiraConnector

PREFIXES = ("github", "gitlab", "jira")


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    github_url: str | None = None  # default: $GITHUB_API_URL, then https://api.github.com
    gitlab_url: str | None = None  # default: $GITLAB_URL, then https://gitlab.com
    jira_url: str | None = None  # default: $JIRA_URL (required)
    github_token_env: str = "GITHUB_TOKEN"
    gitlab_token_env: str = "GITLAB_TOKEN"
    jira_token_env: str = "JIRA_TOKEN"
    jira_email_env: str = "JIRA_EMAIL"  # set: Jira Cloud (email + API token, REST v3)
    updated_since: datetime | None = None
    http: HttpPolicy = field(default_factory=HttpPolicy)
    repositories: bool = True  # clone and scan the repositories of github:/gitlab: targets
    secret_places: tuple[SecretPlace, ...] = ()  # inventory keys' approved github-secret: places


def is_service_target(target: str) -> bool:
    prefix, colon, _ = target.partition(":")
    return bool(colon) and prefix in PREFIXES


def service_connector(
    target: str, options: ServiceOptions, git: GitScanOptions | None = None
) -> Connector:
    """`git` is how cloned repositories are scanned (history, refs); None: the defaults."""
    prefix, _, rest = target.partition(":")
    repositories = (git or GitScanOptions()) if options.repositories else None
    if prefix == "github":
        return _github(rest.strip("/"), options, repositories)
    if prefix == "gitlab":
        return _gitlab(rest.strip("/"), options, repositories)
    return _jira(rest.strip(), options)


def _github(spec: str, options: ServiceOptions, git: GitScanOptions | None) -> GithubConnector:
    from connectors import github

    parts = spec.split("/")
    if not spec or len(parts) > 2 or not all(parts):
        raise UsageError(f"github:{spec}: expected github:OWNER or github:OWNER/REPO")
    token_from(options.github_token_env, "github")
    settings = github.GithubSettings(
        base_url=options.github_url or os.environ.get("GITHUB_API_URL") or github.DEFAULT_API,
        token_env=options.github_token_env,
        updated_since=options.updated_since,
        http=options.http,
        git=git,
        secret_places=options.secret_places,
    )
    target = github.GithubTarget(parts[0], parts[1] if len(parts) == 2 else None)
    return github.GithubConnector(target, settings)


def _gitlab(spec: str, options: ServiceOptions, git: GitScanOptions | None) -> GitlabConnector:
    from connectors import gitlab

    if "//" in spec or " " in spec:
        raise UsageError(f"gitlab:{spec}: expected gitlab:GROUP[/SUBGROUP…][/PROJECT] or gitlab:")
    token_from(options.gitlab_token_env, "gitlab")
    settings = gitlab.GitlabSettings(
        url=options.gitlab_url or os.environ.get("GITLAB_URL") or gitlab.DEFAULT_URL,
        token_env=options.gitlab_token_env,
        updated_since=options.updated_since,
        http=options.http,
        git=git,
    )
    return gitlab.GitlabConnector(spec, settings)


def _jira(spec: str, options: ServiceOptions) -> JiraConnector:
    from connectors import jira

    if not spec:
        raise UsageError('jira: expected jira:JQL, e.g. jira:"project = OPS"')
    url = options.jira_url or os.environ.get("JIRA_URL")
    if not url:
        raise UsageError("jira: set the site with --jira-url or $JIRA_URL")
    token_from(options.jira_token_env, "jira")
    settings = jira.JiraSettings(
        url=url,
        token_env=options.jira_token_env,
        email_env=options.jira_email_env,
        updated_since=options.updated_since,
        http=options.http,
    )
    return jira.JiraConnector(spec, settings)


VARIABLE_STORES = ("gitlab-ci", "github-actions")


def variable_connector(store: str, spec: str, options: ServiceOptions) -> Connector:
    """Only the CI/CD variables of a GitLab project or group, or of a GitHub org or repo."""
    parts = frozenset({"variables"})
    if store == "github-actions":
        github = _github(spec.strip("/"), options, None)
        return replace(github, settings=replace(github.settings, parts=parts))
    if store == "gitlab-ci":
        gitlab = _gitlab(spec.strip("/"), options, None)
        return replace(gitlab, settings=replace(gitlab.settings, parts=parts))
    raise UsageError(f"unknown variable store {store!r}: {', '.join(VARIABLE_STORES)}")
