"""A fake Jira that files issues: create, search by label, comment. Server/DC shapes (REST v2,
wiki-markup strings, `startAt`/`total`) or, with `cloud=True`, Cloud's (REST v3, ADF documents,
`/search/jql` with `isLast`; the old `/search` answers 410 there)."""

from __future__ import annotations

import json
import re
from typing import Any

from fakes.server import FakeServer, Request, Response


class FakeTracker:
    def __init__(self, server: FakeServer, *, cloud: bool = False) -> None:
        self.server = server
        self.cloud = cloud
        self.api = "/rest/api/3" if cloud else "/rest/api/2"
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[str, list[Any]] = {}  # strings on Server, ADF documents on Cloud

    def serve(self) -> None:
        api = self.api
        self.server.route(f"{api}/serverInfo", {
            "baseUrl": self.server.url, "version": "1001.0.0" if self.cloud else "9.12.0",
            "versionNumbers": [1001, 0, 0] if self.cloud else [9, 12, 0],
            "deploymentType": "Cloud" if self.cloud else "Server",
        })  # fmt: skip
        self.server.route(f"{api}/field", [])  # the client reads field names before a search
        self.server.route(f"{api}/issue", self._create, method="POST")
        if self.cloud:
            self.server.route(f"{api}/search/jql", self._search)
            self.server.route(f"{api}/search", Response.json({"errorMessages": ["gone"]}, 410))
        else:
            self.server.route(f"{api}/search", self._search)

    def created(self) -> list[dict[str, Any]]:
        return [issue["fields"] for issue in self.issues]

    def _create(self, request: Request) -> Response:
        fields = json.loads(request.body)["fields"]
        key = f"{fields['project']['key']}-{len(self.issues) + 1}"
        issue = {
            "id": str(len(self.issues) + 1),
            "key": key,
            "self": f"{self.server.url}{self.api}/issue/{key}",
            "fields": fields,
        }
        self.issues.append(issue)
        self.comments[key] = []
        self.server.route(f"{self.api}/issue/{key}/comment", self._commenter(key), method="POST")
        return Response.json({"id": issue["id"], "key": key, "self": issue["self"]}, 201)

    def _commenter(self, key: str) -> Any:
        def comment(request: Request) -> Response:
            body = json.loads(request.body)["body"]
            self.comments[key].append(body)
            return Response.json(
                {"id": str(len(self.comments[key])), "body": body, "self": f"{self.server.url}/c"},
                201,
            )

        return comment

    def _search(self, request: Request) -> Response:
        label = re.search(r'labels = "([^"]+)"', request.query.get("jql", ""))
        found = [
            {"id": i["id"], "key": i["key"], "self": i["self"], "fields": {}}
            for i in self.issues
            if label and label.group(1) in i["fields"].get("labels", [])
        ]
        if self.cloud:
            return Response.json({"issues": found[:1], "isLast": True})
        return Response.json(
            {"startAt": 0, "maxResults": 50, "total": len(found), "issues": found[:1]}
        )
