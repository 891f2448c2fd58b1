"""The GitLab connector, driving the real python-gitlab against a local fake of API v4."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import random_key
from fakes.gitlab import GitlabFake
from fakes.server import FakeServer
from gitrepo import Repo

from connectors.base import Tally
from connectors.git import GitScanOptions
from connectors.gitlab import GitlabConnector, GitlabSettings
from connectors.http import HttpPolicy
from scanner.model import Chunk

FAST = HttpPolicy(retries=3, backoff=0.0, backoff_max=0.0, max_wait=5.0, timeout=5.0, workers=3)
TOKEN = "glpat-" + random_key(20)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def gitlab_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)


def read(fake: GitlabFake, path: str, **settings: object) -> tuple[list[Chunk], Tally]:
    settings.setdefault("http", FAST)
    connector = GitlabConnector(path, GitlabSettings(url=fake.url, **settings))  # type: ignore[arg-type]
    tally = Tally()
    return list(connector.chunks(tally)), tally


def by_value(chunks: list[Chunk], value: str) -> list[Chunk]:
    return [chunk for chunk in chunks if value.encode() in chunk.data]


def test_a_group_with_subgroups_is_read_whole(server: FakeServer) -> None:
    fake = GitlabFake(server)
    acme = fake.group("acme")
    infra = fake.group("acme/infra")
    payments = fake.project(acme, "payments")
    deploy = fake.project(infra, "deploy")
    keys = {n: random_key() for n in ("issue", "note", "mr", "mrnote", "snip", "var", "group",
                                       "sub", "sched", "multi")}  # fmt: skip
    fake.issue(payments, f"key {keys['issue']}", notes=["hello", f"use {keys['note']}"])
    fake.system_note(payments, f"changed the description {random_key()}")
    fake.issue(deploy, keys["mr"], merge_request=True, notes=[keys["mrnote"]])
    fake.snippet(payments, {"creds.txt": keys["snip"]})
    fake.snippet(deploy, {"a.txt": "nothing", "b.env": f"X={keys['multi']}"})
    payments.variables.append(fake.variable("DEPLOY", keys["var"], masked=True))
    acme.variables.append(fake.variable("ORG", keys["group"], masked=True, protected=True))
    infra.variables.append(fake.variable("SUB", keys["sub"], scope="production"))
    fake.schedule(deploy, {"NIGHTLY": keys["sched"]})
    fake.serve()

    chunks, tally = read(fake, "acme")

    assert tally.problems == []
    found = {name: by_value(chunks, value) for name, value in keys.items()}
    assert all(len(hits) == 1 for hits in found.values()), found
    note = found["note"][0].location
    assert (note.source, note.repo, note.field, note.author) == (
        "gitlab-note", "acme/payments", "comment", "bob"
    )  # fmt: skip
    assert note.url is not None and note.url.startswith(f"{payments.web_url}/-/issues/1#note_")
    assert note.date == "2026-03-01T10:00:00.000Z"
    assert found["mr"][0].location.source == "gitlab-merge-request"
    assert found["multi"][0].location.path == "b.env"
    variable = found["var"][0].location
    assert (variable.source, variable.repo, variable.path, variable.field) == (
        "gitlab-variable", "acme/payments", "DEPLOY", "variable:unprotected"
    )  # fmt: skip
    assert found["group"][0].location.field == "variable"
    sub = found["sub"][0].location
    assert (sub.repo, sub.path, sub.field) == (
        "acme/infra", "environments/production/SUB", "variable:unmasked,unprotected"
    )  # fmt: skip
    assert found["sched"][0].location.author == "dave"
    assert not any(c.location.source == "gitlab-note" and b"changed" in c.data for c in chunks)


def test_hidden_variables_are_skipped_and_counted(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    project.variables += [fake.variable("SECRET", None, hidden=True), fake.variable("A", "plain")]
    fake.serve()

    chunks, tally = read(fake, "acme/payments")

    assert tally.problems == []
    assert tally.skipped["hidden variable"] == 1
    assert [c.location.path for c in chunks if c.location.source == "gitlab-variable"] == ["A"]


def test_pagination_and_no_request_per_issue_without_notes(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    last = random_key()
    for n in range(230):
        fake.issue(project, last if n == 229 else f"issue {n}", notes=["x"] if n < 3 else [])
    fake.serve()

    chunks, tally = read(fake, "acme/payments")

    assert tally.problems == []
    assert len(by_value(chunks, last)) == 1
    base = f"/api/v4/projects/{project.id}"
    assert server.count(f"{base}/issues") == 3
    notes = [r for r in server.log if r.path.endswith("/notes")]
    assert len(notes) == 3  # only the issues whose user_notes_count says they have notes
    # project lookup + issues (3 pages) + notes (3) + MRs, snippets, variables, schedules
    assert len(server.log) == 1 + 3 + 3 + 4


def test_429_and_5xx_are_retried_within_bounds(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    key = random_key()
    fake.issue(project, key)
    fake.serve()
    base = f"/api/v4/projects/{project.id}"
    server.fail(f"{base}/issues", 429, **{"Retry-After": "0"})
    server.fail(f"{base}/variables", 500, times=2)
    server.fail(f"{base}/snippets", 502, times=50)

    chunks, tally = read(fake, "acme/payments")

    assert len(by_value(chunks, key)) == 1
    assert server.count(f"{base}/issues") == 2
    assert server.count(f"{base}/variables") == 3
    assert server.count(f"{base}/snippets") == FAST.retries + 1
    assert [(p.where, p.message) for p in tally.problems] == [
        ("acme/payments: snippets", "GitLab answered 502")
    ]


def test_retry_after_as_an_http_date_is_understood(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    fake.serve()
    server.fail(
        f"/api/v4/projects/{project.id}/issues", 429,
        **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )  # fmt: skip

    _, tally = read(fake, "acme/payments")

    assert tally.problems == []
    assert server.count(f"/api/v4/projects/{project.id}/issues") == 2


def test_a_long_retry_after_ends_the_part_at_once(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    fake.serve()
    server.fail(f"/api/v4/projects/{project.id}/issues", 429, **{"Retry-After": "7200"})

    started = time.monotonic()
    _, tally = read(fake, "acme/payments")

    assert time.monotonic() - started < 5
    assert [p.message for p in tally.problems] == [
        "rate limited: the server asks to wait 7200s (limit 5s); run again later"
    ]


def test_bad_token_and_missing_permission_are_one_line_each(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    fake.serve()
    server.fail(f"/api/v4/projects/{project.id}/variables", 403)

    _, tally = read(fake, "acme/payments")
    assert [(p.where, p.message) for p in tally.problems] == [
        (
            "acme/payments: variables",
            "permission denied (403): the token needs the read_api scope and the Maintainer role",
        )
    ]

    server.fail("/api/v4/*", 401, times=100, body=b'{"message": "401 Unauthorized"}')
    chunks, tally = read(fake, "acme/payments")
    assert chunks == []
    assert [(p.source, p.where, p.message) for p in tally.problems] == [
        (
            "gitlab",
            "acme/payments",
            "GitLab rejected the token in $GITLAB_TOKEN (401): is it valid and unexpired?",
        )
    ]
    assert TOKEN not in repr(tally)
    assert server.log[0].headers["private-token"] == TOKEN


def test_malformed_json_and_an_error_on_page_two(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    first, second = random_key(), random_key()
    for n in range(150):
        fake.issue(project, first if n == 0 else second if n == 149 else "x")
    fake.serve()
    base = f"/api/v4/projects/{project.id}"
    server.fail(f"{base}/issues", 404, query={"page": "2"})
    server.fail(f"{base}/variables", 200, body=b"[{not json")

    chunks, tally = read(fake, "acme/payments")

    assert len(by_value(chunks, first)) == 1 and by_value(chunks, second) == []
    assert {p.where: p.message for p in tally.problems} == {
        "acme/payments: issues": "not found (404), or the token cannot see it",
        "acme/payments: variables": "the server sent malformed JSON",
    }


def test_updated_since_filters_issues_and_snippets(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    fake.snippet(project, {"old.txt": random_key()})
    fake.serve()

    _, tally = read(fake, "acme/payments", updated_since=datetime(2026, 6, 1, tzinfo=UTC))

    assert tally.problems == []
    [issues] = server.requests(f"/api/v4/projects/{project.id}/issues")
    assert issues.query["updated_after"] == "2026-06-01T00:00:00+00:00"
    assert server.requests(f"/api/v4/projects/{project.id}/snippets/") == []  # not fetched


def test_the_instance_target_reads_instance_variables_and_own_snippets(
    server: FakeServer,
) -> None:
    fake = GitlabFake(server)
    key, snippet_key = random_key(), random_key()
    fake.instance_variables.append(fake.variable("SHARED", key, masked=True, protected=True))
    fake.snippet(None, {"mine.txt": snippet_key})
    fake.serve()

    chunks, tally = read(fake, "")

    assert tally.problems == []
    [variable] = by_value(chunks, key)
    assert (variable.location.repo, variable.location.path) == ("(instance)", "SHARED")
    assert by_value(chunks, snippet_key)[0].location.source == "gitlab-snippet"


def test_projects_are_cloned_and_their_history_scanned(server: FakeServer, tmp_path: Path) -> None:
    fake = GitlabFake(server)
    group = fake.group("acme")
    key = random_key()
    history = Repo(tmp_path / "payments")
    history.commit("config", {"ci/deploy.sh": f"curl -H 'token: {key}'\n"})
    fake.project(group, "payments").clone_url = history.root.as_uri()
    fake.serve()

    chunks, tally = read(fake, "acme", git=GitScanOptions())

    assert tally.problems == []
    [hit] = by_value(chunks, key)
    assert (hit.location.source, hit.location.path) == ("git", "ci/deploy.sh")


def test_a_timed_out_request_is_retried(server: FakeServer) -> None:
    fake = GitlabFake(server)
    project = fake.project(fake.group("acme"), "payments")
    key = random_key()
    fake.issue(project, key)
    fake.serve()
    server.fail(f"/api/v4/projects/{project.id}/issues", 200, delay=0.5)
    server.fail(f"/api/v4/projects/{project.id}/variables", 200, delay=0.5, times=10)
    quick = replace(FAST, timeout=0.2, retries=1)

    chunks, tally = read(fake, "acme/payments", http=quick)

    assert len(by_value(chunks, key)) == 1
    assert server.count(f"/api/v4/projects/{project.id}/issues") == 2
    assert [(p.where, p.message) for p in tally.problems] == [
        ("acme/payments: variables", "timed out (retries exhausted)")
    ]
