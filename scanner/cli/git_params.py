"""The `scan` options that only make sense for a git repository."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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
    click.option(
        "--branch",
        "branches",
        metavar="REF",
        multiple=True,
        callback=lambda _context, _param, refs: _ref_names(refs),
        help="Repository: only history reachable from REF (repeatable).",
    ),
)


def _ref_names(refs: tuple[str, ...]) -> tuple[str, ...]:
    """A ref name never starts with '-': git would read such a value as one of its options."""
    for ref in refs:
        if ref.startswith("-"):
            raise click.BadParameter(f"{ref!r} is not a ref name (it starts with '-')")
    return refs


# `--since` is shared with the remote sources (scanner.cli.service_params) and applies here too.
GIT_OPTION_NAMES = ("no_worktree", "no_history", "all_objects", "since_commit", "branches")


def git_options(function: F) -> F:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


def git_scan_options(
    values: dict[str, Any], since: datetime | None, max_file_size: int
) -> tuple[GitScanOptions, bool]:
    """The git options, and whether any git-only one was given (then the target must be a
    repository; otherwise a plain folder stays a plain folder)."""
    if values["no_worktree"] and values["no_history"]:
        raise click.UsageError("--no-worktree and --no-history leave nothing to scan")
    return GitScanOptions(
        worktree=not values["no_worktree"],
        history=not values["no_history"],
        all_objects=values["all_objects"],
        since_commit=values["since_commit"],
        since=since.isoformat() if since else None,
        branches=tuple(values["branches"]),
        max_file_size=max_file_size,
    ), any(values.values())
