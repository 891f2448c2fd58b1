"""Filing revocation tickets in Jira: find one by label, create one, add a comment.

The text comes from the caller already composed (it never holds a key's value). Server/DC
takes wiki-markup strings over REST v2; Cloud (selected by `email_env` being set) takes ADF
documents over REST v3.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.http import HttpPolicy, scrub, token_from
from connectors.jira import JiraSettings, make_client


class TicketError(Exception):
    """Jira refused or failed a ticket operation; the message names no credential."""


@dataclass(frozen=True, slots=True)
class TicketSettings:
    url: str
    token_env: str = "JIRA_TOKEN"
    email_env: str | None = None
    issue_type: str = "Task"
    http: HttpPolicy = field(default_factory=HttpPolicy)


def adf(text: str) -> dict[str, Any]:
    """Jira Cloud's document format: one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        if line
        else {"type": "paragraph", "content": []}
        for line in text.splitlines()
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


class JiraTickets:
    def __init__(self, settings: TicketSettings) -> None:
        self._settings = settings
        self._token = token_from(settings.token_env, "jira tickets")
        email = os.environ.get(settings.email_env, "").strip() if settings.email_env else ""
        self._cloud = bool(email)
        jira = JiraSettings(url=settings.url, token_env=settings.token_env, http=settings.http)
        try:
            self._client = make_client(jira, self._token, email or None)
        except Exception as error:
            raise self._error("cannot connect", error) from None

    def find(self, label: str) -> str | None:
        jql = f'labels = "{label}" ORDER BY created ASC'
        try:
            if self._cloud:
                found = self._client.enhanced_search_issues(jql, maxResults=1, fields=["key"])
            else:
                found = self._client.search_issues(jql, maxResults=1, fields="key")
        except Exception as error:
            raise self._error("cannot search tickets", error) from None
        return str(found[0].key) if found else None

    def create(self, project: str, summary: str, description: str, labels: Sequence[str]) -> str:
        fields = {
            "project": {"key": project},
            "issuetype": {"name": self._settings.issue_type},
            "summary": summary,
            "description": adf(description) if self._cloud else description,
            "labels": list(labels),
        }
        try:
            issue = self._client.create_issue(fields=fields, prefetch=False)
        except Exception as error:
            raise self._error(f"cannot create a ticket in {project}", error) from None
        return str(issue.key)

    def comment(self, key: str, text: str) -> None:
        body: Any = adf(text) if self._cloud else text
        try:
            self._client.add_comment(key, body)
        except Exception as error:
            raise self._error(f"cannot comment on {key}", error) from None

    def _error(self, what: str, error: BaseException) -> TicketError:
        status = getattr(error, "status_code", None)
        detail = f"Jira answered {status}" if status else type(error).__name__
        return TicketError(scrub(f"{what}: {detail}", self._token))
