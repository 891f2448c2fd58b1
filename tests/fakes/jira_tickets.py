"""A fake Jira Server that files issues: create, search by label, comment (REST v2 shapes)."""

from __future__ import annotations

import json
import re
from typing import Any

from fakes.server import FakeServer, Request, Response

API = "/rest/api/2"


class FakeTracker:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[str, list[str]] = {}

    def serve(self) -> None:
        self.server.route(f"{API}/serverInfo", {
            "baseUrl": self.server.url, "version": "9.12.0", "versionNumbers": [9, 12, 0],
            "deploymentType": "Server",
        })  # fmt: skip
        self.server.route(f"{API}/field", [])  # the client reads field names before a search
        self.server.route(f"{API}/issue", self._create, method="POST")
        self.server.route(f"{API}/search", self._search)

    def created(self) -> list[dict[str, Any]]:
        return [issue["fields"] for issue in self.issues]

    def _create(self, request: Request) -> Response:
        fields = json.loads(request.body)["fields"]
        key = f"{fields['project']['key']}-{len(self.issues) + 1}"
        issue = {
            "id": str(len(self.issues) + 1),
            "key": key,
            "self": f"{self.server.url}{API}/issue/{key}",
            "fields": fields,
        }
        self.issues.append(issue)
        self.comments[key] = []
        self.server.route(f"{API}/issue/{key}/comment", self._commenter(key), method="POST")
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
        return Response.json(
            {"startAt": 0, "maxResults": 50, "total": len(found), "issues": found[:1]}
        )
