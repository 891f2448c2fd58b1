"""Jira (Server/Data Center and Cloud) through the `jira` client.

Issues come from a JQL search with their description, comments and attachment list in the
same answer, so an issue costs no extra request unless it has more comments than the search
embeds (the rest are paged with `startAt`) or text attachments under the size limit (one
download each). Server/DC speaks REST v2 (`/search`, `startAt`/`total`, wiki-markup bodies)
with a personal access token; Cloud speaks REST v3 (`/search/jql`, `nextPageToken`, ADF JSON
bodies) with an e-mail address and API token — `JIRA_EMAIL` being set selects Cloud.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from connectors.base import Tally
from connectors.http import HttpPolicy, token_from
from connectors.jira_text import adf_text
from connectors.parallel import bounded
from connectors.remote import Describe, common_failure, describer, guarded, iso
from scanner.model import Chunk, Location

SOURCE = "jira"
TOKEN_ENV = "JIRA_TOKEN"
EMAIL_ENV = "JIRA_EMAIL"
FIELDS = ["summary", "description", "comment", "attachment", "updated", "reporter"]
COMMENT_PAGE = 100
SEARCH_PAGE = 100
DEFAULT_ATTACHMENT_LIMIT = 1024 * 1024
_TEXT_TYPES = ("application/json", "application/xml", "application/yaml", "application/x-yaml",
               "application/x-sh", "application/javascript", "application/x-pem-file")  # fmt: skip
_TEXT_SUFFIXES = (".txt", ".log", ".env", ".json", ".yaml", ".yml", ".xml", ".cfg", ".conf",
                  ".ini", ".properties", ".toml", ".sh", ".py", ".js", ".ts", ".md", ".csv",
                  ".pem", ".key", ".tf", ".har")  # fmt: skip
Guard = Callable[[Callable[[], list[Any]]], list[Any]]
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class JiraSettings:
    url: str
    token_env: str = TOKEN_ENV
    email_env: str = EMAIL_ENV
    updated_since: datetime | None = None
    attachment_limit: int = DEFAULT_ATTACHMENT_LIMIT
    http: HttpPolicy = field(default_factory=HttpPolicy)


@dataclass(frozen=True, slots=True)
class JiraConnector:
    jql: str
    settings: JiraSettings

    def chunks(self, tally: Tally) -> Iterator[Chunk]:
        token = token_from(self.settings.token_env, "jira")
        email = _email(self.settings.email_env)
        describe = _describer(token, self.settings, cloud=email is not None)
        jql = with_since(self.jql, self.settings.updated_since)
        try:
            client = make_client(self.settings, token, email)
        except Exception as error:  # the whole source is unreadable: say why, go on with others
            tally.problem(SOURCE, self.jql, describe(error, "server info"))
            return
        reader = _IssueReader(client, self.settings, tally, describe)
        where = f"{self.jql}: search"

        def guard(fetch: Callable[[], list[Any]]) -> list[Any]:
            return guarded(tally, SOURCE, where, describe, fetch)

        workers = self.settings.http.workers
        issues = _streamed(_search(client, jql, guard, workers), tally, where, describe)
        # Search pages come one after another; the issues' extra comment pages and
        # attachments are fetched by a bounded pool while the next page is read.
        tasks = (partial(_all, reader.read, issue) for issue in issues)
        yield from bounded(tasks, self.settings.http.workers)


def _streamed(items: Iterator[Any], tally: Tally, where: str, describe: Describe) -> Iterator[Any]:
    """Items as they arrive; a failure (say on page 2) ends them with one problem line."""
    try:
        yield from items
    except Exception as error:  # what was read before the failure is still scanned
        tally.problem(SOURCE, where, describe(error, where))


def _all(read: Callable[[Any], Iterator[Chunk]], issue: Any) -> list[Chunk]:
    return list(read(issue))


def _email(variable: str) -> str | None:
    import os

    return os.environ.get(variable, "").strip() or None


def with_since(jql: str, since: datetime | None) -> str:
    """`(JQL) AND updated >= "…"`, keeping an ORDER BY clause at the end."""
    if since is None:
        return jql
    found = _ORDER_BY.search(jql)
    query, order = (jql[: found.start()], jql[found.start() :]) if found else (jql, "")
    stamp = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    condition = f'updated >= "{stamp}"'
    query = f"({query.strip()}) AND {condition}" if query.strip() else condition
    return f"{query} {order}".strip()


def make_client(settings: JiraSettings, token: str, email: str | None) -> Any:
    from jira import JIRA

    from connectors.retry import mount_retry, quiet_library_logs

    quiet_library_logs()
    options = {"rest_api_version": "3" if email else "2", "check_update": False}
    auth: dict[str, Any] = {"basic_auth": (email, token)} if email else {"token_auth": token}
    client = JIRA(
        server=settings.url.rstrip("/"),
        options=options,
        max_retries=0,  # our policy retries (and caps waits); the client's own can sleep 60 s
        timeout=settings.http.timeout,
        get_server_info=False,
        **auth,
    )
    mount_retry(client._session, settings.http)
    info = client.server_info()  # what the constructor would have asked, now with our retries
    client._version = tuple(info["versionNumbers"])
    client.deploymentType = info.get("deploymentType")
    return client


def _search(client: Any, jql: str, guard: Guard, workers: int) -> Iterator[Any]:
    """Page by page, so the issues of pages read before a failure are still scanned."""
    if client.deploymentType == "Cloud":
        yield from _search_by_token(client, jql)
    else:
        yield from _search_by_start(client, jql, guard, workers)


def _search_by_start(client: Any, jql: str, guard: Guard, workers: int) -> Iterator[Any]:
    """Server/DC: the first page gives `total` and the server's page size; the other pages
    are then fetched by a bounded pool (each failing page is one problem, the rest go on)."""
    first = client.search_issues(jql, startAt=0, maxResults=SEARCH_PAGE, fields=FIELDS)
    yield from first
    size = len(first)
    if not size or size >= first.total:
        return

    def page(start: int) -> list[Any]:
        return list(client.search_issues(jql, startAt=start, maxResults=size, fields=FIELDS))

    starts = range(size, first.total, size)
    yield from bounded([partial(guard, partial(page, start)) for start in starts], workers)


def _search_by_token(client: Any, jql: str) -> Iterator[Any]:
    """Cloud: `/search/jql` hands out a `nextPageToken` until `isLast`; there is no total."""
    token: str | None = None
    while True:
        page = client.enhanced_search_issues(
            jql, nextPageToken=token, maxResults=SEARCH_PAGE, fields=FIELDS
        )
        yield from page
        token = page.nextPageToken
        if not page or page.isLast or not token:
            return


@dataclass(frozen=True, slots=True)
class _IssueReader:
    client: Any
    settings: JiraSettings
    tally: Tally
    describe: Describe

    def read(self, issue: Any) -> Iterator[Chunk]:
        fields = issue.raw.get("fields", {})
        url = f"{self.settings.url.rstrip('/')}/browse/{issue.key}"
        base = Location(
            source="jira-issue",
            repo=issue.key.rsplit("-", 1)[0],
            url=url,
            author=_person(fields.get("reporter")),
            date=iso(fields.get("updated")),
        )
        yield from _text(fields.get("summary"), _at(base, field="summary"))
        yield from _text(fields.get("description"), _at(base, field="description"))
        where = f"{issue.key}: comments"
        comments = guarded(self.tally, SOURCE, where, self.describe, lambda: self._comments(issue))
        for comment in comments:
            yield from _text(comment.get("body"), _comment_location(base, comment))
        attachments = fields.get("attachment") or []
        for attachment in attachments:
            yield from self._attachment(issue.key, attachment, base)

    def _comments(self, issue: Any) -> Iterator[dict[str, Any]]:
        """The comments the search embedded, then the rest page by page (`startAt`)."""
        embedded = issue.raw.get("fields", {}).get("comment") or {}
        comments: list[dict[str, Any]] = list(embedded.get("comments") or [])
        yield from comments
        total = embedded.get("total", len(comments))
        start = len(comments)
        while start < total:
            page = self.client.comments(issue.key, start_at=start, max_results=COMMENT_PAGE)
            if not page:
                break
            for comment in page:
                yield comment.raw
            start += len(page)

    def _attachment(self, key: str, attachment: dict[str, Any], base: Location) -> list[Chunk]:
        name = str(attachment.get("filename") or "")
        if not _is_text(name, str(attachment.get("mimeType") or "")):
            self.tally.skip("binary attachment")
            return []
        if int(attachment.get("size") or 0) > self.settings.attachment_limit:
            self.tally.skip("attachment too large")
            return []
        location = _at(
            base,
            source="jira-attachment",
            path=name,
            author=_person(attachment.get("author")),
            date=iso(attachment.get("created")),
        )
        where = f"{key}: attachment {name}"
        data = guarded(
            self.tally, SOURCE, where, self.describe, lambda: [self._download(attachment)]
        )
        return [Chunk(content, location) for content in data if b"\0" not in content[:8000]]

    def _download(self, attachment: dict[str, Any]) -> bytes:
        # The size was checked from the metadata; the client raises on an error status.
        response = self.client._session.get(attachment["content"])
        return bytes(response.content[: self.settings.attachment_limit])


def _is_text(name: str, mime: str) -> bool:
    return mime.startswith("text/") or mime in _TEXT_TYPES or name.lower().endswith(_TEXT_SUFFIXES)


def _comment_location(issue: Location, comment: dict[str, Any]) -> Location:
    return _at(
        issue,
        source="jira-comment",
        field="comment",
        url=f"{issue.url}?focusedCommentId={comment.get('id')}",
        author=_person(comment.get("author")),
        date=iso(comment.get("updated") or comment.get("created")),
    )


def _at(location: Location, **changes: Any) -> Location:
    from dataclasses import replace

    return replace(location, **changes)


def _text(body: Any, location: Location) -> list[Chunk]:
    """A v2 body is wiki markup (a string); a v3 body is an ADF document (JSON)."""
    text = body if isinstance(body, str) else adf_text(body) if isinstance(body, dict) else ""
    return [Chunk(text.encode("utf-8", "replace"), location)] if text else []


def _person(user: Any) -> str | None:
    if not isinstance(user, dict):
        return None
    return user.get("name") or user.get("displayName") or user.get("accountId")


def _describer(token: str, settings: JiraSettings, *, cloud: bool) -> Describe:
    credentials = f"${settings.token_env}" + (f" and ${settings.email_env}" if cloud else "")
    return describer(lambda error, _, __: _failure(error, credentials), token, settings.token_env)


def _failure(error: BaseException, credentials: str) -> str:
    from jira.exceptions import JIRAError

    status = getattr(error, "status_code", None)
    if status is None and hasattr(error, "response") and error.response is not None:
        status = getattr(error.response, "status_code", None)
    messages = {
        401: f"Jira rejected the credentials in {credentials} (401): are they valid?",
        403: "permission denied (403): the account needs the Browse projects permission",
        400: "Jira rejected the query (400): check the JQL",
        404: "not found (404), or the account cannot see it",
        410: "this Jira has no such search endpoint (410): for Jira Cloud set $JIRA_EMAIL",
    }
    if isinstance(status, int) and (isinstance(error, JIRAError) or status >= 400):
        return messages.get(status, f"Jira answered {status}")
    if isinstance(error, KeyError | TypeError):
        return "the server's answer lacks expected fields"
    return common_failure(error) or f"failed ({type(error).__name__})"
