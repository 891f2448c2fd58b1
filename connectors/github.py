"""GitHub (and GitHub Enterprise Server) through PyGithub.

Per repository, whole-repository listings are used — all issue comments, all review comments
— never one request per issue, so the cost is a few paginated requests per repository
(plus one per environment for its variables, and one per gist for its file contents, which
the list of gists does not carry). Repositories are read by a bounded pool of workers.
PyGithub is imported only when a GitHub source is actually scanned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.base import MatchStage, Tally
from connectors.git import GitScanOptions, scan_repository
from connectors.github_secrets import SecretPlace, SeenSecret, secret_notes
from connectors.github_secrets import listed as listed_secrets
from connectors.http import HttpPolicy, clone_header, token_from
from connectors.parallel import bounded
from connectors.remote import common_failure, describer, guarded, iso, newer
from scanner.clock import today_utc
from scanner.model import Chunk, Location, Matched

if TYPE_CHECKING:
    from github.Organization import Organization

SOURCE = "github"
DEFAULT_API = "https://api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"
PARTS = ("issues", "comments", "review-comments", "variables", "gists")

# What a 403 on each part means the token is missing.
_PERMISSION = {
    "repositories": "read access to the repositories (fine-grained: Metadata read; classic: repo)",
    "issues": "Issues and Pull requests read (classic: repo)",
    "comments": "Issues and Pull requests read (classic: repo)",
    "review-comments": "Pull requests read (classic: repo)",
    "variables": "Variables read (classic: repo; organization variables need admin:org)",
    "environments": "Environments read (classic: repo)",
    "gists": "the gist scope",
    "secrets": "Secrets read (classic: repo; organization secrets need admin:org)",
}


@dataclass(frozen=True, slots=True)
class GithubTarget:
    """`github:OWNER` (an organization or a user) or `github:OWNER/REPO`."""

    owner: str
    repo: str | None = None

    @property
    def label(self) -> str:
        return f"{self.owner}/{self.repo}" if self.repo else self.owner


@dataclass(frozen=True, slots=True)
class GithubSettings:
    base_url: str = DEFAULT_API
    token_env: str = TOKEN_ENV
    updated_since: datetime | None = None
    parts: frozenset[str] = frozenset(PARTS)
    http: HttpPolicy = field(default_factory=HttpPolicy)
    git: GitScanOptions | None = None  # clone and scan each repository's history with these
    # Approved github-secret: places of inventory keys; when given, secrets are listed.
    secret_places: tuple[SecretPlace, ...] = ()


@dataclass(frozen=True, slots=True)
class GithubConnector:
    target: GithubTarget
    settings: GithubSettings = field(default_factory=GithubSettings)
    # The engine's matching, for the histories of the repositories cloned (GitConnector).
    stage: MatchStage | None = field(default=None, compare=False, repr=False)

    def matching(self, stage: MatchStage) -> GithubConnector:
        return replace(self, stage=stage)

    def chunks(self, tally: Tally) -> Iterator[Chunk | Matched]:
        token = token_from(self.settings.token_env, "github")
        describe = describer(_failure, token, self.settings.token_env)
        try:
            client = make_client(self.settings, token)
            org, owner_user, repos = self._scope(client)
        except Exception as error:  # the whole source is unreadable: say why, go on with others
            tally.problem(SOURCE, self.target.label, describe(error, "repositories"))
            return
        if org is not None and "variables" in self.settings.parts and self.target.repo is None:
            yield from guarded(
                tally,
                SOURCE,
                f"{org.login}: variables",
                describe,
                lambda: _org_variables(org, self.settings.updated_since),
            )
        if owner_user is not None and "gists" in self.settings.parts:
            yield from guarded(
                tally,
                SOURCE,
                f"{self.target.owner}: gists",
                describe,
                lambda: _gists(owner_user, self.settings.updated_since),
            )
        listed = guarded(tally, SOURCE, f"{self.target.label}: repositories", describe, repos)
        secrets: list[SeenSecret] = []
        if org is not None and self.settings.secret_places and self.target.repo is None:
            where = f"{org.login}: secrets"
            secrets += guarded(tally, SOURCE, where, describe, lambda: listed_secrets(
                org.get_secrets(), org.login))  # fmt: skip
        tasks = [_repo_task(repo, self.settings, tally, describe, secrets) for repo in listed]
        yield from bounded(tasks, self.settings.http.workers)
        if self.settings.secret_places:
            owners = {repo.full_name for repo in listed} | ({org.login} if org else set())
            tally.notes.extend(
                secret_notes(self.settings.secret_places, secrets, owners, today_utc())
            )
        if self.settings.git is not None:
            git = replace(self.settings.git, clone_headers=(clone_header("x-access-token", token),))
            for repo in listed:
                yield from scan_repository(repo.clone_url, git, self.stage).chunks(tally)

    def _scope(self, client: Any) -> tuple[Organization | None, Any, Callable[[], Iterable[Any]]]:
        """The organization (if the owner is one), the user (if not), and the repositories."""
        from github import UnknownObjectException

        if self.target.repo is not None:
            repo = client.get_repo(self.target.label)
            return None, None, lambda: [repo]
        try:
            org = client.get_organization(self.target.owner)
            return org, None, lambda: org.get_repos(type="all")
        except UnknownObjectException:
            user = client.get_user(self.target.owner)
            return None, user, lambda: user.get_repos(type="owner")


def make_client(settings: GithubSettings, token: str) -> Any:
    from github import Auth, Github

    from connectors.retry import quiet_library_logs

    quiet_library_logs()
    return Github(
        base_url=settings.base_url.rstrip("/"),
        auth=Auth.Token(token),
        per_page=100,
        timeout=int(max(1, settings.http.timeout)),
        retry=_retry(settings.http),
        pool_size=settings.http.workers,
        # Our retry policy paces us; PyGithub's own throttle costs 0.25 s per request.
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def _retry(policy: HttpPolicy) -> Any:
    from github import GithubRetry

    from connectors.retry import CappedRetryMixin, retry_settings

    class CappedGithubRetry(CappedRetryMixin, GithubRetry):
        """GithubRetry (403 rate limits, reset header) with our caps on every wait."""

        def __init__(self, **kwargs: Any) -> None:
            self.max_wait = policy.max_wait
            kwargs.setdefault("max_rate_limit_wait", policy.max_wait)
            kwargs.setdefault("secondary_rate_wait", min(60.0, policy.max_wait))
            super().__init__(**kwargs)

    settings = retry_settings(policy)
    settings.pop("status_forcelist")  # GithubRetry adds 403 (rate limits) to its own list
    return CappedGithubRetry(status_forcelist=[429, 500, 502, 503, 504], **settings)


def _repo_task(
    repo: Any,
    settings: GithubSettings,
    tally: Tally,
    describe: Callable[[BaseException, str], str],
    secrets: list[SeenSecret],
) -> Callable[[], list[Chunk]]:
    def task() -> list[Chunk]:
        if settings.secret_places:
            where = f"{repo.full_name}: secrets"
            secrets.extend(guarded(tally, SOURCE, where, describe, lambda: _repo_secrets(repo)))
        since = settings.updated_since
        readers: dict[str, Callable[[], Iterable[Chunk]]] = {
            "issues": lambda: _issues(repo, since),
            "comments": lambda: _comments(repo, since),
            "review-comments": lambda: _review_comments(repo, since),
            "variables": lambda: _repo_variables(repo, since),
        }
        chunks: list[Chunk] = []
        for part, read in readers.items():
            if part in settings.parts:
                chunks += guarded(tally, SOURCE, f"{repo.full_name}: {part}", describe, read)
        return chunks

    return task


def _repo_secrets(repo: Any) -> Iterator[SeenSecret]:
    yield from listed_secrets(repo.get_secrets(), repo.full_name)
    for environment in repo.get_environments():
        prefix = f"environments/{environment.name}/"
        yield from listed_secrets(environment.get_secrets(), repo.full_name, prefix)


def _text_chunk(text: str | None, location: Location) -> list[Chunk]:
    return [Chunk(text.encode("utf-8", "replace"), location)] if text else []


def _issues(repo: Any, since: datetime | None) -> Iterator[Chunk]:
    extra = {"since": since} if since else {}
    for issue in repo.get_issues(state="all", sort="updated", direction="asc", **extra):
        is_pull = issue.pull_request is not None
        base = Location(
            source="github-pull-request" if is_pull else "github-issue",
            repo=repo.full_name,
            url=issue.html_url,
            author=issue.user.login if issue.user else None,
            date=iso(issue.updated_at),
        )
        yield from _text_chunk(issue.title, _with(base, "title"))
        yield from _text_chunk(issue.body, _with(base, "description"))


def _comments(repo: Any, since: datetime | None) -> Iterator[Chunk]:
    extra = {"since": since} if since else {}
    for comment in repo.get_issues_comments(sort="updated", direction="asc", **extra):
        yield from _comment_chunk(repo, comment, "github-comment", "comment")


def _review_comments(repo: Any, since: datetime | None) -> Iterator[Chunk]:
    extra = {"since": since} if since else {}
    for comment in repo.get_pulls_review_comments(sort="updated", direction="asc", **extra):
        yield from _comment_chunk(repo, comment, "github-pr-review-comment", "review-comment")


def _comment_chunk(repo: Any, comment: Any, source: str, field_name: str) -> list[Chunk]:
    location = Location(
        source=source,
        repo=repo.full_name,
        field=field_name,
        url=comment.html_url,
        author=comment.user.login if comment.user else None,
        date=iso(comment.updated_at),
    )
    return _text_chunk(comment.body, location)


def _gists(user: Any, since: datetime | None) -> Iterator[Chunk]:
    extra = {"since": since} if since else {}
    for gist in user.get_gists(**extra):
        # The list carries no file contents: PyGithub fetches each gist once, on first access.
        for name, file in sorted(gist.files.items()):
            location = Location(
                source="github-gist",
                repo=f"gist:{gist.id}",
                path=name,
                url=gist.html_url,
                author=gist.owner.login if gist.owner else user.login,
                date=iso(gist.updated_at),
            )
            yield from _text_chunk(file.content, location)


def _org_variables(org: Any, since: datetime | None) -> Iterator[Chunk]:
    url = f"{_web_root(org.html_url)}/organizations/{org.login}/settings/variables/actions"
    yield from _variables(org.get_variables(), org.login, "", url, since)


def _repo_variables(repo: Any, since: datetime | None) -> Iterator[Chunk]:
    settings_url = f"{repo.html_url}/settings"
    yield from _variables(
        repo.get_variables(), repo.full_name, "", f"{settings_url}/variables/actions", since
    )
    for environment in repo.get_environments():
        yield from _variables(
            environment.get_variables(),
            repo.full_name,
            f"environments/{environment.name}/",
            f"{settings_url}/environments/{environment.id}/edit",
            since,
        )


def _variables(
    variables: Iterable[Any], owner: str, prefix: str, url: str, since: datetime | None
) -> Iterator[Chunk]:
    """Actions variables: values are readable by design, so a key in one is in plain sight."""
    for variable in variables:
        if not newer(variable.updated_at, since):
            continue
        location = Location(
            source="github-variable",
            repo=owner,
            path=f"{prefix}{variable.name}",
            field="variable:plain",
            url=url,
            date=iso(variable.updated_at),
        )
        yield from _text_chunk(variable.value, location)


def _with(location: Location, field_name: str) -> Location:
    return replace(location, field=field_name)


def _web_root(html_url: str) -> str:
    """https://github.com/acme → https://github.com (GitHub Enterprise: its own host)."""
    return html_url.rsplit("/", 1)[0]


def _failure(error: BaseException, where: str, token_env: str) -> str:
    from github import BadCredentialsException, GithubException, RateLimitExceededException

    part = where.rsplit(": ", 1)[-1]
    if isinstance(error, BadCredentialsException):
        return f"GitHub rejected the token in ${token_env} (401): is it valid and unexpired?"
    if isinstance(error, RateLimitExceededException):
        return "rate limited, and the reset is further away than the wait limit; run again later"
    if isinstance(error, GithubException):
        if error.status == 403:
            needed = _PERMISSION.get(part, "read access")
            return f"permission denied (403): the token needs {needed}"
        if error.status == 404:
            return "not found (404), or the token cannot see it"
        return f"GitHub answered {error.status}"
    return common_failure(error) or f"failed ({type(error).__name__})"
