"""Where a key's value may come from: standard input or an environment variable, never argv."""

from __future__ import annotations

import getpass
import os
import sys

from scanner.errors import UsageError


def read_secret(from_env: str | None) -> bytes:
    if from_env:
        value = os.environ.get(from_env)
        if value is None:
            raise UsageError(f"environment variable {from_env} is not set")
        return value.encode()
    if sys.stdin.isatty():
        return getpass.getpass("key value (input hidden): ").encode()
    return sys.stdin.buffer.read()
