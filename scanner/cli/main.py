"""The `keysprawl` command group, and the one place exceptions become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from scanner import __version__
from scanner.cli.lazy_group import LazyGroup
from scanner.errors import ExitCode, KeysprawlError

DEBUG_ENV = "KEYSPRAWL_DEBUG"


def _inventory() -> click.Command:
    from scanner.cli.import_cmd import import_command
    from scanner.cli.inventory_cmd import inventory

    inventory.add_command(import_command)
    return inventory


def _command(module: str, name: str) -> Callable[[], click.Command]:
    """A loader of the click command `name` of `module`, imported when first asked for."""

    def load() -> click.Command:
        # __import__, not importlib.import_module: -X importtime (which the tests and
        # bench/startup.py read) sees only imports made through the interpreter's own path.
        command: click.Command = getattr(__import__(module, fromlist=[name]), name)
        return command

    return load


# Each command's module is imported only when that command runs (see LazyGroup).
COMMANDS = {
    "inventory": _inventory,
    "scan": _command("scanner.cli.scan_cmd", "scan"),
    "rules": _command("scanner.cli.rules_cmd", "rules"),
    "baseline": _command("scanner.cli.baseline_cmd", "baseline"),
    "exposures": _command("scanner.cli.exposures_cmd", "exposures"),
    "config": _command("scanner.cli.config_cmd", "config_group"),
    "sweep": _command("scanner.cli.sweep_cmd", "sweep_command"),
    "report": _command("scanner.cli.report_cmd", "report"),
    "runs": _command("scanner.cli.runs_cmd", "runs"),
    "incident": _command("scanner.cli.incident_cmd", "incident"),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
