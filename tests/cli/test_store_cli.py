"""The store through the real CLI: scan --store, exposures, revoke/rotate transitions."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import add_key, random_key, run_keysprawl


def project(tmp_path: Path) -> tuple[Path, str]:
    """An inventory with one key and a folder holding two copies of it."""
    value = random_key()
    add_key(tmp_path / "inv.toml", "pay", value)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.env").write_text(f"KEY={value}\n")
    (tmp_path / "src" / "b.txt").write_text(f"see {value}\n")
    return tmp_path / "inv.toml", value


def exposures(tmp_path: Path, *args: str) -> list[dict[str, object]]:
    result = run_keysprawl("exposures", "--format", "json", *args, cwd=tmp_path)
    assert result.code == 0, result.stderr
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


def test_a_plain_scan_records_nothing(tmp_path: Path):
    inventory, _ = project(tmp_path)
    assert run_keysprawl("scan", "src", "--inventory", inventory, cwd=tmp_path).code == 1
    assert not (tmp_path / ".keysprawl").exists()
    missing = run_keysprawl("exposures", cwd=tmp_path)
    assert missing.code == 2
    assert missing.stderr.count("\n") == 1 and "no state store" in missing.stderr


def test_scan_with_store_opens_one_exposure_with_a_due_date(tmp_path: Path):
    inventory, _ = project(tmp_path)
    (tmp_path / "keysprawl.toml").write_text('[policy.due_after]\nhigh = "3d"\n')
    for _ in range(2):
        scanned = run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
        assert scanned.code == 1, scanned.stderr
    [exposure] = exposures(tmp_path)
    today = datetime.now(UTC).date()
    assert exposure["state"] == "open"
    assert exposure["due"] == (today + timedelta(days=3)).isoformat()
    assert [place["path"] for place in exposure["locations"]] == ["a.env", "b.txt"]  # type: ignore[attr-defined]
    assert exposures(tmp_path, "--owner", "platform-team") == [exposure]
    assert exposures(tmp_path, "--owner", "nobody") == []


def test_store_from_the_environment(tmp_path: Path):
    inventory, _ = project(tmp_path)
    env = {"KEYSPRAWL_STORE": str(tmp_path / "elsewhere.db")}
    run_keysprawl("scan", "src", "--inventory", inventory, cwd=tmp_path, env=env)
    assert (tmp_path / "elsewhere.db").exists()
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path, env=env)
    assert not (tmp_path / ".keysprawl").exists()  # a bare --store takes the variable's path
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", "x.db", cwd=tmp_path, env=env)
    assert (tmp_path / "x.db").exists()  # an explicit path wins


def test_revoke_closes_the_exposure_and_later_copies_are_stale(tmp_path: Path):
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    revoked = run_keysprawl("inventory", "revoke", "pay", "--inventory", inventory, cwd=tmp_path)
    assert revoked.code == 0 and "closed 1 open exposure" in revoked.stdout
    [closed] = exposures(tmp_path, "--status", "closed")
    assert closed["closed_reason"] == "revoked" and closed["closed_at"]
    again = run_keysprawl(
        "scan", "src", "--inventory", inventory, "--store", "--format", "jsonl", cwd=tmp_path
    )
    assert {json.loads(line)["kind"] for line in again.stdout.splitlines()} == {"stale"}
    assert exposures(tmp_path, "--status", "open") == []
    assert len(exposures(tmp_path)) == 1  # stale copies are clean-up, not a new exposure


def test_rotate_closes_the_exposure(tmp_path: Path):
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    rotated = run_keysprawl(
        "inventory", "rotate", "pay", "--inventory", inventory, stdin=random_key(), cwd=tmp_path
    )
    assert rotated.code == 0, rotated.stderr
    [closed] = exposures(tmp_path)
    assert (closed["status"], closed["closed_reason"]) == ("closed", "rotated")


def test_revoke_without_a_store_creates_none(tmp_path: Path):
    inventory, _ = project(tmp_path)
    assert run_keysprawl("inventory", "revoke", "pay", "--inventory", inventory).code == 0
    assert not (tmp_path / ".keysprawl").exists()


def test_an_exposure_past_its_due_date_is_overdue(tmp_path: Path):
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    with sqlite3.connect(tmp_path / ".keysprawl" / "state.db") as db:
        db.execute("UPDATE exposures SET due = '2020-01-01'")
    [overdue] = exposures(tmp_path, "--status", "overdue")
    assert overdue["state"] == "overdue"
    assert exposures(tmp_path, "--status", "open") == [overdue]  # overdue is still open
    text = run_keysprawl("exposures", cwd=tmp_path).stdout
    assert text.startswith("overdue  pay")


def test_a_copy_found_again_keeps_its_first_due_date(tmp_path: Path):
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    with sqlite3.connect(tmp_path / ".keysprawl" / "state.db") as db:
        db.execute("UPDATE occurrences SET due = '2020-01-01'")  # found long ago
    again = run_keysprawl(
        "scan", "src", "--inventory", inventory, "--store", "--format", "jsonl", cwd=tmp_path
    )
    reported = {
        record["location"]["path"]: record["due"]
        for record in map(json.loads, again.stdout.splitlines())
    }
    assert reported == {"a.env": "2020-01-01", "b.txt": "2020-01-01"}  # not today + 7 days


def test_a_newer_store_is_refused_in_one_line(tmp_path: Path):
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    with sqlite3.connect(tmp_path / ".keysprawl" / "state.db") as db:
        db.execute("PRAGMA user_version = 99")
    for args in (("exposures",), ("scan", "src", "--inventory", inventory, "--store")):
        result = run_keysprawl(*args, cwd=tmp_path)
        assert result.code == 2
        assert result.stderr.count("\n") == 1
        assert "schema version 99 is newer" in result.stderr


def test_bad_config_is_a_usage_error(tmp_path: Path):
    inventory, _ = project(tmp_path)
    (tmp_path / "keysprawl.toml").write_text('[policy.due_after]\nhigh = "soon"\n')
    result = run_keysprawl("scan", "src", "--inventory", inventory, cwd=tmp_path)
    assert result.code == 2
    assert "keysprawl.toml:2: [policy.due_after] high" in result.stderr


def test_an_unreadable_config_is_one_line(tmp_path: Path):
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "latin1.toml").write_bytes(b"# caf\xe9\n")
    for name, reason in (("folder.toml", "Is a directory"), ("latin1.toml", "not UTF-8 text")):
        result = run_keysprawl("scan", ".", "--config", name, cwd=tmp_path)
        assert result.code == 2
        assert result.stderr == f"keysprawl: cannot read config file {name}: {reason}\n"


def test_the_log_of_runs(tmp_path: Path):
    """(Errors in the log: tests/scanner/store/test_store.py, in-process.)"""
    inventory, _ = project(tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    result = run_keysprawl("runs", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    second, first = json.loads(result.stdout)
    assert (first["counts"]["new_occurrences"], second["counts"]["new_occurrences"]) == (2, 0)
    assert first["sources"] == ["src"] and first["command"] == "scan"
    assert first["status"] == "complete" and first["errors"] == []
    text = run_keysprawl("runs", "--limit", "1", cwd=tmp_path).stdout
    assert text.startswith(f"#{second['id']:<5}") and text.count("\n#") == 0


def test_the_log_of_runs_keeps_no_token_from_a_clone_url(tmp_path: Path):
    token = random_key()
    url = f"file://user:{token}@{tmp_path}/missing.git"
    scanned = run_keysprawl("scan", url, "--store", cwd=tmp_path)
    assert scanned.code == 3 and token not in scanned.stderr + scanned.stdout
    for output_format in ("json", "text"):
        result = run_keysprawl("runs", "--format", output_format, cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert "missing.git" in result.stdout and token not in result.stdout


def test_due_dates_count_from_the_utc_date_whatever_the_local_time_zone(tmp_path: Path):
    """Due dates are set and judged on one clock (UTC, as the store and reports keep time):
    a zone whose date differs from UTC's right now gives the same due date."""
    inventory, _ = project(tmp_path)
    (tmp_path / "keysprawl.toml").write_text('[policy.due_after]\nhigh = "3d"\n')
    now = datetime.now(UTC)
    # POSIX zone names are inverted: Etc/GMT+12 is UTC-12 (yesterday when UTC is before noon),
    # Etc/GMT-14 is UTC+14 (tomorrow from 10:00 UTC on).
    zone = "Etc/GMT+12" if now.hour < 12 else "Etc/GMT-14"
    scanned = run_keysprawl(
        "scan", "src", "--inventory", inventory, "--store", cwd=tmp_path, env={"TZ": zone}
    )
    assert scanned.code == 1, scanned.stderr
    [exposure] = exposures(tmp_path)
    today = datetime.now(UTC).date()
    assert exposure["due"] == (today + timedelta(days=3)).isoformat()
