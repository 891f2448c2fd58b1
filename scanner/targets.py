"""Turning what the user typed (`PATH`, `-`, a repository or clone URL, `github:ORG`,
`gitlab:GROUP`, `jira:JQL`) into connectors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from connectors.base import DEFAULT_MAX_FILE_SIZE, Connector
from connectors.filesystem import FilesystemConnector, StdinConnector
from connectors.git import GitConnector, GitScanOptions
from connectors.git_cli import is_repository
from connectors.git_clone import is_url
from connectors.services import ServiceOptions, is_service_target, service_connector
from scanner.errors import UsageError


@dataclass(frozen=True, slots=True)
class TargetOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    services: ServiceOptions = field(default_factory=ServiceOptions)
    git: GitScanOptions = field(default_factory=GitScanOptions)
    require_git: bool = False  # a git-only option was given: a plain folder is an error


def connector_for(target: str, options: TargetOptions) -> Connector:
    if target == "-":
        return StdinConnector()
    if is_url(target):
        return GitConnector(target, options.git)
    path = Path(target)
    if is_service_target(target) and not path.exists():
        return service_connector(target, options.services, options.git)
    if not path.exists():
        raise UsageError(f"cannot scan {target}: no such file or folder")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise UsageError(f"cannot scan {target}: permission denied")
    if path.is_dir() and is_repository(path):
        return GitConnector(target, options.git)
    if options.require_git:
        raise UsageError(f"cannot scan {target}: not a git repository (git options were given)")
    return FilesystemConnector(path, max_file_size=options.max_file_size)
