"""The Jira connector, driving the real `jira` client against a fake Server/DC and Cloud."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import random_key
from fakes.jira import JiraFake, adf
from fakes.server import FakeServer

from connectors.base import Tally
from connectors.http import HttpPolicy
from connectors.jira import JiraConnector, JiraSettings, with_since
from scanner.model import Chunk

FAST = HttpPolicy(retries=3, backoff=0.0, backoff_max=0.0, max_wait=5.0, timeout=5.0, workers=2)
TOKEN = random_key(24)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def jira_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    monkeypatch.delenv("JIRA_EMAIL", raising=False)


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_EMAIL", "scanner@example.com")


def read(
    fake: JiraFake, jql: str = "project = OPS", **settings: object
) -> tuple[list[Chunk], Tally]:
    connector = JiraConnector(jql, JiraSettings(url=fake.url, http=FAST, **settings))  # type: ignore[arg-type]
    tally = Tally()
    return list(connector.chunks(tally)), tally


def by_value(chunks: list[Chunk], value: str) -> list[Chunk]:
    return [chunk for chunk in chunks if value.encode() in chunk.data]


def test_server_issues_comments_and_text_attachments(server: FakeServer) -> None:
    fake = JiraFake(server)
    keys = {n: random_key() for n in ("description", "comment", "attachment", "binary")}
    fake.issue(
        f"h2. Setup\n{{code}}TOKEN={keys['description']}{{code}}",
        comments=["thanks", f"use {keys['comment']}"],
        attachments={
            "creds.env": ("text/plain", f"KEY={keys['attachment']}\n".encode()),
            "shot.png": ("image/png", keys["binary"].encode()),
        },
    )
    fake.serve()

    chunks, tally = read(fake)

    assert tally.problems == []
    description = by_value(chunks, keys["description"])[0].location
    assert (description.source, description.repo, description.field) == (
        "jira-issue", "OPS", "description"
    )  # fmt: skip
    assert description.url == f"{fake.url}/browse/OPS-1"
    assert (description.author, description.date) == ("alice", "2026-03-01T10:00:00.000+0000")
    comment = by_value(chunks, keys["comment"])[0].location
    assert (comment.source, comment.author) == ("jira-comment", "bob")
    assert comment.url == f"{fake.url}/browse/OPS-1?focusedCommentId=1"
    attachment = by_value(chunks, keys["attachment"])[0].location
    assert (attachment.source, attachment.path) == ("jira-attachment", "creds.env")
    assert by_value(chunks, keys["binary"]) == []
    assert tally.skipped["binary attachment"] == 1
    assert server.log[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_server_search_pages_by_start_at_and_comments_beyond_the_embedded(
    server: FakeServer,
) -> None:
    fake = JiraFake(server, embedded=5)
    last_issue, last_comment = random_key(), random_key()
    for n in range(120):
        fake.issue(last_issue if n == 119 else f"issue {n}")
    fake.issue("many comments", comments=[f"c{n}" for n in range(11)] + [last_comment])
    fake.serve()

    chunks, tally = read(fake)

    assert tally.problems == []
    assert len(by_value(chunks, last_issue)) == 1
    assert len(by_value(chunks, last_comment)) == 1
    searches = server.requests("/rest/api/2/search")
    assert sorted(int(r.query.get("startAt", 0)) for r in searches) == [0, 50, 100]
    assert len(server.requests("/rest/api/2/issue/OPS-121/comment")) == 1  # 5 embedded + 7
    assert len(server.requests("/rest/api/2/issue/")) == 1  # no request per issue


def test_cloud_uses_search_jql_tokens_and_reads_adf(server: FakeServer, cloud: None) -> None:
    fake = JiraFake(server, cloud=True)
    text_key, link_key, comment_key = random_key(), random_key(), random_key()
    for n in range(60):
        fake.issue(adf("nothing") if n else adf(f"key {text_key}", link=f"https://x/?k={link_key}"))
    fake.issue(adf("with a comment"), comments=[f"pasted {comment_key}"])
    fake.serve()

    chunks, tally = read(fake)

    assert tally.problems == []
    for value in (text_key, link_key, comment_key):
        assert len(by_value(chunks, value)) == 1
    assert by_value(chunks, comment_key)[0].location.author == "bob"
    assert server.requests("/rest/api/3/search/jql")[1].query["nextPageToken"] == "50"
    assert server.count("/rest/api/3/search") == 0
    assert server.log[0].headers["authorization"].startswith("Basic ")


def test_updated_since_goes_into_the_jql_before_order_by() -> None:
    since = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert with_since("project = OPS ORDER BY updated", since) == (
        '(project = OPS) AND updated >= "2026-06-01 08:30" ORDER BY updated'
    )
    assert with_since("", since) == 'updated >= "2026-06-01 08:30"'
    assert with_since("project = OPS", None) == "project = OPS"


def test_429_and_503_are_retried_and_a_long_wait_is_refused(server: FakeServer) -> None:
    fake = JiraFake(server)
    key = random_key()
    fake.issue(key)
    fake.serve()
    server.fail("/rest/api/2/search", 429, **{"Retry-After": "0"})
    server.fail("/rest/api/2/search", 503)

    chunks, tally = read(fake)
    assert tally.problems == [] and len(by_value(chunks, key)) == 1
    assert server.count("/rest/api/2/search") == 3

    server.fail("/rest/api/2/search", 429, **{"Retry-After": "7200"})
    _, tally = read(fake)
    assert [p.message for p in tally.problems] == [
        "rate limited: the server asks to wait 7200s (limit 5s); run again later"
    ]


def test_unauthorized_is_one_line_and_never_shows_the_token(server: FakeServer) -> None:
    fake = JiraFake(server)
    fake.serve()
    server.fail("/rest/api/2/serverInfo", 401, body=f'{{"token": "{TOKEN}"}}'.encode())

    chunks, tally = read(fake)

    assert chunks == []
    assert [(p.source, p.where, p.message) for p in tally.problems] == [
        (
            "jira",
            "project = OPS",
            "Jira rejected the credentials in $JIRA_TOKEN (401): are they valid?",
        )
    ]
    assert TOKEN not in repr(tally)


def test_malformed_json_and_a_bad_jql(server: FakeServer) -> None:
    fake = JiraFake(server)
    fake.issue("x")
    fake.serve()
    server.fail("/rest/api/2/search", 200, body=b"{oops")

    _, tally = read(fake)
    assert [p.message for p in tally.problems] == ["the server sent malformed JSON"]

    server.fail("/rest/api/2/search", 400, body=b'{"errorMessages": ["bad JQL"]}')
    _, tally = read(fake, "projekt = OPS")
    assert [(p.where, p.message) for p in tally.problems] == [
        ("projekt = OPS: search", "Jira rejected the query (400): check the JQL")
    ]


def test_an_error_on_page_two_keeps_page_one(server: FakeServer) -> None:
    fake = JiraFake(server)
    first = random_key()
    for n in range(80):
        fake.issue(first if n == 0 else "x")
    fake.serve()
    server.fail("/rest/api/2/search", 500, times=10, query={"startAt": "50"})

    chunks, tally = read(fake)

    assert len(by_value(chunks, first)) == 1
    assert [p.message for p in tally.problems] == ["Jira answered 500"]
