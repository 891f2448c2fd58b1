"""Each command's module loads only when that command runs; `--help` still lists them all."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import run_keysprawl

from scanner.cli.main import COMMANDS


def test_help_lists_every_command() -> None:
    result = run_keysprawl("--help")
    assert result.code == 0
    listed = re.findall(r"^  (\w+)  ", result.stdout, re.MULTILINE)
    assert listed == sorted(COMMANDS)


def test_a_scan_does_not_load_the_other_commands(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing here\n")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scanner", "scan", str(tmp_path / "a.txt")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-500:]
    imported = set(re.findall(r"\|\s+([\w.]+)$", completed.stderr, re.MULTILINE))
    assert "scanner.cli.scan_cmd" in imported
    others = {"scanner.cli.incident_cmd", "scanner.cli.sweep_cmd", "scanner.cli.inventory_cmd"}
    others |= {"scanner.incident.bundle", "scanner.sweep.runner", "tomlkit"}
    others |= {"sqlite3", "scanner.store.store", "scanner.store.writer"}  # it records nothing
    assert others.isdisjoint(imported)


def test_a_mistyped_command_is_a_usage_error_with_a_suggestion() -> None:
    result = run_keysprawl("scna")
    assert result.code == 2 and "No such command 'scna'" in result.stderr
    assert "scan" in result.stderr.removeprefix("keysprawl: No such command 'scna'")


def test_inventory_import_is_still_an_inventory_subcommand() -> None:
    result = run_keysprawl("inventory", "import", "--help")
    assert result.code == 0 and "CI/CD variables" in result.stdout
