"""An incident scope with a Jira source (the fake server, the real client): authors and dates
of tickets and comments, the window on service items, and a service that fails."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import files_containing, random_key
from fakes.github import GithubFake
from fakes.jira import JiraFake
from fakes.server import FakeServer
from gitrepo import Repo, write_inventory

from scanner.incident.bundle import prepare_out, write_bundle
from scanner.incident.investigate import investigate
from scanner.incident.plan import incident_plan
from scanner.incident.scope import load_scope


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def jira_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", random_key(24))
    monkeypatch.delenv("JIRA_EMAIL", raising=False)


def run(tmp_path: Path, jira: str, since: str | None = None) -> Path:
    scope_file = tmp_path / "scope.toml"
    scope_file.write_text(
        'inventory = "inv.toml"\nbuiltin_rules = false\n'
        f'[[sources]]\nkind = "jira"\nname = "tickets"\nurl = "{jira}"\njql = "project = OPS"\n'
    )
    scope = load_scope(scope_file).overridden(keys=None, since=since, until=None)
    out = tmp_path / ("bundle" if since is None else "window")
    prepare_out(out)
    write_bundle(investigate(scope, incident_plan(scope, None)), out)
    return out


def test_ticket_comment_copy_is_attributed_and_present(tmp_path: Path, server: FakeServer) -> None:
    fake = JiraFake(server)
    value = random_key(40)
    write_inventory(tmp_path / "inv.toml", {"ops-token": value})
    fake.issue("nothing here", comments=["hello", f"try {value}"])
    fake.serve()
    out = run(tmp_path, fake.url)
    (row,) = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    assert row["source"] == "jira-comment" and row["presence"] == "current"
    assert row["first_copy"] and row["location"]["date"].startswith("2026-03-01")
    assert row["location"]["author"] and "bob" in row["location"]["author"].lower()
    assert files_containing(out, [value]) == []
    assert "| ops-token |" in (out / "report.md").read_text()

    window = run(tmp_path, fake.url, since="2026-04-01")  # the comment is older
    assert (window / "findings.jsonl").read_text() == ""
    manifest = json.loads((window / "manifest.json").read_text())
    assert manifest["scan"]["complete"] is True


def test_a_failing_service_is_reported_in_the_bundle(tmp_path: Path, server: FakeServer) -> None:
    write_inventory(tmp_path / "inv.toml", {"ops-token": random_key(40)})
    # Nothing is routed: every request is answered 404.
    out = run(tmp_path, server.url)
    manifest = json.loads((out / "manifest.json").read_text())
    (source,) = manifest["scan"]["sources"]
    assert source["name"] == "tickets" and not source["complete"] and source["errors"]
    assert "## Errors" in (out / "report.md").read_text()


def test_repositories_a_github_source_clones_tell_what_is_still_present(
    tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", random_key(40))
    kept, removed = random_key(40), random_key(32)
    write_inventory(tmp_path / "inv.toml", {"kept": kept, "removed": removed})
    history = Repo(tmp_path / "payments")
    history.commit("add both", {"app.cfg": f"a={kept}\n", "old.cfg": f"b={removed}\n"})
    history.commit("drop one", {"old.cfg": "b=from the secret store\n"})
    fake = GithubFake(server)
    fake.repo("payments").clone_url = history.root.as_uri()
    fake.serve()
    scope_file = tmp_path / "scope.toml"
    scope_file.write_text(
        'inventory = "inv.toml"\nbuiltin_rules = false\n'
        f'[[sources]]\nkind = "github"\ntarget = "acme"\nurl = "{fake.base_url}"\n'
    )
    scope = load_scope(scope_file).overridden(keys=None, since=None, until=None)
    out = tmp_path / "bundle"
    prepare_out(out)
    write_bundle(investigate(scope, incident_plan(scope, None)), out)

    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    presence = {(r["key_id"], r["location"]["path"]): r["presence"] for r in rows}
    assert presence == {("kept", "app.cfg"): "current", ("removed", "old.cfg"): "history"}
    assert files_containing(out, [kept, removed]) == []
    assert not list(Path(tempfile.gettempdir()).glob("keysprawl-incident-*"))
