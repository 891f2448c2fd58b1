"""One retry policy for all three client libraries.

They all speak through `requests`/`urllib3`, so one urllib3 `Retry` bounds them: 429 and 5xx
answers and connection/read errors are retried with exponential backoff up to `backoff_max`
seconds, at most `retries` times; a server asking to wait longer than `max_wait` seconds
(Retry-After, GitHub's rate-limit reset) ends that part of the source at once instead of
sleeping an hour inside a nightly job. The last bad answer reaches the client library, which
raises its own typed error.
"""

from __future__ import annotations

from typing import Any

from urllib3.util.retry import Retry

from connectors.http import HttpPolicy

RETRYABLE_STATUSES = (429, 500, 502, 503, 504)


class WaitTooLong(Exception):
    """The service asked to wait longer than the policy allows (rate limited)."""

    def __init__(self, wait: float, limit: float) -> None:
        super().__init__(f"rate limited: the server asks to wait {wait:.0f}s (limit {limit:.0f}s)")
        self.wait = wait


class CappedRetryMixin:
    """Refuses a Retry-After longer than `max_wait` instead of sleeping through it."""

    max_wait: float

    def increment(self, *args: Any, **kwargs: Any) -> Any:
        response = kwargs.get("response") if "response" in kwargs else _arg(args, 2)
        if response is not None:
            wait = self.get_retry_after(response)  # type: ignore[attr-defined]
            if wait is not None and wait > self.max_wait:
                raise WaitTooLong(wait, self.max_wait)
        return super().increment(*args, **kwargs)  # type: ignore[misc]


def _arg(args: tuple[Any, ...], index: int) -> Any:
    return args[index] if len(args) > index else None


class CappedRetry(CappedRetryMixin, Retry):
    def __init__(self, *, max_wait: float = 120.0, **kwargs: Any) -> None:
        self.max_wait = max_wait
        super().__init__(**kwargs)

    def new(self, **kwargs: Any) -> CappedRetry:
        kwargs["max_wait"] = self.max_wait
        return super().new(**kwargs)


def retry_settings(policy: HttpPolicy) -> dict[str, Any]:
    """urllib3 `Retry` arguments for the policy; the last bad answer reaches the client."""
    return {
        "total": policy.retries,
        "connect": policy.retries,
        "read": policy.retries,
        "status": policy.retries,
        "backoff_factor": policy.backoff / 2,  # urllib3 doubles from the second retry on
        "backoff_max": policy.backoff_max,
        "status_forcelist": RETRYABLE_STATUSES,
        "allowed_methods": frozenset({"GET", "HEAD"}),
        "respect_retry_after_header": True,
        "raise_on_status": False,
    }


def capped_retry(policy: HttpPolicy) -> CappedRetry:
    return CappedRetry(max_wait=policy.max_wait, **retry_settings(policy))


def mount_retry(session: Any, policy: HttpPolicy) -> None:
    """Give a `requests.Session` the policy's retries and a connection pool per worker."""
    quiet_library_logs()
    from requests.adapters import HTTPAdapter

    adapter = HTTPAdapter(
        max_retries=capped_retry(policy),
        pool_connections=policy.workers,
        pool_maxsize=max(policy.workers, 10),
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def quiet_library_logs() -> None:
    """Client libraries log retries and errors (urls, sometimes response bodies); with no
    handler configured Python would print those warnings on stderr. Our report says what
    failed, in one line each."""
    import logging

    for name in ("urllib3", "github", "gitlab", "jira", "requests_oauthlib"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
