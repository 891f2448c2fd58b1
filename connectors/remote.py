"""Helpers every remote-service connector uses: dates, guarded fetches, failure lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from connectors.base import Tally
from connectors.http import scrub

T = TypeVar("T")
Describe = Callable[[BaseException, str], str]
# A service's own wording of a failure: (error, where, token variable name) -> one line.
Failure = Callable[[BaseException, str, str], str]


def describer(failure: Failure, token: str, token_env: str) -> Describe:
    """One line per failure, with the token scrubbed even if a library echoed it."""

    def describe(error: BaseException, where: str) -> str:
        return scrub(failure(error, where, token_env), token)

    return describe


def iso(value: datetime | str | None) -> str | None:
    """Dates in locations are ISO 8601, UTC when the service says so."""
    if value is None or isinstance(value, str):
        return value or None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def newer(value: datetime | str | None, since: datetime | None) -> bool:
    """Whether an item changed at or after the cursor (unknown dates count as changed)."""
    if since is None:
        return True
    when = parse_date(value) if isinstance(value, str) or value is None else value
    if when is None:
        return True
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) >= since


def common_failure(error: BaseException) -> str | None:
    """What every service's transport failures mean, in words; None when service-specific."""
    import requests

    from connectors.retry import WaitTooLong

    if isinstance(error, WaitTooLong):
        return f"{error}; run again later"
    if isinstance(error, requests.exceptions.Timeout):
        return "timed out (retries exhausted)"
    if isinstance(error, requests.exceptions.RetryError):
        return "the server kept failing (retries exhausted)"
    if isinstance(error, requests.exceptions.ConnectionError):
        return (
            "timed out (retries exhausted)"
            if _timed_out(error)
            else ("cannot connect (retries exhausted)")
        )
    if isinstance(error, json.JSONDecodeError):
        return "the server sent malformed JSON"
    return None


def guarded(
    tally: Tally, source: str, where: str, describe: Describe, produce: Callable[[], Iterable[T]]
) -> list[T]:
    """Read one listing to its end. A failure (say on page 2) becomes one problem line; what
    was read before it is kept and scanned."""
    items: list[T] = []
    try:
        for item in produce():
            items.append(item)
    except Exception as error:  # any failure of one part must not stop the others
        tally.problem(source, where, describe(error, where))
    return items


def _timed_out(error: BaseException) -> bool:
    """requests reports retries exhausted by timeouts as a ConnectionError around the cause."""
    from urllib3.exceptions import MaxRetryError, TimeoutError

    cause = error.args[0] if error.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, TimeoutError)
