"""The `scan` options that only make sense for a git repository."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from connectors.git import GitScanOptions

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option("--no-worktree", is_flag=True, help="Repository: skip the working tree."),
    click.option("--no-history", is_flag=True, help="Repository: scan the working tree alone."),
    click.option(
        "--all-objects",
        is_flag=True,
        help="Repository: also every ref, reflog and object no ref reaches (incident work).",
    ),
    click.option("--since-commit", metavar="SHA", help="Repository: only commits after SHA."),
    click.option("--since", metavar="DATE", help="Repository: only commits since DATE."),
    click.option(
        "--branch",
        "branches",
        metavar="REF",
        multiple=True,
        help="Repository: only history reachable from REF (repeatable).",
    ),
)


def git_options(function: F) -> F:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


def git_scan_options(values: dict[str, Any], max_file_size: int) -> GitScanOptions | None:
    """The git options, or None when none was given (a plain folder stays a plain folder)."""
    if not any(values.values()):
        return None
    if values["no_worktree"] and values["no_history"]:
        raise click.UsageError("--no-worktree and --no-history leave nothing to scan")
    return GitScanOptions(
        worktree=not values["no_worktree"],
        history=not values["no_history"],
        all_objects=values["all_objects"],
        since_commit=values["since_commit"],
        since=values["since"],
        branches=tuple(values["branches"]),
        max_file_size=max_file_size,
    )
