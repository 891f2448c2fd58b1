"""`keysprawl sweep`: configured sources, incremental cursors, failures, resume after SIGKILL."""

from __future__ import annotations

import base64
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import add_key, files_containing, random_key, run_keysprawl
from fakes.jira_tickets import FakeTracker
from fakes.server import FakeServer


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def commit_file(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", f"add {name}")


@pytest.fixture
def deployment(tmp_path: Path) -> dict[str, object]:
    keys = {"folder-key": random_key(40), "git-key": random_key(44), "late-key": random_key(36)}
    add_key(tmp_path / "inventory.toml", "folder-key", keys["folder-key"])
    add_key(tmp_path / "inventory.toml", "git-key", keys["git-key"])
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "notes.txt").write_text(f"token: {keys['folder-key']}\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_file(repo, "README.md", "hello\n")
    commit_file(repo, "app.env", f"KEY={keys['git-key']}\n")
    for n in range(5):
        commit_file(repo, f"file{n}.txt", f"change {n}\n")
    config = tmp_path / "keysprawl.toml"
    config.write_text(
        'inventory = "inventory.toml"\n[store]\npath = "state/state.db"\n'
        "[sweep]\nconcurrency = 2\nretries = 1\nretry_delay = 0\n"
        '[[sources]]\nkind = "folder"\npath = "shared"\n'
        '[[sources]]\nkind = "git"\nname = "app-repo"\npath = "repo"\n'
    )
    return {"root": tmp_path, "config": config, "repo": repo, "keys": keys}


def sweep(deployment: dict[str, object], *args: str) -> tuple[int, str, str]:
    result = run_keysprawl("sweep", "--config", deployment["config"], *args)  # type: ignore[arg-type]
    return result.code, result.stdout, result.stderr


def store_rows(deployment: dict[str, object], query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(deployment["root"]) / "state" / "state.db") as db:  # type: ignore[arg-type]
        return db.execute(query).fetchall()


def sources_recorded(deployment: dict[str, object]) -> int:
    try:
        return int(store_rows(deployment, "SELECT COUNT(*) FROM sweep_sources")[0][0])  # type: ignore[call-overload]
    except sqlite3.OperationalError:  # not created yet, or mid-migration
        return 0


def source_chunks(deployment: dict[str, object], sweep_id: int) -> dict[str, int]:
    return dict(
        store_rows(
            deployment, f"SELECT source, chunks FROM sweep_sources WHERE sweep_id = {sweep_id}"
        )
    )  # type: ignore[arg-type]


def test_first_sweep_scans_every_source_and_opens_exposures(deployment: dict[str, object]) -> None:
    code, out, err = sweep(deployment)
    assert code == 1, err
    assert "2 sources (2 done, 0 failed)" in out and "2 new" in out and "2 open" in out
    keys = {
        row[0]
        for row in store_rows(deployment, "SELECT key_id FROM exposures WHERE status = 'open'")
    }
    assert keys == {"folder-key", "git-key"}
    assert "app-repo: done" in err  # plain log lines when stderr is not a terminal


def test_second_sweep_is_incremental_and_a_new_commit_is_found(
    deployment: dict[str, object],
) -> None:
    sweep(deployment)
    code, out, _ = sweep(deployment)
    assert code == 1 and "0 new" in out
    first, second = source_chunks(deployment, 1), source_chunks(deployment, 2)
    assert second["app-repo"] < first["app-repo"]
    repo, keys = Path(deployment["repo"]), deployment["keys"]  # type: ignore[arg-type]
    commit_file(repo, "late.env", f"LATE={keys['git-key']}\n")  # type: ignore[index]
    sweep(deployment)
    paths = {
        row[0]
        for row in store_rows(
            deployment,
            "SELECT json_extract(location, '$.path') FROM occurrences WHERE source = 'git'",
        )
    }
    assert "late.env" in paths
    occurrences = store_rows(
        deployment, "SELECT COUNT(*), COUNT(DISTINCT fingerprint || occurrence_id) FROM occurrences"
    )
    assert occurrences[0][0] == occurrences[0][1]


def test_a_changed_inventory_forces_a_full_rescan(deployment: dict[str, object]) -> None:
    sweep(deployment)
    root, keys = Path(deployment["root"]), deployment["keys"]  # type: ignore[arg-type]
    add_key(root / "inventory.toml", "late-key", keys["late-key"])  # type: ignore[index]
    sweep(deployment)
    assert source_chunks(deployment, 2)["app-repo"] == source_chunks(deployment, 1)["app-repo"]


def test_full_flag_rescans_everything(deployment: dict[str, object]) -> None:
    sweep(deployment)
    sweep(deployment, "--full")
    assert source_chunks(deployment, 2)["app-repo"] == source_chunks(deployment, 1)["app-repo"]


def test_a_failing_source_is_retried_reported_and_the_others_finish(
    deployment: dict[str, object],
) -> None:
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(
        config.read_text()
        + '[[sources]]\nkind = "git"\nname = "gone"\nurl = "file:///nonexistent/repo.git"\n'
    )
    code, out, err = sweep(deployment)
    assert code == 3
    assert "3 sources (2 done, 1 failed)" in out and "error: gone: " in out
    attempts = store_rows(
        deployment, "SELECT attempts, status FROM sweep_sources WHERE source = 'gone'"
    )
    assert attempts == [(2, "failed")]
    assert "retrying" in err


def test_killed_sweep_resumes_without_rescanning_or_duplicating(
    deployment: dict[str, object],
) -> None:
    root = Path(deployment["root"])  # type: ignore[arg-type]
    big = "lorem ipsum dolor sit amet\n" * 400_000  # ~11 MB a folder: slow enough to kill mid-way
    sources = ""
    for n in range(4):
        folder = root / f"bulk{n}"
        folder.mkdir()
        (folder / "data.txt").write_text(big + f"K={deployment['keys']['folder-key']}\n")  # type: ignore[index]
        sources += f'[[sources]]\nkind = "folder"\npath = "bulk{n}"\n'
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(config.read_text().replace("concurrency = 2", "concurrency = 1") + sources)
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "sweep", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if sources_recorded(deployment) >= 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the sweep finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = {
        row[0]
        for row in store_rows(deployment, "SELECT source FROM sweep_sources WHERE status = 'done'")
    }
    code, out, _ = sweep(deployment)
    assert code == 1 and "(resumed)" in out and "6 sources (6 done, 0 failed)" in out
    rescanned = {
        row[0]
        for row in store_rows(
            deployment, "SELECT source FROM sweep_sources WHERE sweep_id = 1 AND attempts > 0"
        )
    }
    assert done_before <= rescanned
    again = store_rows(deployment, "SELECT source FROM sweep_sources WHERE sweep_id = 1")
    assert len(again) == 6  # each source once: the finished ones were not scanned again
    counts = store_rows(
        deployment, "SELECT COUNT(*), COUNT(DISTINCT fingerprint || occurrence_id) FROM occurrences"
    )
    # 5 folder copies, the commit that added app.env and the working-tree file: none lost or doubled
    assert counts[0][0] == counts[0][1] == 7


def test_sweep_writes_the_configured_reports_and_a_worklist_per_team(
    deployment: dict[str, object],
) -> None:
    config, root = Path(deployment["config"]), Path(deployment["root"])  # type: ignore[arg-type]
    config.write_text(
        config.read_text().replace(
            "[sweep]", '[reports]\ndir = "out"\nformats = ["json", "html", "sarif"]\n[sweep]'
        )
    )
    code, out, _ = sweep(deployment)
    assert code == 1
    written = sorted(
        p.relative_to(root / "out").as_posix() for p in (root / "out").rglob("*") if p.is_file()
    )
    assert written == [
        "keysprawl.html",
        "keysprawl.json",
        "keysprawl.sarif",
        "worklist/platform-team.md",
    ]
    assert "keysprawl.sarif" in out
    assert "git-key" in (root / "out" / "worklist" / "platform-team.md").read_text()
    values = list(deployment["keys"].values())  # type: ignore[attr-defined]
    assert files_containing(root / "out", values) == []


def test_sweep_without_a_config_is_a_usage_error(tmp_path: Path) -> None:
    result = run_keysprawl("sweep", "--config", tmp_path / "absent.toml")
    assert result.code == 2 and "config file not found" in result.stderr


def test_no_plaintext_in_the_store_or_output(deployment: dict[str, object]) -> None:
    _code, out, err = sweep(deployment)
    values = list(deployment["keys"].values())  # type: ignore[attr-defined]
    assert not any(v in out + err for v in values)
    root = Path(deployment["root"])  # type: ignore[arg-type]
    leaked = {p.relative_to(root).parts[0] for p in files_containing(root, values)}
    assert leaked <= {"shared", "repo"}


def test_config_check_reports_every_mistake_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "keysprawl.toml"
    config.write_text(
        'inventory = "missing.toml"\ntypo = 1\n[sweep]\nconcurrency = 0\n'
        '[[sources]]\nkind = "git"\n\n[[sources]]\nkind = "github"\ntarget = "acme"\ntokn_env = "X"\n'
    )
    result = run_keysprawl("config", "check", "--config", config)
    assert result.code == 2
    lines = result.stderr.splitlines()
    assert f"{config}:2: typo: unknown setting" in lines[0] or any(
        line.startswith(f"{config}:2: typo") for line in lines
    )
    assert any(f"{config}:4: [sweep] concurrency" in line for line in lines)
    assert any(
        f"{config}:5: [[sources]] #1" in line and "exactly one of 'path' or 'url'" in line
        for line in lines
    )
    assert any(f"{config}:11: [[sources]] #2 tokn_env" in line for line in lines)
    assert any("inventory not found" in line for line in lines)
    assert len(lines) == 5


def test_a_git_source_branch_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "keysprawl.toml"
    config.write_text('[[sources]]\nkind = "git"\npath = "."\nbranch = "--output=x"\n')
    result = run_keysprawl("config", "check", "--config", config)
    assert result.code == 2
    assert f"{config}:4: [[sources]] #1 branch: a ref name cannot start with '-'" in result.stderr


def test_config_check_accepts_a_good_file(deployment: dict[str, object]) -> None:
    result = run_keysprawl("config", "check", "--config", deployment["config"])  # type: ignore[arg-type]
    assert result.code == 0 and result.stdout.endswith(": ok\n")


@pytest.fixture
def tracker() -> Iterator[FakeTracker]:
    with FakeServer() as server:
        fake = FakeTracker(server)
        fake.serve()
        yield fake


def with_tickets(
    deployment: dict[str, object], tracker: FakeTracker, projects: str = '"platform-team" = "PAY"'
) -> None:
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(
        config.read_text().replace(
            "[sweep]",
            f'[tickets]\nurl = "{tracker.server.url}"\nprojects = {{ {projects} }}\n[sweep]',
        )
    )


def sweep_with_token(deployment: dict[str, object], *args: str) -> tuple[int, str, str]:
    token = random_key(24)
    result = run_keysprawl(
        "sweep", "--config", deployment["config"], *args, env={"JIRA_TOKEN": token}
    )  # type: ignore[arg-type]
    assert token not in result.stdout + result.stderr
    return result.code, result.stdout, result.stderr


def test_tickets_are_filed_once_per_exposure_and_new_copies_become_comments(
    deployment: dict[str, object], tracker: FakeTracker
) -> None:
    with_tickets(deployment, tracker)
    code, _, err = sweep_with_token(deployment)
    assert code == 1, err
    created = tracker.created()
    assert sorted(f["summary"].split()[1] for f in created) == ["folder-key", "git-key"]
    description = next(f["description"] for f in created if "git-key" in f["summary"])
    for expected in (
        "Owner: platform-team",
        "Purpose: test key",
        "Revoke by: ",
        "https://runbooks.example/revoke",
        "app.env",
    ):
        assert expected in description
    values = list(deployment["keys"].values())  # type: ignore[attr-defined]
    posted = b"".join(r.body for r in tracker.server.log)
    assert not any(v.encode() in posted for v in values)
    sweep_with_token(deployment)
    assert len(tracker.issues) == 2 and all(not c for c in tracker.comments.values())
    root, keys = Path(deployment["root"]), deployment["keys"]  # type: ignore[arg-type]
    (root / "shared" / "more.txt").write_text(f"again {keys['folder-key']}\n")  # type: ignore[index]
    sweep_with_token(deployment)
    assert len(tracker.issues) == 2
    commented = {key: c for key, c in tracker.comments.items() if c}
    assert len(commented) == 1 and "more.txt" in next(iter(commented.values()))[0]


def test_a_ticket_filed_before_a_crash_is_found_by_its_label(
    deployment: dict[str, object], tracker: FakeTracker
) -> None:
    with_tickets(deployment, tracker)
    sweep_with_token(deployment)
    with sqlite3.connect(Path(deployment["root"]) / "state" / "state.db") as db:  # type: ignore[arg-type]
        db.execute("DELETE FROM tickets")  # as if killed between filing and recording
    sweep_with_token(deployment)
    assert len(tracker.issues) == 2


def test_dry_run_files_nothing_and_unmapped_teams_are_named(
    deployment: dict[str, object], tracker: FakeTracker
) -> None:
    with_tickets(deployment, tracker)
    _, out, _ = sweep_with_token(deployment, "--dry-run")
    assert "tickets (dry run): would file 2, comment on 0\n" in out
    assert tracker.server.requests(method="POST") == [] and tracker.issues == []
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(config.read_text().replace('"platform-team" = "PAY"', '"other-team" = "OTH"'))
    _, out, _ = sweep_with_token(deployment, "--dry-run")
    assert "no Jira project for team platform-team" in out


def summary_of(out: str) -> list[str]:
    # Sizes and dates change from run to run; the shape of the summary must not.
    return [
        re.sub(
            r"\d{4}-\d\d-\d\d", "DATE", re.sub(r"\d+ objects, \d+\.\d MB", "N objects, N MB", line)
        )
        for line in out.splitlines()
    ]


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_closing_summary_lists_each_new_exposure_once_then_tickets_and_reports_as_counts(
    deployment: dict[str, object], tracker: FakeTracker, dry_run: bool
) -> None:
    with_tickets(deployment, tracker)
    config, keys = Path(deployment["config"]), deployment["keys"]  # type: ignore[arg-type]
    config.write_text(config.read_text().replace("[sweep]", '[reports]\ndir = "out"\n[sweep]'))
    code, out, err = sweep_with_token(deployment, *(["--dry-run"] if dry_run else []))
    assert code == 1, err
    folder, git_key = keys["folder-key"], keys["git-key"]  # type: ignore[index]
    tickets = (
        "tickets (dry run): would file 2, comment on 0"
        if dry_run
        else "tickets: filed 2, found 0 already filed, commented on 0"
    )
    out_dir = Path(deployment["root"]) / "out"  # type: ignore[arg-type]
    assert summary_of(out) == [
        "sweep 1: 2 sources (2 done, 0 failed), N objects, N MB",
        "exposures: 2 new, 2 open, 0 overdue",
        f"  new: folder-key …{folder[-4:]} (platform-team, high, due DATE, 1 place(s))",
        f"  new: git-key …{git_key[-4:]} (platform-team, high, due DATE, 2 place(s))",
        tickets,
        f"reports: keysprawl.json, keysprawl.html, keysprawl.sarif in {out_dir}"
        f"; worklists for 1 team in {out_dir / 'worklist'}",
    ]
    assert folder not in out and git_key not in out


def test_ticket_failures_are_reported_with_exit_3(
    deployment: dict[str, object], tracker: FakeTracker
) -> None:
    with_tickets(deployment, tracker)
    tracker.server.fail("/rest/api/2/issue", 500, times=50)
    code, out, _ = sweep_with_token(deployment)
    assert code == 3 and "error: tickets: " in out and "Jira answered 500" in out


def adf_text(document: dict[str, Any]) -> str:
    """The text of a Jira Cloud (ADF) document, one line a paragraph."""
    return "\n".join(
        "".join(part.get("text", "") for part in paragraph.get("content", []))
        for paragraph in document["content"]
    )


def test_tickets_on_jira_cloud_are_adf_documents_over_rest_v3_with_basic_auth(
    deployment: dict[str, object],
) -> None:
    with FakeServer() as server:
        cloud = FakeTracker(server, cloud=True)
        cloud.serve()
        with_tickets(deployment, cloud)
        config = Path(deployment["config"])  # type: ignore[arg-type]
        config.write_text(
            config.read_text().replace("[tickets]\n", '[tickets]\nemail_env = "JIRA_EMAIL"\n')
        )
        token, email = random_key(24), "bot@example.test"
        env = {"JIRA_TOKEN": token, "JIRA_EMAIL": email}

        def run() -> tuple[int, str, str]:
            result = run_keysprawl("sweep", "--config", config, env=env)
            assert token not in result.stdout + result.stderr
            return result.code, result.stdout, result.stderr

        code, _, err = run()
        assert code == 1, err
        descriptions = {f["summary"].split()[1]: f["description"] for f in cloud.created()}
        assert sorted(descriptions) == ["folder-key", "git-key"]
        text = adf_text(descriptions["git-key"])  # a document, not wiki markup
        assert "Owner: platform-team" in text and "app.env" in text
        assert all(r.path.startswith("/rest/api/3/") for r in server.log)
        basic = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        assert {r.headers.get("authorization") for r in server.log} == {basic}
        run()  # found again by label through /search/jql: nothing filed twice
        assert len(cloud.issues) == 2 and server.count("/rest/api/3/search") == 0
        root, keys = Path(deployment["root"]), deployment["keys"]  # type: ignore[arg-type]
        (root / "shared" / "more.txt").write_text(f"again {keys['folder-key']}\n")  # type: ignore[index]
        run()
        (comment,) = [c for comments in cloud.comments.values() for c in comments]
        assert "more.txt" in adf_text(comment)
        values = list(keys.values())  # type: ignore[attr-defined]
        assert not any(v.encode() in r.body for r in server.log for v in values)


def test_sweep_runs_the_rules_and_honours_the_global_allowlist(
    deployment: dict[str, object],
) -> None:
    root = Path(deployment["root"])  # type: ignore[arg-type]
    token = "ghp_" + random_key(36)
    (root / "shared" / "ci.env").write_text(f"GH_TOKEN={token}\n")
    (root / "shared" / "fixture.env").write_text(f"GH_TOKEN=ghp_{random_key(36)}\n")
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(config.read_text() + '[allowlist]\npaths = ["fixture\\\\.env$"]\n')
    code, out, err = sweep(deployment)
    assert code == 1, err
    rows = store_rows(
        deployment,
        "SELECT rule_id, json_extract(location, '$.path') FROM occurrences WHERE kind = 'unmanaged'",
    )
    assert rows == [("github-pat", "ci.env")]
    assert token not in out + err


def test_incremental_sweep_reads_changed_worktree_files_only(deployment: dict[str, object]) -> None:
    sweep(deployment)
    repo, keys = Path(deployment["repo"]), deployment["keys"]  # type: ignore[arg-type]
    (repo / "file3.txt").write_text(f"edited, not committed: {keys['git-key']}\n")  # type: ignore[index]
    sweep(deployment)
    assert source_chunks(deployment, 2)["app-repo"] == 1  # only the edited file
    paths = store_rows(
        deployment,
        "SELECT json_extract(location, '$.path') FROM occurrences WHERE source = 'worktree'",
    )
    assert ("file3.txt",) in paths


def test_a_credential_in_a_source_url_never_reaches_logs_or_the_store(
    deployment: dict[str, object],
) -> None:
    token = random_key(32)
    config = Path(deployment["config"])  # type: ignore[arg-type]
    config.write_text(
        config.read_text()
        + f'[[sources]]\nkind = "git"\nurl = "https://ci:{token}@127.0.0.1:9/nowhere.git"\n'
    )
    code, out, err = sweep(deployment)
    assert code == 3 and "https://127.0.0.1:9/nowhere.git" in out
    assert token not in out + err
    assert files_containing(Path(deployment["root"]) / "state", [token]) == []  # type: ignore[arg-type]


def test_an_unchanged_repository_is_not_scanned_again(deployment: dict[str, object]) -> None:
    sweep(deployment)
    code, out, err = sweep(deployment)
    assert code == 1 and "2 sources (2 done, 0 failed)" in out
    assert "app-repo: unchanged since the last sweep" in err
    assert source_chunks(deployment, 2)["app-repo"] == 0
    assert "shared: unchanged" not in err  # a folder has no cheap check: read again
    cursor = store_rows(deployment, "SELECT cursor FROM cursors WHERE source = 'app-repo'")
    assert '"worktree"' in str(cursor[0][0])  # the skip is vouched for by the kept state


@pytest.mark.parametrize("change", ["side-branch", "new-branch", "force-push", "untracked"])
def test_each_kind_of_change_is_still_read(deployment: dict[str, object], change: str) -> None:
    repo, keys = Path(deployment["repo"]), deployment["keys"]  # type: ignore[arg-type]
    git(repo, "branch", "side")
    sweep(deployment)
    text = f"LATE={keys['git-key']}\n"  # type: ignore[index]
    if change == "side-branch":  # a new commit on a ref other than HEAD
        git(repo, "checkout", "-q", "side")
        commit_file(repo, "late.env", text)
        git(repo, "checkout", "-q", "main")
    elif change == "new-branch":
        git(repo, "checkout", "-q", "-b", "feature")
        commit_file(repo, "late.env", text)
    elif change == "force-push":  # history rewritten: main's tip replaced, not extended
        git(repo, "reset", "-q", "--hard", "HEAD~1")
        commit_file(repo, "late.env", text)
    else:
        (repo / "late.env").write_text(text)
    code, _, err = sweep(deployment)
    assert code == 1 and "app-repo: unchanged" not in err
    source = "worktree" if change == "untracked" else "git"
    rows = store_rows(
        deployment,
        f"SELECT json_extract(location, '$.path') FROM occurrences WHERE source = '{source}'",
    )
    assert ("late.env",) in rows


def test_a_deleted_branch_updates_the_cursor(deployment: dict[str, object]) -> None:
    repo = Path(deployment["repo"])  # type: ignore[arg-type]
    git(repo, "branch", "side")
    sweep(deployment)
    git(repo, "branch", "-D", "side")
    _, _, err = sweep(deployment)
    assert "app-repo: unchanged" not in err
    cursor = str(store_rows(deployment, "SELECT cursor FROM cursors WHERE source = 'app-repo'"))
    assert "refs/heads/side" not in cursor
    assert "app-repo: unchanged" in sweep(deployment)[2]


def test_a_key_revoked_by_hand_is_closed_by_a_sweep_with_nothing_to_read(
    deployment: dict[str, object],
) -> None:
    sweep(deployment)
    root = Path(deployment["root"])  # type: ignore[arg-type]
    inventory = root / "inventory.toml"
    text = inventory.read_text()
    start = text.index('status = "active"', text.index('id = "git-key"'))
    # A hand edit, not `inventory revoke --store`: only the sweep can tell the store.
    revoked = 'status = "revoked"\nrevoked = 2026-01-02'
    inventory.write_text(text[:start] + revoked + text[start + len('status = "active"') :])
    _, _, err = sweep(deployment)
    assert "app-repo: unchanged" in err
    rows = store_rows(deployment, "SELECT key_id, status FROM exposures ORDER BY key_id")
    assert rows == [("folder-key", "open"), ("git-key", "closed")]


def test_an_unchanged_sweep_keeps_what_its_cursor_lacked(deployment: dict[str, object]) -> None:
    sweep(deployment)  # the ref files were written a moment ago: too recent to vouch for
    query = "SELECT json_extract(cursor, '$.refs') FROM cursors WHERE source = 'app-repo'"
    assert store_rows(deployment, query) == [(None,)]
    time.sleep(2.1)  # past the racy margin (scanner.sweep.git_state.RACY_NS)
    _, _, err = sweep(deployment)
    assert "app-repo: unchanged" in err
    assert store_rows(deployment, query)[0][0]  # so later sweeps need not run show-ref
