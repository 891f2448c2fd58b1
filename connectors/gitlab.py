"""GitLab (gitlab.com or self-managed) through python-gitlab.

A target is a project, a group (with its subgroups and all their projects) or the instance.
Per project: issues and merge requests (title, description and user notes), snippets, CI/CD
variables and pipeline-schedule variables. Notes are fetched only for issues and merge
requests whose `user_notes_count` says they have any — GitLab has no project-wide notes
listing, so that is the fewest requests possible. Hidden variables carry no value and are
counted as skipped. python-gitlab's own retry loop is switched off: our urllib3 policy
(connectors.retry) bounds every wait.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from connectors.base import MatchStage, Tally
from connectors.git import GitScanOptions, scan_repository
from connectors.http import HttpPolicy, clone_header, token_from
from connectors.parallel import bounded
from connectors.remote import Describe, common_failure, describer, guarded, iso, newer
from scanner.model import Chunk, Location, Matched

SOURCE = "gitlab"
DEFAULT_URL = "https://gitlab.com"
TOKEN_ENV = "GITLAB_TOKEN"
PARTS = ("issues", "merge-requests", "snippets", "variables", "schedules")

T = TypeVar("T")
_PERMISSION = {
    "issues": "the read_api scope and at least Reporter access",
    "merge-requests": "the read_api scope and at least Reporter access",
    "snippets": "the read_api scope",
    "variables": "the read_api scope and the Maintainer role",
    "group variables": "the read_api scope and the Owner role on the group",
    "instance variables": "an administrator's token (read_api)",
    "schedules": "the read_api scope and the Maintainer role",
    "projects": "the read_api scope",
}


@dataclass(frozen=True, slots=True)
class GitlabSettings:
    url: str = DEFAULT_URL
    token_env: str = TOKEN_ENV
    updated_since: datetime | None = None
    parts: frozenset[str] = frozenset(PARTS)
    http: HttpPolicy = field(default_factory=HttpPolicy)
    git: GitScanOptions | None = None  # clone and scan each project's history with these


@dataclass(frozen=True, slots=True)
class GitlabConnector:
    """`path` is a project or group path; empty means the instance itself."""

    path: str
    settings: GitlabSettings = field(default_factory=GitlabSettings)
    # The engine's matching, for the histories of the repositories cloned (GitConnector).
    stage: MatchStage | None = field(default=None, compare=False, repr=False)

    def matching(self, stage: MatchStage) -> GitlabConnector:
        return replace(self, stage=stage)

    def chunks(self, tally: Tally) -> Iterator[Chunk | Matched]:
        token = token_from(self.settings.token_env, "gitlab")
        describe = describer(_failure, token, self.settings.token_env)
        label = self.path or "(instance)"
        try:
            client = make_client(self.settings, token)
            group, projects = self._scope(client)
        except Exception as error:  # the whole source is unreadable: say why, go on with others
            tally.problem(SOURCE, label, describe(error, "projects"))
            return
        reader = _Reader(client, self.settings, tally, describe)
        if not self.path:
            yield from reader.instance()
        if group is not None:
            yield from reader.groups(group)
        listed = guarded(tally, SOURCE, f"{label}: projects", describe, projects)
        yield from bounded([reader.project_task(p) for p in listed], self.settings.http.workers)
        if self.settings.git is not None:
            git = replace(self.settings.git, clone_headers=(clone_header("oauth2", token),))
            for project in listed:
                url = project.attributes.get("http_url_to_repo")
                if url and not project.attributes.get("empty_repo"):
                    yield from scan_repository(url, git, self.stage).chunks(tally)

    def _scope(self, client: Any) -> tuple[Any, Callable[[], Iterable[Any]]]:
        """The group (when the path is one) and a listing of the projects to read."""
        from gitlab.exceptions import GitlabGetError

        if not self.path:
            return None, list
        try:
            project = client.projects.get(self.path)
            return None, lambda: [project]
        except GitlabGetError as error:
            if error.response_code != 404:
                raise
        group = client.groups.get(self.path)
        return group, lambda: group.projects.list(
            iterator=True, include_subgroups=True, archived=False
        )


def make_client(settings: GitlabSettings, token: str) -> Any:
    import gitlab
    import requests

    from connectors.retry import mount_retry

    class _Gitlab(gitlab.Gitlab):
        def http_request(self, *args: Any, **kwargs: Any) -> Any:
            # One retry policy for every client: python-gitlab's own loop could sleep for
            # an unbounded Retry-After, and fails on one given as an HTTP date.
            kwargs.update(obey_rate_limit=False, retry_transient_errors=False, max_retries=0)
            return super().http_request(*args, **kwargs)

    session = requests.Session()
    mount_retry(session, settings.http)
    return _Gitlab(
        url=settings.url.rstrip("/"),
        private_token=token,
        per_page=100,
        timeout=settings.http.timeout,
        session=session,
        keep_base_url=True,
    )


@dataclass(frozen=True, slots=True)
class _Reader:
    client: Any
    settings: GitlabSettings
    tally: Tally
    describe: Describe

    def _guard(self, where: str, produce: Callable[[], Iterable[T]]) -> list[T]:
        return guarded(self.tally, SOURCE, where, self.describe, produce)

    def instance(self) -> Iterator[Chunk]:
        admin_url = f"{self.settings.url.rstrip('/')}/admin/application_settings/ci_cd"
        if "variables" in self.settings.parts:
            yield from self._guard(
                "(instance): instance variables",
                lambda: self._variables(self.client.variables, "(instance)", "", admin_url),
            )
        if "snippets" in self.settings.parts:
            yield from self._guard(
                "(instance): snippets", lambda: self._snippets(self.client.snippets, None)
            )

    def groups(self, group: Any) -> Iterator[Chunk]:
        """The group's CI/CD variables and those of every descendant group."""
        if "variables" not in self.settings.parts:
            return
        where = f"{group.full_path}: group variables"
        yield from self._guard(where, lambda: self._group_variables(group))
        descendants = self._guard(
            f"{group.full_path}: subgroups", lambda: group.descendant_groups.list(iterator=True)
        )
        for sub in descendants:
            lazy = self.client.groups.get(sub.id, lazy=True)
            where = f"{sub.full_path}: group variables"
            yield from self._guard(where, partial(self._group_variables, lazy, sub))

    def _group_variables(self, group: Any, listed: Any = None) -> Iterator[Chunk]:
        shown = listed or group
        url = f"{shown.web_url}/-/settings/ci_cd"
        yield from self._variables(group.variables, shown.full_path, "", url)

    def project_task(self, listed: Any) -> Callable[[], list[Chunk]]:
        def task() -> list[Chunk]:
            project = self.client.projects.get(listed.id, lazy=True)
            info = _ProjectInfo(listed.path_with_namespace, listed.web_url)
            readers: dict[str, Callable[[], Iterable[Chunk]]] = {
                "issues": lambda: self._items(project.issues, info, "gitlab-issue"),
                "merge-requests": lambda: self._items(
                    project.mergerequests, info, "gitlab-merge-request"
                ),
                "snippets": lambda: self._snippets(project.snippets, info),
                "variables": lambda: self._project_variables(project, info),
                "schedules": lambda: self._schedules(project, info),
            }
            chunks: list[Chunk] = []
            for part, read in readers.items():
                if part in self.settings.parts:
                    chunks += self._guard(f"{info.path}: {part}", read)
            return chunks

        return task

    # -- issues and merge requests -------------------------------------------------------
    def _since(self) -> dict[str, str]:
        since = self.settings.updated_since
        return {"updated_after": since.isoformat()} if since else {}

    def _items(self, manager: Any, info: _ProjectInfo, source: str) -> Iterator[Chunk]:
        """A project's issues or merge requests, oldest change first."""
        listing = manager.list(
            iterator=True, scope="all", state="all", order_by="updated_at", sort="asc",
            **self._since(),
        )  # fmt: skip
        for item in listing:
            yield from self._item(item, info, source)

    def _item(self, item: Any, info: _ProjectInfo, source: str) -> Iterator[Chunk]:
        attributes = item.attributes
        base = Location(
            source=source,
            repo=info.path,
            url=attributes.get("web_url"),
            author=_username(attributes.get("author")),
            date=iso(attributes.get("updated_at")),
        )
        yield from _text(attributes.get("title"), replace(base, field="title"))
        yield from _text(attributes.get("description"), replace(base, field="description"))
        if attributes.get("user_notes_count", 1):  # no notes: no request
            yield from self._notes(item, base)

    def _notes(self, item: Any, parent: Location) -> Iterator[Chunk]:
        for note in item.notes.list(iterator=True, sort="asc", order_by="updated_at"):
            attributes = note.attributes
            if attributes.get("system"):
                continue  # "changed the description": GitLab's own words
            location = Location(
                source="gitlab-note",
                repo=parent.repo,
                field="comment",
                url=f"{parent.url}#note_{attributes.get('id')}",
                author=_username(attributes.get("author")),
                date=iso(attributes.get("updated_at")),
            )
            yield from _text(attributes.get("body"), location)

    # -- snippets -------------------------------------------------------------------------
    def _snippets(self, manager: Any, info: _ProjectInfo | None) -> Iterator[Chunk]:
        for snippet in manager.list(iterator=True):
            attributes = snippet.attributes
            if not newer(attributes.get("updated_at"), self.settings.updated_since):
                continue
            location = Location(
                source="gitlab-snippet",
                repo=info.path if info else None,
                path=attributes.get("file_name"),
                url=attributes.get("web_url"),
                author=_username(attributes.get("author")),
                date=iso(attributes.get("updated_at")),
            )
            yield from self._snippet_files(snippet, location)

    def _snippet_files(self, snippet: Any, location: Location) -> Iterator[Chunk]:
        files = snippet.attributes.get("files") or []
        if len(files) <= 1:
            yield Chunk(bytes(snippet.content()), location)
            return
        # `raw` returns the first file only: a multi-file snippet is read file by file.
        base = snippet.manager.path + f"/{snippet.id}/files/HEAD"
        for entry in files:
            path = entry.get("path", "")
            data = self.client.http_get(f"{base}/{quote(path, safe='')}/raw", raw=True)
            yield Chunk(bytes(data.content), replace(location, path=path))

    # -- variables ------------------------------------------------------------------------
    def _project_variables(self, project: Any, info: _ProjectInfo) -> Iterator[Chunk]:
        url = f"{info.web_url}/-/settings/ci_cd"
        yield from self._variables(project.variables, info.path, "", url)

    def _schedules(self, project: Any, info: _ProjectInfo) -> Iterator[Chunk]:
        # The schedule list carries no variables: each schedule is fetched once.
        for listed in project.pipelineschedules.list(iterator=True):
            schedule = project.pipelineschedules.get(listed.id)
            attributes = schedule.attributes
            location = Location(
                source="gitlab-variable",
                repo=info.path,
                url=f"{info.web_url}/-/pipeline_schedules/{listed.id}/edit",
                author=_username(attributes.get("owner")),
                date=iso(attributes.get("updated_at")),
            )
            for variable in attributes.get("variables") or []:
                path = f"schedules/{listed.id}/{variable.get('key')}"
                # Schedule variables can be neither masked nor protected.
                chunk_location = replace(location, path=path, field="variable:unmasked,unprotected")
                yield from _text(variable.get("value"), chunk_location)

    def _variables(self, manager: Any, owner: str, prefix: str, url: str) -> Iterator[Chunk]:
        for variable in manager.list(iterator=True):
            attributes = variable.attributes
            value = attributes.get("value")
            if attributes.get("hidden") or value is None:
                self.tally.skip("hidden variable")
                continue
            scope = attributes.get("environment_scope") or "*"
            name = attributes.get("key")
            path = name if scope == "*" else f"environments/{scope}/{name}"
            location = Location(
                source="gitlab-variable",
                repo=owner,
                path=f"{prefix}{path}",
                field=variable_field(attributes),
                url=url,
            )
            yield from _text(value, location)


