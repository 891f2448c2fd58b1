"""The exit codes and the errors that map onto them (one place: `scanner.cli.main`)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    CLEAN = 0  # nothing to act on
    FINDINGS = 1  # findings that fail the policy
    USAGE = 2  # usage or configuration error
    INCOMPLETE = 3  # a source could not be fully scanned


class KeysprawlError(Exception):
    """An error the user can fix; its message is one line and never holds a secret."""

    exit_code = ExitCode.USAGE


class ConfigError(KeysprawlError):
    """A configuration or inventory file is missing, malformed or inconsistent."""


class UsageError(KeysprawlError):
    """The command line asks for something impossible."""
