"""Each subcommand's module loads only when that command runs; every command is still there."""

from __future__ import annotations

import subprocess
import sys

import click

from scanner.cli.main import COMMANDS, cli


def test_every_listed_command_resolves_to_itself() -> None:
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
    assert cli.get_command(context, "no-such-command") is None
    inventory = cli.get_command(context, "inventory")
    assert isinstance(inventory, click.Group)
    assert "import" in inventory.list_commands(context)


def test_scan_does_not_load_the_other_commands() -> None:
    probe = (
        "import sys\n"
        "from scanner.cli.main import cli\n"
        "import click\n"
        "cli.get_command(click.Context(cli), 'scan')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('scanner.cli.'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "scanner.cli.scan_cmd" in loaded
    for other in ("sweep_cmd", "incident_cmd", "inventory_cmd", "report_cmd", "baseline_cmd"):
        assert f"scanner.cli.{other}" not in loaded
