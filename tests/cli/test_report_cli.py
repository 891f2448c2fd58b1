"""`keysprawl report` and every --format through the real CLI; no plaintext anywhere."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import add_key, files_containing, random_key, run_keysprawl

from scanner.cli.output import wants_color
from scanner.report.render import FORMATS


@pytest.fixture(scope="module")
def scanned_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Two teams' keys, one rotated, copies in a folder, scanned into the default store."""
    tmp_path = tmp_path_factory.mktemp("scanned")
    values = [random_key(), random_key(), random_key(36), random_key(48)]
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "pay", values[0])
    add_key(inventory, "deploy", values[1], "--owner", "ci-team")
    rotated = run_keysprawl("inventory", "rotate", "deploy", "--inventory", inventory,
                            stdin=values[2])  # fmt: skip
    assert rotated.code == 0
    add_key(inventory, "agent", values[3], "--approved", "ci/*")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.env").write_text(f"PAY={values[0]}\nOLD={values[1]}\n")
    (tmp_path / "src" / "b.json").write_text(json.dumps({"deploy": values[2]}))
    (tmp_path / "src" / "ci").mkdir()
    (tmp_path / "src" / "ci" / "vars").write_text(values[3])
    result = run_keysprawl("scan", "src", "--inventory", inventory, "--store", cwd=tmp_path)
    assert result.code == 1, result.stderr
    return tmp_path, values


@pytest.fixture
def scanned(scanned_once: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, list[str]]:
    """A private copy of the scanned project, for tests that change it."""
    root, values = scanned_once
    shutil.copytree(root, tmp_path / "project")
    return tmp_path / "project", values


def test_the_worklist_is_grouped_by_owner(scanned_once: tuple[Path, list[str]]):
    root, _ = scanned_once
    result = run_keysprawl("report", cwd=root)
    assert result.code == 1  # open exposures
    groups = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert groups == ["== ci-team (1 exposed key value)", "== platform-team (1 exposed key value)"]
    assert "revoke: https://runbooks.example/revoke" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    only = run_keysprawl("report", "--owner", "ci-team", "--format", "json", cwd=root)
    exposures = json.loads(only.stdout)["exposures"]
    assert [(e["key_id"], e["state"]) for e in exposures] == [("deploy", "open")]
    assert exposures[0]["purpose"] == "test key" and exposures[0]["scope"] == "tests"


def test_fail_on_a_minimum_severity(scanned_once: tuple[Path, list[str]]):
    root, _ = scanned_once
    assert run_keysprawl("report", "--fail-on", "critical", cwd=root).code == 0
    assert run_keysprawl("report", "--fail-on", "high", cwd=root).code == 1
    assert run_keysprawl("report", "--fail-on", "none", cwd=root).code == 0
    bad = run_keysprawl("report", "--fail-on", "leaked", cwd=root)
    assert bad.code == 2 and "leaked" in bad.stderr


def test_scan_fail_on_kinds_and_severity(scanned_once: tuple[Path, list[str]]):
    root, _ = scanned_once
    scan = ("scan", "src", "--inventory", root / "inv.toml")
    assert run_keysprawl(*scan, "--fail-on", "stale", cwd=root).code == 1
    assert run_keysprawl(*scan, "--fail-on", "critical", cwd=root).code == 0
    assert run_keysprawl(*scan, "--fail-on", "exposure,high", cwd=root).code == 1
    assert run_keysprawl(*scan, "--fail-on", "stale,medium", cwd=root).code == 0


def test_revoked_keys_leave_the_open_worklist(scanned: tuple[Path, list[str]]):
    root, _ = scanned
    run_keysprawl("inventory", "revoke", "pay", "--inventory", root / "inv.toml", cwd=root)
    run_keysprawl("inventory", "revoke", "deploy", "--inventory", root / "inv.toml", cwd=root)
    assert run_keysprawl("report", cwd=root).code == 0
    closed = json.loads(run_keysprawl("report", "--status", "closed", "--format", "json",
                                      cwd=root).stdout)  # fmt: skip
    assert {(e["key_id"], e["closed_reason"]) for e in closed["exposures"]} == {
        ("pay", "revoked"),
        ("deploy", "revoked"),
    }


def test_no_format_and_not_the_store_holds_a_planted_value(scanned: tuple[Path, list[str]]):
    root, values = scanned
    out = root / "out"
    out.mkdir()
    scan = ("scan", "src", "--inventory", root / "inv.toml", "--store", "--include-allowed")
    commands = {
        **{f"scan.{name}": (*scan, "--format", name) for name in FORMATS},
        **{f"report.{name}": ("report", "--status", "all", "--format", name) for name in FORMATS},
        "exposures.json": ("exposures", "--format", "json"),
    }
    with ThreadPoolExecutor(2) as pool:  # concurrent writers to one store, too
        results = dict(zip(commands, pool.map(lambda c: run_keysprawl(*c, cwd=root),
                                              commands.values()), strict=True))  # fmt: skip
    for name, result in results.items():
        assert result.code in (0, 1) and result.stdout.strip(), (name, result.stderr)
        (out / name).write_text(result.stdout + result.stderr)
    with sqlite3.connect(root / ".keysprawl" / "state.db") as db:  # a plain-text dump too
        (out / "dump.sql").write_text("\n".join(db.iterdump()))
    assert files_containing(out, values) == []
    assert files_containing(root / ".keysprawl", values) == []
    assert len(list(out.iterdir())) == 2 * len(FORMATS) + 2


def test_report_without_a_store_is_a_usage_error(tmp_path: Path):
    result = run_keysprawl("report", cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and "no state store" in result.stderr


def test_report_to_a_file(scanned: tuple[Path, list[str]]):
    root, _ = scanned
    result = run_keysprawl("report", "--format", "html", "--output", "r.html", cwd=root)
    assert result.code == 1 and result.stdout == ""
    assert (root / "r.html").read_text().startswith("<!DOCTYPE html>")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_color(_Terminal())
    assert not wants_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_color(_Terminal())
