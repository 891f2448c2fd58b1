"""A fake GitLab REST API v4 (the documented shapes python-gitlab reads), on FakeServer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fakes.server import FakeServer, Response, link_pages

API = "/api/v4"
WEB = "https://gitlab.example"
DATE = "2026-03-01T10:00:00.000Z"


def _user(name: str) -> dict[str, Any]:
    return {"id": abs(hash(name)) % 10**6, "username": name, "name": name.title()}


@dataclass
class FakeProject:
    id: int
    path: str  # with namespace
    issues: list[dict[str, Any]] = field(default_factory=list)
    merge_requests: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    snippets: list[dict[str, Any]] = field(default_factory=list)
    snippet_files: dict[tuple[int, str], str] = field(default_factory=dict)
    variables: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    clone_url: str | None = None  # e.g. file:// of a real repository; default: 404 on the fake

    @property
    def web_url(self) -> str:
        return f"{WEB}/{self.path}"


@dataclass
class FakeGroup:
    id: int
    path: str
    variables: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "full_path": self.path,
            "path": self.path.rsplit("/", 1)[-1],
            "name": self.path,
            "web_url": f"{WEB}/groups/{self.path}",
        }


class GitlabFake:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.groups: list[FakeGroup] = []
        self.projects: list[tuple[FakeGroup | None, FakeProject]] = []
        self.instance_variables: list[dict[str, Any]] = []
        self.user_snippets: list[dict[str, Any]] = []
        self._ids = 100

    @property
    def url(self) -> str:
        return self.server.url

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    # -- builders -----------------------------------------------------------------------
    def group(self, path: str) -> FakeGroup:
        group = FakeGroup(self._next_id(), path)
        self.groups.append(group)
        return group

    def project(self, group: FakeGroup | None, name: str) -> FakeProject:
        path = f"{group.path}/{name}" if group else name
        project = FakeProject(self._next_id(), path)
        self.projects.append((group, project))
        return project

    def issue(
        self, project: FakeProject, description: str, *, notes: list[str] = (),  # type: ignore[assignment]
        merge_request: bool = False, author: str = "alice", updated: str = DATE,
    ) -> None:  # fmt: skip
        items = project.merge_requests if merge_request else project.issues
        kind = "merge_requests" if merge_request else "issues"
        iid = len(items) + 1
        items.append({
            "id": self._next_id(), "iid": iid, "project_id": project.id, "title": "a title",
            "description": description, "state": "opened", "author": _user(author),
            "created_at": updated, "updated_at": updated, "user_notes_count": len(notes),
            "web_url": f"{project.web_url}/-/{kind}/{iid}",
        })  # fmt: skip
        listed = [
            {"id": self._next_id(), "body": body, "author": _user("bob"), "system": False,
             "created_at": updated, "updated_at": updated, "noteable_iid": iid}
            for body in notes
        ]  # fmt: skip
        project.notes[(kind, iid)] = listed

    def system_note(self, project: FakeProject, body: str) -> None:
        """GitLab's own activity note on the first issue ("changed the description")."""
        project.notes[("issues", 1)].append(
            {"id": self._next_id(), "body": body, "author": _user("bob"), "system": True,
             "created_at": DATE, "updated_at": DATE}
        )  # fmt: skip

    @staticmethod
    def variable(
        key: str, value: str | None, *, masked: bool = False, protected: bool = False,
        hidden: bool = False, scope: str = "*",
    ) -> dict[str, Any]:  # fmt: skip
        return {
            "key": key, "value": None if hidden else value, "variable_type": "env_var",
            "masked": masked or hidden, "protected": protected, "hidden": hidden, "raw": False,
            "environment_scope": scope, "description": None,
        }  # fmt: skip

    def snippet(self, project: FakeProject | None, files: dict[str, str]) -> None:
        snippet_id = self._next_id()
        first = next(iter(files))
        base = (
            f"{project.web_url}/-/snippets/{snippet_id}"
            if project
            else f"{WEB}/-/snippets/{snippet_id}"
        )
        payload = {
            "id": snippet_id, "title": "notes", "file_name": first, "author": _user("carol"),
            "created_at": DATE, "updated_at": DATE, "web_url": base,
            "files": [{"path": name, "raw_url": f"{base}/raw/main/{name}"} for name in files],
        }  # fmt: skip
        if project:
            project.snippets.append(payload)
            for name, content in files.items():
                project.snippet_files[(snippet_id, name)] = content
        else:
            self.user_snippets.append({**payload, "_content": files[first]})

    def schedule(self, project: FakeProject, variables: dict[str, str]) -> None:
        project.schedules.append({
            "id": self._next_id(), "description": "nightly", "owner": _user("dave"),
            "created_at": DATE, "updated_at": DATE, "cron": "0 1 * * *",
            "variables": [
                {"key": k, "value": v, "variable_type": "env_var"} for k, v in variables.items()
            ],
        })  # fmt: skip

    # -- serving ------------------------------------------------------------------------
    def _list(self, path: str, items: list[Any]) -> None:
        self.server.route(API + path, link_pages(self.server, items, default_per_page=20))

    def serve(self) -> None:
        for group in self.groups:
            self._group_routes(group)
        for _, project in self.projects:
            self._project_routes(project)
        self._list("/admin/ci/variables", self.instance_variables)
        listed = [{k: v for k, v in s.items() if k != "_content"} for s in self.user_snippets]
        self._list("/snippets", listed)
        for snippet in self.user_snippets:
            self.server.route(
                f"{API}/snippets/{snippet['id']}/raw", Response(200, snippet["_content"].encode())
            )

    def _project_payload(self, project: FakeProject) -> dict[str, Any]:
        return {
            "id": project.id, "path_with_namespace": project.path, "web_url": project.web_url,
            "name": project.path.rsplit("/", 1)[-1], "path": project.path.rsplit("/", 1)[-1],
            "http_url_to_repo": project.clone_url or f"{self.server.url}/git/{project.path}.git",
            "default_branch": "main",
        }  # fmt: skip

    def _group_routes(self, group: FakeGroup) -> None:
        payload = group.payload()
        self.server.route(f"{API}/groups/{quote(group.path, safe='')}", payload)
        self.server.route(f"{API}/groups/{group.id}", payload)
        members = [
            self._project_payload(p)
            for g, p in self.projects
            if g is not None and (g is group or g.path.startswith(group.path + "/"))
        ]
        self._list(f"/groups/{group.id}/projects", members)
        descendants = [g.payload() for g in self.groups if g.path.startswith(group.path + "/")]
        self._list(f"/groups/{group.id}/descendant_groups", descendants)
        self._list(f"/groups/{group.id}/variables", group.variables)

    def _project_routes(self, project: FakeProject) -> None:
        base = f"/projects/{project.id}"
        payload = self._project_payload(project)
        self.server.route(f"{API}/projects/{quote(project.path, safe='')}", payload)
        self.server.route(API + base, payload)
        self._list(f"{base}/issues", project.issues)
        self._list(f"{base}/merge_requests", project.merge_requests)
        for (kind, iid), notes in project.notes.items():
            self._list(f"{base}/{kind}/{iid}/notes", notes)
        self._list(f"{base}/snippets", project.snippets)
        for (snippet_id, name), content in project.snippet_files.items():
            raw = Response(200, content.encode(), {"Content-Type": "text/plain"})
            self.server.route(
                f"{API}{base}/snippets/{snippet_id}/files/HEAD/{quote(name, safe='')}/raw", raw
            )
            if project.snippets and name == next(
                s["file_name"] for s in project.snippets if s["id"] == snippet_id
            ):
                self.server.route(f"{API}{base}/snippets/{snippet_id}/raw", raw)
        self._list(f"{base}/variables", project.variables)
        self._list(f"{base}/pipeline_schedules", [
            {k: v for k, v in s.items() if k != "variables"} for s in project.schedules
        ])  # fmt: skip
        for schedule in project.schedules:
            self.server.route(f"{API}{base}/pipeline_schedules/{schedule['id']}", schedule)
