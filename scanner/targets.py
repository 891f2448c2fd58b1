"""Turning what the user typed (`PATH`, `-`, a repository or a clone URL) into connectors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from connectors.base import Connector
from connectors.filesystem import DEFAULT_MAX_FILE_SIZE, FilesystemConnector, StdinConnector
from connectors.git import GitConnector, GitScanOptions
from connectors.git_cli import is_repository
from connectors.git_clone import is_url
from scanner.errors import UsageError


@dataclass(frozen=True, slots=True)
class TargetOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    git: GitScanOptions | None = None  # None: no git-only option was given

    def git_options(self) -> GitScanOptions:
        if self.git is None:
            return GitScanOptions(max_file_size=self.max_file_size)
        return self.git


def connector_for(target: str, options: TargetOptions) -> Connector:
    if target == "-":
        return StdinConnector()
    if is_url(target):
        return GitConnector(target, options.git_options())
    path = Path(target)
    if not path.exists():
        raise UsageError(f"cannot scan {target}: no such file or folder")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise UsageError(f"cannot scan {target}: permission denied")
    if path.is_dir() and is_repository(path):
        return GitConnector(target, options.git_options())
    if options.git is not None:
        raise UsageError(f"cannot scan {target}: not a git repository (git options were given)")
    return FilesystemConnector(path, max_file_size=options.max_file_size)