@dataclass(frozen=True, slots=True)
class _ProjectInfo:
    path: str
    web_url: str


def variable_field(attributes: dict[str, Any]) -> str:
    """`variable`, or `variable:` + what protects it not: unmasked, unprotected."""
    missing = [
        name
        for name, on in (
            ("unmasked", attributes.get("masked")),
            ("unprotected", attributes.get("protected")),
        )
        if not on
    ]
    return "variable:" + ",".join(missing) if missing else "variable"


def _text(text: str | None, location: Location) -> list[Chunk]:
    return [Chunk(text.encode("utf-8", "replace"), location)] if text else []


def _username(user: Any) -> str | None:
    return user.get("username") if isinstance(user, dict) else None


def _failure(error: BaseException, where: str, token_env: str) -> str:
    from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabParsingError

    part = where.rsplit(": ", 1)[-1]
    if isinstance(error, GitlabAuthenticationError):
        return f"GitLab rejected the token in ${token_env} (401): is it valid and unexpired?"
    if isinstance(error, GitlabParsingError):
        return "the server sent malformed JSON"
    if isinstance(error, GitlabError) and error.response_code is not None:
        if error.response_code == 401:
            return f"GitLab rejected the token in ${token_env} (401): is it valid and unexpired?"
        if error.response_code == 403:
            return f"permission denied (403): the token needs {_PERMISSION.get(part, 'read_api')}"
        if error.response_code == 404:
            return "not found (404), or the token cannot see it"
        return f"GitLab answered {error.response_code}"
    return common_failure(error) or f"failed ({type(error).__name__})"
