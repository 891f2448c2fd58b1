"""What every service connector is configured with: the HTTP policy and tokens from the
environment. Imports nothing heavy: the CLI loads it for every `scan`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scanner.errors import UsageError


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """How patient a connector is with a service. Tests use tiny values."""

    retries: int = 4
    backoff: float = 1.0  # first backoff in seconds, doubled each retry
    backoff_max: float = 30.0
    max_wait: float = 120.0  # longest Retry-After / rate-limit reset honoured
    timeout: float = 30.0
    workers: int = 4  # requests in flight at once, per source


def token_from(variable: str, service: str) -> str:
    """A token from the environment: tokens are never accepted as command-line arguments."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise UsageError(f"{service}: set the token in the environment variable {variable}")
    return value


def scrub(text: str, *secrets: str | None) -> str:
    """Belt and braces: no token ever reaches a message, even if a library echoed it."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def clone_header(user: str, token: str) -> str:
    """The HTTP header git sends to clone with a service token (basic auth, token as password)."""
    import base64

    credentials = base64.b64encode(f"{user}:{token}".encode()).decode()
    return f"Authorization: Basic {credentials}"
