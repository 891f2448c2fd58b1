"""`keysprawl incident`: a breach scope of real git repositories (a deleted branch's dangling
commit, a pull-request ref, history and working tree), a folder and a source that fails."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import files_containing, random_key, run_keysprawl
from gitrepo import Repo, write_inventory

NAMES = ("present", "history", "dangling", "pull", "old")


def commit(repo: Repo, message: str, author: str, when: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        repo.write(path, text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, f"--author={author}", f"--date={when}")
    return repo.git("rev-parse", "HEAD")


@pytest.fixture(scope="module")
def breach(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp_path = tmp_path_factory.mktemp("breach")
    keys = {name: random_key(40) for name in NAMES}
    write_inventory(tmp_path / "inventory.toml", keys)
    repo = Repo(tmp_path / "app")
    commit(repo, "init", "Ada <ada@example.test>", "2026-01-02T09:00:00Z", {"README": "hi\n"})
    commit(repo, "old", "Ada <ada@example.test>", "2026-01-15T09:00:00Z",
           {"old.txt": f"k={keys['old']}\n"})  # fmt: skip
    commit(repo, "config", "Bob <bob@example.test>", "2026-09-01T10:00:00Z",
           {"config/app.env": f"TOKEN={keys['present']}\n"})  # fmt: skip
    commit(repo, "settings", "Carol <carol@example.test>", "2026-09-10T10:00:00Z",
           {"settings.py": f"KEY = '{keys['history']}'\n"})  # fmt: skip
    commit(repo, "scrub", "Carol <carol@example.test>", "2026-09-20T10:00:00Z",
           {"settings.py": "KEY = env\n", "old.txt": "gone\n"})  # fmt: skip
    repo.git("checkout", "-q", "-b", "spike")
    dangling = commit(repo, "spike", "Eve <eve@example.test>", "2026-10-05T10:00:00Z",
                      {"spike.txt": f"{keys['dangling']}\n"})  # fmt: skip
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "spike")
    repo.git("reflog", "expire", "--expire-unreachable=now", "--all")  # only fsck finds it now

    upstream = Repo(tmp_path / "upstream")
    commit(upstream, "base", "Ada <ada@example.test>", "2026-02-01T09:00:00Z", {"a": "1\n"})
    upstream.git("checkout", "-q", "-b", "contrib")
    pull = commit(upstream, "pr", "Mallory <mal@example.test>", "2026-10-10T10:00:00Z",
                  {"pr.txt": f"secret: {keys['pull']}\n"})  # fmt: skip
    upstream.git("update-ref", "refs/pull/7/head", pull)
    upstream.git("checkout", "-q", "main")
    upstream.git("branch", "-q", "-D", "contrib")  # only the pull-request ref holds it

    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "notes.txt").write_text(f"prod token {keys['present']}\n")
    scope = tmp_path / "scope.toml"
    scope.write_text(
        'name = "INC-7"\ndescription = "laptop stolen"\ninventory = "inventory.toml"\n'
        '\n[[sources]]\nkind = "git"\nname = "app"\npath = "app"\n'
        f'\n[[sources]]\nkind = "git"\nurl = "file://{tmp_path / "upstream"}"\n'
        '\n[[sources]]\nkind = "folder"\npath = "share"\n'
        '\n[[sources]]\nkind = "folder"\nname = "gone"\npath = "missing"\n'
    )
    return {"root": tmp_path, "scope": scope, "keys": keys, "dangling": dangling, "pull": pull}


@pytest.fixture(scope="module")
def bundle(breach: dict[str, Any]) -> dict[str, Any]:
    """One complete incident run that several tests read."""
    out = breach["root"] / "bundle"
    result = run_keysprawl("incident", "--scope", breach["scope"], "--out", out, "-j", "1")
    return {**breach, "out": out, "result": result}


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]


def by_key(rows: list[dict[str, Any]], key_id: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["key_id"] == key_id]


def test_bundle_attributes_every_copy_and_holds_no_plaintext(bundle: dict[str, Any]) -> None:
    breach, out, result = bundle, bundle["out"], bundle["result"]
    assert result.code == 3, result.stderr  # the missing folder is reported, the rest finished
    assert "gone" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "findings.jsonl", "manifest.json", "report.html", "report.md"
    ]  # fmt: skip
    values = list(breach["keys"].values())
    assert files_containing(out, values) == []
    assert not any(value in result.stdout + result.stderr for value in values)

    rows = records(out)
    present = by_key(rows, "present")
    first = [row for row in present if row["first_copy"]]
    assert [(r["location"]["author"], r["location"]["date"][:10]) for r in first] == [
        ("Bob <bob@example.test>", "2026-09-01")
    ]
    git_copy = next(r for r in present if r["source"] == "git")
    assert git_copy["presence"] == "current" and git_copy["present_at"] == ["refs/heads/main"]
    assert {r["source"] for r in present} == {"git", "worktree", "file"}
    assert all(r["presence"] == "current" for r in present)

    (history,) = [r for r in by_key(rows, "history") if r["source"] == "git"]
    assert history["presence"] == "history"
    assert history["location"]["ref"] in ("main", "refs/heads/main")  # a ref that reaches it
    assert history["location"]["author"] == "Carol <carol@example.test>"

    dangling_copies = by_key(rows, "dangling")  # the dangling commit, and its blob as such
    assert {r["presence"] for r in dangling_copies} == {"unreachable"}
    (dangling,) = [r for r in dangling_copies if r["location"]["commit"] == breach["dangling"]]
    assert dangling["location"]["author"] == "Eve <eve@example.test>"

    pull = [r for r in by_key(rows, "pull") if r["location"]["commit"] == breach["pull"]]
    assert pull and pull[0]["presence"] == "current"
    assert pull[0]["present_at"] == ["refs/pull/7/head"]
    assert pull[0]["location"]["author"] == "Mallory <mal@example.test>"
    assert pull[0]["location"]["repo"].startswith("file://")  # not the temporary clone

    assert all(r["kind"] == "exposure" and r["fingerprint"].startswith("sha256:") for r in rows)


def test_manifest_hashes_every_file_and_records_the_scope(bundle: dict[str, Any]) -> None:
    out = bundle["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert digest == "sha256:" + hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert set(manifest["files"]) == {"findings.jsonl", "report.md", "report.html"}
    assert manifest["tool"]["name"] == "keysprawl" and manifest["tool"]["version"]
    assert manifest["scope"]["name"] == "INC-7"
    assert [s["kind"] for s in manifest["scope"]["sources"]] == ["git", "git", "folder", "folder"]
    assert manifest["scope"]["window"] == {"since": None, "until": None}
    assert manifest["scan"]["complete"] is False
    assert manifest["scan"]["started"] <= manifest["scan"]["finished"]
    failed = [s for s in manifest["scan"]["sources"] if not s["complete"]]
    assert [s["name"] for s in failed] == ["gone"] and failed[0]["errors"]
    assert set(manifest["inventory"]["keys"]) == set(NAMES)
    assert all(d.startswith("sha256:") for d in manifest["inventory"]["keys"]["present"])
    assert manifest["rules"]["count"] > 0 and manifest["rules"]["files"]


def test_reports_order_revocations_by_urgency_and_copies_by_date(bundle: dict[str, Any]) -> None:
    out = bundle["out"]
    markdown = (out / "report.md").read_text()
    revocations = markdown.split("## Revocation list")[1].split("## Timeline")[0]
    rows = [
        line for line in revocations.splitlines() if line.startswith("| ") and "|---" not in line
    ]
    order = [row.split(" | ")[1] for row in rows[1:]]
    assert set(order[:2]) == {"present", "pull"}  # still present: revoke first
    assert set(order[2:]) == {"history", "dangling", "old"}
    timeline = markdown.split("## Timeline of first copies")[1].split("## Sources")[0]
    dates = [line.split(" | ")[0][2:12] for line in timeline.splitlines() if line[:4] == "| 20"]
    assert dates == sorted(dates) and dates[0] == "2026-01-15"
    html = (out / "report.html").read_text()
    assert "<h2>Timeline of first copies</h2>" in html and "Revocation list" in html


def test_window_and_keys_narrow_the_scope(breach: dict[str, Any]) -> None:
    out = breach["root"] / "window"
    result = run_keysprawl(
        "incident", "--scope", breach["scope"], "--out", out, "-j", "1",
        "--since", "2026-06-01", "--until", "2026-09-30",
    )  # fmt: skip
    assert result.code == 3
    rows = records(out)
    dated = [r for r in rows if r["location"]["date"]]
    assert {r["key_id"] for r in dated} == {"present", "history"}  # old, dangling, pull: outside
    assert all("2026-06-01" <= r["location"]["date"][:10] <= "2026-09-30" for r in dated)
    undated = {(r["key_id"], r["source"]) for r in rows if not r["location"]["date"]}
    assert undated == {("present", "worktree"), ("present", "file"), ("dangling", "git")}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scope"]["window"]["since"].startswith("2026-06-01T00:00:00")
    assert manifest["scope"]["window"]["until"].startswith("2026-09-30T23:59:59")
    assert manifest["scan"]["copies_outside_window"] >= 3

    out = breach["root"] / "keys"
    result = run_keysprawl(
        "incident", "--scope", breach["scope"], "--out", out, "-j", "1", "--keys", "pull"
    )
    assert {r["key_id"] for r in records(out)} == {"pull"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scope"]["keys"] == ["pull"] and list(manifest["inventory"]["keys"]) == ["pull"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\nsince = "last week"\n[[sources]]\nkind = "folder"\npath = "."\n',
         "scope.toml:2: since"),
        ('name = "x"\ncolour = "red"\n[[sources]]\nkind = "folder"\npath = "."\n',
         "scope.toml:2: colour"),
        ('name = "x"\n[[sources]]\nkind = "folder"\npaht = "."\n',
         "scope.toml:4: [[sources]] #1 paht"),
        ('name = "x"\n[[sources]\n', "line 2"),
    ],
)  # fmt: skip
def test_bad_scope_is_one_line_naming_the_place(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "scope.toml").write_text(text)
    result = run_keysprawl(
        "incident", "--scope", tmp_path / "scope.toml", "--out", tmp_path / "out"
    )
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and expected in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_key_and_used_out_folder_are_usage_errors(breach: dict[str, Any]) -> None:
    scope, root = breach["scope"], breach["root"]
    result = run_keysprawl("incident", "--scope", scope, "--out", root / "o", "--keys", "nope")
    assert result.code == 2 and "nope" in result.stderr
    (root / "used").mkdir()
    (root / "used" / "findings.jsonl").write_text("earlier evidence\n")
    result = run_keysprawl("incident", "--scope", scope, "--out", root / "used")
    assert result.code == 2 and "new or empty" in result.stderr
    assert (root / "used" / "findings.jsonl").read_text() == "earlier evidence\n"
