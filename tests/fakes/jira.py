"""A fake Jira REST API: Server/DC (v2, `startAt`/`total`, wiki-markup bodies) or Cloud (v3,
`/search/jql` with `nextPageToken`, ADF bodies), on FakeServer."""

from __future__ import annotations

import re
from typing import Any

from fakes.server import FakeServer, Request, Response, start_at_pages, token_pages

DATE = "2026-03-01T10:00:00.000+0000"


def adf(*paragraphs: str, link: str | None = None) -> dict[str, Any]:
    content: list[dict[str, Any]] = [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]} for text in paragraphs
    ]
    if link:
        mark = {"type": "link", "attrs": {"href": link}}
        content.append(
            {"type": "paragraph", "content": [{"type": "text", "text": "here", "marks": [mark]}]}
        )
    return {"type": "doc", "version": 1, "content": content}


class JiraFake:
    def __init__(self, server: FakeServer, *, cloud: bool = False, embedded: int = 20) -> None:
        self.server = server
        self.cloud = cloud
        self.version = "3" if cloud else "2"
        self.embedded = embedded  # comments a search answer carries per issue
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.attachments: dict[str, bytes] = {}

    @property
    def url(self) -> str:
        return self.server.url

    def _body(self, text: str) -> Any:
        return adf(text) if self.cloud else text

    def _person(self, name: str) -> dict[str, Any]:
        if self.cloud:
            return {"accountId": f"acc-{name}", "displayName": name}
        return {"name": name, "displayName": name.title()}

    def issue(
        self, description: Any, *, comments: list[str] = (),  # type: ignore[assignment]
        attachments: dict[str, tuple[str, bytes]] | None = None, project: str = "OPS",
    ) -> str:  # fmt: skip
        key = f"{project}-{len(self.issues) + 1}"
        listed = [
            {"id": str(1000 * len(self.issues) + n), "body": self._body(text),
             "author": self._person("bob"), "created": DATE, "updated": DATE}
            for n, text in enumerate(comments)
        ]  # fmt: skip
        self.comments[key] = listed
        files = []
        for index, (name, (mime, data)) in enumerate((attachments or {}).items()):
            attachment_id = f"{len(self.issues)}{index}"
            url = f"{self.url}/secure/attachment/{attachment_id}/{name}"
            self.attachments[f"/secure/attachment/{attachment_id}/{name}"] = data
            files.append({
                "id": attachment_id, "filename": name, "mimeType": mime, "size": len(data),
                "content": url, "author": self._person("carol"), "created": DATE,
                "self": f"{self.url}/rest/api/{self.version}/attachment/{attachment_id}",
            })  # fmt: skip
        body = description if not isinstance(description, str) else self._body(description)
        self.issues.append({
            "id": str(10000 + len(self.issues)), "key": key,
            "self": f"{self.url}/rest/api/{self.version}/issue/{key}",
            "fields": {
                "summary": "a summary", "description": body, "updated": DATE,
                "reporter": self._person("alice"), "attachment": files,
                "comment": {"comments": listed[: self.embedded], "maxResults": self.embedded,
                            "total": len(listed), "startAt": 0},
            },
        })  # fmt: skip
        return key

    def _updated_since(self, pages: Any) -> Any:
        """Honours `updated >= "yyyy-MM-dd HH:mm"` in the JQL, as Jira does (incremental scans)."""

        def handler(request: Request) -> Response:
            found = re.search(r'updated >= "([^"]+)"', request.query.get("jql", ""))
            issues = self.issues
            if found:
                issues = [
                    i
                    for i in issues
                    if i["fields"]["updated"][:16].replace("T", " ") >= found.group(1)
                ]
            answer: Response = pages(issues, "issues")(request)
            return answer

        return handler

    def serve(self) -> None:
        api = f"/rest/api/{self.version}"
        self.server.route(f"{api}/serverInfo", {
            "baseUrl": self.url, "version": "9.12.0" if not self.cloud else "1001.0.0",
            "versionNumbers": [9, 12, 0] if not self.cloud else [1001, 0, 0],
            "deploymentType": "Cloud" if self.cloud else "Server",
        })  # fmt: skip
        self.server.route(f"{api}/field", [])
        if self.cloud:
            self.server.route(f"{api}/search/jql", self._updated_since(token_pages))
            self.server.route(f"{api}/search", Response.json({"errorMessages": ["gone"]}, 410))
        else:
            self.server.route(f"{api}/search", self._updated_since(start_at_pages))
        for key, comments in self.comments.items():
            self.server.route(f"{api}/issue/{key}/comment", start_at_pages(comments, "comments"))
        for path, data in self.attachments.items():
            self.server.route(
                path, Response(200, data, {"Content-Type": "application/octet-stream"})
            )
