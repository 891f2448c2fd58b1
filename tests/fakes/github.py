"""A fake GitHub REST API (the documented shapes PyGithub reads), on top of FakeServer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakes.server import FakeServer, Response, link_pages

API = "/api/v3"
WEB = "https://github.example"
DATE = "2026-03-01T10:00:00Z"


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**6, "type": "User"}


@dataclass
class FakeRepo:
    name: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    variables: list[dict[str, Any]] = field(default_factory=list)
    environments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    clone_url: str | None = None  # e.g. file:// of a real repository; default: 404 on the fake
    secrets: list[dict[str, Any]] = field(default_factory=list)
    environment_secrets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class GithubFake:
    """Builds an organization (or a user) with repositories, then serves it."""

    def __init__(self, server: FakeServer, owner: str = "acme", *, user: bool = False) -> None:
        self.server = server
        self.owner = owner
        self.is_user = user
        self.repos: list[FakeRepo] = []
        self.org_variables: list[dict[str, Any]] = []
        self.org_secrets: list[dict[str, Any]] = []
        self.gists: list[dict[str, Any]] = []
        self.per_page = 100

    @property
    def base_url(self) -> str:
        return self.server.url + API

    def api(self, path: str) -> str:
        return f"{self.server.url}{API}{path}"

    # -- content builders ---------------------------------------------------------------
    def repo(self, name: str) -> FakeRepo:
        repo = FakeRepo(name)
        self.repos.append(repo)
        return repo

    def issue(
        self,
        repo: FakeRepo,
        body: str,
        *,
        title: str = "a title",
        pull: bool = False,
        author: str = "alice",
        updated: str = DATE,
    ) -> None:
        number = len(repo.issues) + 1
        full = f"{self.owner}/{repo.name}"
        kind = "pull" if pull else "issues"
        repo.issues.append(
            {
                "id": number,
                "number": number,
                "title": title,
                "body": body,
                "state": "open",
                "url": self.api(f"/repos/{full}/issues/{number}"),
                "html_url": f"{WEB}/{full}/{kind}/{number}",
                "user": _user(author),
                "created_at": updated,
                "updated_at": updated,
                "pull_request": {"url": self.api(f"/repos/{full}/pulls/{number}")}
                if pull
                else None,
            }
        )

    def comment(
        self,
        repo: FakeRepo,
        body: str,
        *,
        review: bool = False,
        author: str = "bob",
        updated: str = DATE,
    ) -> None:
        target = repo.review_comments if review else repo.comments
        number = len(target) + 1
        full = f"{self.owner}/{repo.name}"
        kind = "pulls/comments" if review else "issues/comments"
        target.append(
            {
                "id": number,
                "body": body,
                "user": _user(author),
                "url": self.api(f"/repos/{full}/{kind}/{number}"),
                "html_url": f"{WEB}/{full}/issues/1#issuecomment-{number}",
                "created_at": updated,
                "updated_at": updated,
                "path": "src/app.py",
            }
        )

    @staticmethod
    def variable(name: str, value: str, updated: str = DATE) -> dict[str, Any]:
        return {"name": name, "value": value, "created_at": updated, "updated_at": updated}

    @staticmethod
    def secret(name: str, updated: str = DATE) -> dict[str, Any]:
        return {"name": name, "created_at": updated, "updated_at": updated}

    def gist(self, files: dict[str, str], updated: str = DATE) -> None:
        gist_id = f"g{len(self.gists) + 1}"
        self.gists.append(
            {
                "id": gist_id,
                "url": self.api(f"/gists/{gist_id}"),
                "html_url": f"{WEB}/gist/{gist_id}",
                "owner": _user(self.owner),
                "created_at": updated,
                "updated_at": updated,
                "public": False,
                "files": {
                    n: {"filename": n, "size": len(c), "content": c} for n, c in files.items()
                },
            }
        )

    # -- serving ------------------------------------------------------------------------
    def serve(self) -> None:
        self._owner_routes()
        for repo in self.repos:
            self._repo_routes(repo)

    def _list(self, path: str, items: list[Any], key: str | None = None) -> None:
        def wrap(page: list[Any]) -> Any:
            return {"total_count": len(items), key: page} if key else page

        self.server.route(API + path, link_pages(self.server, items, wrap=wrap))

    def _owner_routes(self) -> None:
        owner = {
            **_user(self.owner),
            "url": self.api(f"/{'users' if self.is_user else 'orgs'}/{self.owner}"),
            "html_url": f"{WEB}/{self.owner}",
        }
        repos = [self._repo_payload(repo) for repo in self.repos]
        if self.is_user:
            self.server.route(f"{API}/users/{self.owner}", owner)
            self._list(f"/users/{self.owner}/repos", repos)
            listed = [
                {
                    **g,
                    "files": {
                        n: {k: v for k, v in f.items() if k != "content"}
                        for n, f in g["files"].items()
                    },
                }
                for g in self.gists
            ]
            self._list(f"/users/{self.owner}/gists", listed)
            for gist in self.gists:
                self.server.route(f"{API}/gists/{gist['id']}", gist)
        else:
            self.server.route(f"{API}/orgs/{self.owner}", {**owner, "type": "Organization"})
            self._list(f"/orgs/{self.owner}/repos", repos)
            self._list(f"/orgs/{self.owner}/actions/variables", self.org_variables, "variables")
            self._list(f"/orgs/{self.owner}/actions/secrets", self.org_secrets, "secrets")

    def _repo_payload(self, repo: FakeRepo) -> dict[str, Any]:
        full = f"{self.owner}/{repo.name}"
        return {
            "id": abs(hash(full)) % 10**6,
            "name": repo.name,
            "full_name": full,
            "owner": _user(self.owner),
            "private": True,
            "url": self.api(f"/repos/{full}"),
            "html_url": f"{WEB}/{full}",
            "clone_url": repo.clone_url or f"{self.server.url}/git/{full}.git",
        }

    def _repo_routes(self, repo: FakeRepo) -> None:
        full = f"/repos/{self.owner}/{repo.name}"
        self.server.route(API + full, self._repo_payload(repo))
        self._list(f"{full}/issues", repo.issues)
        self._list(f"{full}/issues/comments", repo.comments)
        self._list(f"{full}/pulls/comments", repo.review_comments)
        self._list(f"{full}/actions/variables", repo.variables, "variables")
        self._list(f"{full}/actions/secrets", repo.secrets, "secrets")
        environments = [
            {
                "id": index,
                "name": name,
                "url": self.api(f"{full}/environments/{name}"),
                "html_url": f"{WEB}{full}/deployments/{name}",
            }
            for index, name in enumerate({**repo.environments, **repo.environment_secrets}, 1)
        ]
        self._list(f"{full}/environments", environments, "environments")
        for name in {**repo.environments, **repo.environment_secrets}:
            variables = repo.environments.get(name, [])
            self._list(f"{full}/environments/{name}/variables", variables, "variables")
            secrets = repo.environment_secrets.get(name, [])
            self._list(f"{full}/environments/{name}/secrets", secrets, "secrets")


def empty_ok() -> Response:
    return Response.json([])
