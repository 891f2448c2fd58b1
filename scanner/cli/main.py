"""The `keysprawl` command group, and the one place exceptions become exit codes."""

from __future__ import annotations

import importlib
import os
import sys

import click

from scanner import __version__
from scanner.errors import ExitCode, KeysprawlError

DEBUG_ENV = "KEYSPRAWL_DEBUG"

# Each command's module, imported only when that command runs (or help lists them all): a
# sweep or a scan does not pay for the other commands' imports.
COMMANDS = {
    "inventory": "scanner.cli.inventory_cmd:inventory",
    "scan": "scanner.cli.scan_cmd:scan",
    "rules": "scanner.cli.rules_cmd:rules",
    "baseline": "scanner.cli.baseline_cmd:baseline",
    "exposures": "scanner.cli.exposures_cmd:exposures",
    "config": "scanner.cli.config_cmd:config_group",
    "sweep": "scanner.cli.sweep_cmd:sweep_command",
    "report": "scanner.cli.report_cmd:report",
    "runs": "scanner.cli.runs_cmd:runs",
    "incident": "scanner.cli.incident_cmd:incident",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, name = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        if cmd_name == "inventory" and isinstance(command, click.Group):
            from scanner.cli.import_cmd import import_command

            command.add_command(import_command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keysprawl")
def cli() -> None:
    """Find where your organization's own keys have been copied."""


def run(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure ends in one line on stderr and a documented exit code."""
    try:
        code = cli.main(args=argv, prog_name="keysprawl", standalone_mode=False)
    except KeysprawlError as error:
        click.echo(f"keysprawl: {error}", err=True)
        code = error.exit_code
    except click.exceptions.Abort:
        click.echo("keysprawl: aborted", err=True)
        code = ExitCode.USAGE
    except click.ClickException as error:
        click.echo(f"keysprawl: {error.format_message()}", err=True)
        code = ExitCode.USAGE
    except BrokenPipeError:
        code = ExitCode.CLEAN
    except Exception as error:  # a bug: say so in one line, never print values from the frame
        if os.environ.get(DEBUG_ENV):
            raise
        click.echo(
            f"keysprawl: internal error ({type(error).__name__}); set {DEBUG_ENV}=1 for details",
            err=True,
        )
        code = ExitCode.INCOMPLETE
    sys.exit(int(code or 0))
