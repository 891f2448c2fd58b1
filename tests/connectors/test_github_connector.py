"""The GitHub connector, driving the real PyGithub against a local fake of the REST API."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import random_key
from fakes.github import GithubFake
from fakes.server import FakeServer
from gitrepo import Repo, write_inventory

from connectors.base import Tally
from connectors.git import GitScanOptions
from connectors.github import GithubConnector, GithubSettings, GithubTarget
from connectors.github_secrets import SecretPlace
from connectors.http import HttpPolicy
from scanner.model import Chunk

FAST = HttpPolicy(retries=3, backoff=0.0, backoff_max=0.0, max_wait=5.0, timeout=5.0, workers=3)
TOKEN = "ghp_" + random_key(36)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def github_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def read(fake: GithubFake, target: str = "acme", **settings: object) -> tuple[list[Chunk], Tally]:
    owner, _, repo = target.partition("/")
    connector = GithubConnector(
        GithubTarget(owner, repo or None),
        GithubSettings(base_url=fake.base_url, http=FAST, **settings),  # type: ignore[arg-type]
    )
    tally = Tally()
    return list(connector.chunks(tally)), tally


def by_value(chunks: list[Chunk], value: str) -> list[Chunk]:
    return [chunk for chunk in chunks if value.encode() in chunk.data]


def test_every_part_of_an_organization_is_read_with_link_author_and_date(
    server: FakeServer,
) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    keys = {
        name: random_key() for name in ("issue", "pr", "comment", "review", "org", "repo", "env")
    }
    fake.issue(repo, f"the key is {keys['issue']}", author="carol")
    fake.issue(repo, f"deploy with {keys['pr']}", pull=True)
    fake.comment(repo, f"try {keys['comment']}", author="dave")
    fake.comment(repo, f"line {keys['review']}", review=True)
    fake.org_variables.append(fake.variable("ORG_KEY", keys["org"]))
    repo.variables.append(fake.variable("REPO_KEY", keys["repo"]))
    repo.environments["production"] = [fake.variable("ENV_KEY", keys["env"])]
    fake.serve()

    chunks, tally = read(fake)

    assert tally.problems == []
    found = {name: by_value(chunks, value) for name, value in keys.items()}
    assert all(len(hits) == 1 for hits in found.values()), found
    issue = found["issue"][0].location
    assert (issue.source, issue.repo, issue.field) == (
        "github-issue",
        "acme/payments",
        "description",
    )
    assert issue.url == "https://github.example/acme/payments/issues/1"
    assert (issue.author, issue.date) == ("carol", "2026-03-01T10:00:00+00:00")
    assert found["pr"][0].location.source == "github-pull-request"
    assert found["comment"][0].location.source == "github-comment"
    assert found["comment"][0].location.author == "dave"
    assert found["review"][0].location.source == "github-pr-review-comment"
    org = found["org"][0].location
    assert (org.source, org.repo, org.path, org.field) == (
        "github-variable",
        "acme",
        "ORG_KEY",
        "variable:plain",
    )
    assert org.url == "https://github.example/organizations/acme/settings/variables/actions"
    assert found["env"][0].location.path == "environments/production/ENV_KEY"
    assert all(chunk.location.url and chunk.location.date for chunk in chunks)


def test_pagination_reaches_the_end_without_a_request_per_item(server: FakeServer) -> None:
    fake = GithubFake(server)
    repos = [fake.repo(f"r{n}") for n in range(3)]
    last = random_key()
    for n in range(250):
        fake.issue(repos[0], last if n == 249 else f"issue {n}")
    for n in range(120):
        fake.comment(repos[1], f"comment {n}")
    fake.serve()

    chunks, tally = read(fake)

    assert tally.problems == []
    assert len(by_value(chunks, last)) == 1
    assert len([c for c in chunks if c.location.field == "description"]) == 250
    assert server.count("/api/v3/repos/acme/r0/issues") == 3  # 100 + 100 + 50
    # org, repos, org variables; per repo: issues, comments, review comments, variables,
    # environments — and nothing per issue or comment.
    assert len(server.log) == 3 + 3 * 5 + 2 + 1


def test_rate_limit_and_server_errors_are_retried(server: FakeServer) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    key = random_key()
    fake.issue(repo, key)
    fake.serve()
    server.fail("/api/v3/repos/acme/payments/issues", 429, **{"Retry-After": "0"})
    server.fail("/api/v3/orgs/acme/repos", 502, times=2)

    chunks, tally = read(fake)

    assert tally.problems == []
    assert len(by_value(chunks, key)) == 1
    assert server.count("/api/v3/orgs/acme/repos") == 3
    assert server.count("/api/v3/repos/acme/payments/issues") == 2


def test_persistent_server_errors_end_in_one_problem_after_bounded_retries(
    server: FakeServer,
) -> None:
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()
    server.fail("/api/v3/repos/acme/payments/issues", 503, times=100)

    _, tally = read(fake)

    assert [(p.where, p.message) for p in tally.problems] == [
        ("acme/payments: issues", "GitHub answered 503")
    ]
    assert server.count("/api/v3/repos/acme/payments/issues") == FAST.retries + 1


def test_a_long_retry_after_is_not_slept_through(server: FakeServer) -> None:
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()
    server.fail("/api/v3/repos/acme/payments/issues", 429, **{"Retry-After": "3600"})

    started = time.monotonic()
    _, tally = read(fake)

    assert time.monotonic() - started < 5
    assert len(tally.problems) == 1
    assert "asks to wait 3600s" in tally.problems[0].message


def test_primary_rate_limit_reset_beyond_the_cap_fails_fast(server: FakeServer) -> None:
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()
    reset = str(int(time.time()) + 3600)
    server.fail(
        "/api/v3/repos/acme/payments/issues",
        403,
        body=b'{"message": "API rate limit exceeded for user."}',
        **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )

    started = time.monotonic()
    _, tally = read(fake)

    assert time.monotonic() - started < 5
    assert [p.message for p in tally.problems] == [
        "rate limited, and the reset is further away than the wait limit; run again later"
    ]


def test_bad_token_is_one_line_naming_the_variable_and_never_the_token(
    server: FakeServer,
) -> None:
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()
    server.fail("/api/v3/orgs/acme", 401, times=10, body=b'{"message": "Bad credentials"}')

    chunks, tally = read(fake)

    assert chunks == []
    assert len(tally.problems) == 1
    problem = tally.problems[0]
    assert (problem.source, problem.where) == ("github", "acme")
    assert "$GITHUB_TOKEN (401)" in problem.message
    assert TOKEN not in repr(tally)
    assert server.log[0].headers["authorization"] == f"token {TOKEN}"


def test_forbidden_part_names_the_missing_permission_and_others_go_on(
    server: FakeServer,
) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    key = random_key()
    fake.issue(repo, key)
    fake.serve()
    server.fail(
        "/api/v3/repos/acme/payments/actions/variables",
        403,
        body=b'{"message": "Resource not accessible by integration"}',
    )

    chunks, tally = read(fake)

    assert len(by_value(chunks, key)) == 1
    assert [(p.where, p.message) for p in tally.problems] == [
        (
            "acme/payments: variables",
            "permission denied (403): the token needs Variables read "
            "(classic: repo; organization variables need admin:org)",
        ),
    ]


def test_malformed_json_and_an_error_on_page_two_keep_what_was_read(server: FakeServer) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    first, second = random_key(), random_key()
    for n in range(150):
        fake.issue(repo, first if n == 0 else second if n == 149 else "x")
    fake.comment(repo, "hello")
    fake.serve()
    server.fail("/api/v3/repos/acme/payments/issues", 404, query={"page": "2"})
    server.fail("/api/v3/repos/acme/payments/issues/comments", 200, body=b"{not json")

    chunks, tally = read(fake)

    assert len(by_value(chunks, first)) == 1  # page 1 kept
    assert by_value(chunks, second) == []
    messages = {p.where: p.message for p in tally.problems}
    assert messages == {
        "acme/payments: issues": "not found (404), or the token cannot see it",
        "acme/payments: comments": "the server sent malformed JSON",
    }


def test_user_gists_cost_one_request_each_and_carry_their_files(server: FakeServer) -> None:
    fake = GithubFake(server, "bob", user=True)
    fake.repo("dotfiles")
    key = random_key()
    fake.gist({"notes.md": f"token {key}", "other.txt": "nothing"})
    fake.gist({"b.sh": "echo hi"})
    fake.serve()

    chunks, tally = read(fake, "bob")

    assert tally.problems == []
    [hit] = by_value(chunks, key)
    assert (hit.location.source, hit.location.path) == ("github-gist", "notes.md")
    assert hit.location.url == "https://github.example/gist/g1"
    assert len(server.requests("/api/v3/gists/")) == 2


def test_updated_since_is_sent_and_old_variables_are_skipped(server: FakeServer) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    old, new = random_key(), random_key()
    repo.variables += [
        fake.variable("OLD", old, "2025-01-01T00:00:00Z"),
        fake.variable("NEW", new, "2026-06-01T00:00:00Z"),
    ]
    fake.serve()

    chunks, _ = read(fake, updated_since=datetime(2026, 1, 1, tzinfo=UTC))

    assert by_value(chunks, old) == [] and len(by_value(chunks, new)) == 1
    issues = server.requests("/api/v3/repos/acme/payments/issues")[0]
    assert issues.query["since"] == "2026-01-01T00:00:00Z"


def test_one_repository_target_reads_only_that_repository(server: FakeServer) -> None:
    fake = GithubFake(server)
    fake.issue(fake.repo("payments"), "a")
    fake.issue(fake.repo("other"), "b")
    fake.serve()

    chunks, tally = read(fake, "acme/payments")

    assert tally.problems == []
    assert {c.location.repo for c in chunks} == {"acme/payments"}
    assert server.requests("/api/v3/orgs") == []


def test_repositories_are_cloned_with_the_token_in_a_header_and_scanned(
    server: FakeServer, tmp_path: Path
) -> None:
    fake = GithubFake(server)
    key = random_key()
    history = Repo(tmp_path / "payments")
    history.commit("config", {"app.cfg": f"key={key}\n"})
    fake.repo("payments").clone_url = history.root.as_uri()
    fake.repo("gone")  # its clone URL answers 404
    fake.serve()

    chunks, tally = read(fake, git=GitScanOptions())

    [hit] = [c for c in by_value(chunks, key) if c.location.source == "git"]
    assert hit.location.path == "app.cfg"
    [problem] = tally.problems
    assert problem.source == "git" and "cannot clone" in problem.message
    assert TOKEN not in repr(tally) and TOKEN not in repr(hit)
    clones = [r for r in server.log if r.path.startswith("/git/acme/gone.git")]
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert clones and clones[0].headers["authorization"] == expected


def test_secrets_metadata_is_checked_against_approved_places(server: FakeServer) -> None:
    fake = GithubFake(server)
    repo = fake.repo("payments")
    repo.secrets.append(fake.secret("DEPLOY_TOKEN", "2026-01-01T00:00:00Z"))
    repo.environment_secrets["production"] = [fake.secret("PROD", "2026-05-01T00:00:00Z")]
    fake.org_secrets.append(fake.secret("SHARED", "2026-05-01T00:00:00Z"))
    fake.serve()
    places = (
        SecretPlace("github-secret:acme/payments:DEPLOY_TOKEN", "deploy", date(2026, 3, 1)),
        SecretPlace("github-secret:acme/payments:environments/*/PROD", "prod", date(2026, 4, 1)),
        SecretPlace("github-secret:acme:SHARED", "shared"),
        SecretPlace("github-secret:acme/payments:MISSING", "gone"),
        SecretPlace("github-secret:other/repo:X", "elsewhere"),
    )

    _, tally = read(fake, secret_places=places)

    assert tally.problems == []
    notes = [note.split(" (")[0] if "days ago" in note else note for note in tally.notes]
    assert sorted(notes) == [
        "deploy lives in github-secret:acme/payments:DEPLOY_TOKEN, set 2026-01-01",
        "gone: approved place github-secret:acme/payments:MISSING does not exist",
        "prod lives in github-secret:acme/payments:environments/production/PROD, set 2026-05-01",
        "shared lives in github-secret:acme:SHARED, set 2026-05-01",
    ]
    [deploy] = [note for note in tally.notes if note.startswith("deploy")]
    assert deploy.endswith(
        ": set before the key's current value (2026-03-01), it may still hold a retired one"
    )


def test_secrets_are_not_listed_when_no_key_lives_in_one(server: FakeServer) -> None:
    fake = GithubFake(server)
    fake.repo("payments")
    fake.serve()

    read(fake)

    assert [r for r in server.log if r.path.endswith("/secrets")] == []


def test_cloned_histories_are_read_and_matched_by_parallel_readers_with_jobs(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more than one job the engine's matching reaches the GitConnector of each cloned
    repository: its history is read and matched in parallel, with the findings of one job."""
    from connectors import git
    from scanner import engine, inventory, setup

    fake = GithubFake(server)
    keys = {f"k{n}": random_key() for n in range(4)}
    history = Repo(tmp_path / "payments")
    for n, key in enumerate(keys.values()):
        history.commit(f"c{n}", {f"f{n}.cfg": f"key={key}\n"})
    loaded = inventory.load(write_inventory(tmp_path / "inv.toml", keys))
    fake.repo("payments").clone_url = history.root.as_uri()
    fake.serve()
    monkeypatch.setattr(git, "MIN_PARALLEL", 1)
    started: list[int] = []
    parallel_matched = git.parallel_matched

    def counted(*args: object, **kwargs: object) -> object:
        started.append(1)
        return parallel_matched(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(git, "parallel_matched", counted)
    connector = GithubConnector(
        GithubTarget("acme", "payments"),
        GithubSettings(base_url=fake.base_url, http=FAST, git=GitScanOptions(workers=2)),
    )

    def scan(jobs: int) -> list[tuple[str | None, int | None]]:
        result = engine.scan(
            [connector],
            detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
            classifier=setup.classifier(loaded),
            jobs=jobs,
        )
        return sorted(
            (o.location.commit, o.location.line) for f in result.findings for o in f.occurrences
        )

    assert scan(2) == scan(1)
    assert started == [1]
