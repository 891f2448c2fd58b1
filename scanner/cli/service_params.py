"""Options for remote sources (`github:`, `gitlab:`, `jira:` targets): base URLs, the
`--since` cursor and how patient to be. Tokens are never options: only environment variables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from connectors.services import ServiceOptions
from scanner.service_config import patience

F = TypeVar("F", bound=Callable[..., Any])
SERVICE_OPTION_NAMES = (
    "github_url",
    "gitlab_url",
    "jira_url",
    "since",
    "api_workers",
    "api_retries",
    "api_backoff",
    "max_wait",
    "no_repositories",
)


class Since(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 date or date-time; without a zone it is UTC."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(
                f"{value!r} is not a date like 2026-01-31 or 2026-01-31T08:00:00Z", param, ctx
            )
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# One definition each, shared by every command that reaches GitHub or GitLab (`scan`,
# `inventory import`), so the help and the precedence are the same everywhere.
github_url_option = click.option(
    "--github-url",
    metavar="URL",
    help="GitHub API (default $GITHUB_API_URL, api.github.com; Enterprise: https://HOST/api/v3).",
)
gitlab_url_option = click.option(
    "--gitlab-url", metavar="URL", help="GitLab instance (default $GITLAB_URL, gitlab.com)."
)


def with_urls(
    base: ServiceOptions, *, github_url: str | None, gitlab_url: str | None
) -> ServiceOptions:
    """The command line's URLs over `base` (the config file's [services], or the defaults)."""
    return replace(
        base, github_url=github_url or base.github_url, gitlab_url=gitlab_url or base.gitlab_url
    )


def service_options(function: F) -> F:
    options = [
        github_url_option,
        gitlab_url_option,
        click.option("--jira-url", metavar="URL", help="Jira site (default $JIRA_URL)."),
        click.option(
            "--since",
            type=Since(),
            help="Only commits (repositories) and items (remote sources) since then.",
        ),
        click.option(
            "--api-workers",
            type=click.IntRange(1, 32),
            help="Requests in flight per remote source [default: 4].",
        ),
        click.option(
            "--api-retries",
            type=click.IntRange(0, 10),
            help="Retries of a failed request (429, 5xx, timeouts) [default: 4].",
        ),
        click.option(
            "--api-backoff",
            type=click.FloatRange(0, 60),
            help="First retry delay in seconds, doubled each time, at most 30 [default: 1].",
        ),
        click.option(
            "--max-wait",
            type=click.FloatRange(0),
            help="Longest rate-limit wait honoured, in seconds; longer fails the source "
            "[default: 120].",
        ),
        click.option(
            "--no-repositories",
            is_flag=True,
            help="github:/gitlab: read issues, comments and variables only; do not clone.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def build_service_options(values: dict[str, Any], base: ServiceOptions) -> ServiceOptions:
    """The command line over `base` (the config file's [services], or the defaults)."""
    http = base.http
    numbers = {
        "retries": values["api_retries"],
        "backoff": values["api_backoff"],
        "max_wait": values["max_wait"],
        "workers": values["api_workers"],
    }
    http = replace(http, **{name: value for name, value in numbers.items() if value is not None})
    http = patience(http)
    base = with_urls(base, github_url=values["github_url"], gitlab_url=values["gitlab_url"])
    return replace(
        base,
        jira_url=values["jira_url"] or base.jira_url,
        updated_since=values["since"] or base.updated_since,
        http=http,
        repositories=base.repositories and not values["no_repositories"],
    )
