"""Turning what the user typed (`PATH`, `-`, `github:ORG`, `gitlab:GROUP`, `jira:JQL`) into
connectors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from connectors.base import Connector
from connectors.filesystem import DEFAULT_MAX_FILE_SIZE, FilesystemConnector, StdinConnector
from connectors.services import ServiceOptions, is_service_target, service_connector
from scanner.errors import UsageError


@dataclass(frozen=True, slots=True)
class TargetOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    services: ServiceOptions = field(default_factory=ServiceOptions)


def connector_for(target: str, options: TargetOptions) -> Connector:
    if target == "-":
        return StdinConnector()
    path = Path(target)
    if is_service_target(target) and not path.exists():
        return service_connector(target, options.services)
    if not path.exists():
        raise UsageError(f"cannot scan {target}: no such file or folder")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise UsageError(f"cannot scan {target}: permission denied")
    return FilesystemConnector(path, max_file_size=options.max_file_size)
