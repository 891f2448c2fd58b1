"""The `keysprawl` command group, and the one place exceptions become exit codes."""

from __future__ import annotations

import os
import sys

import click

from scanner import __version__
from scanner.cli.baseline_cmd import baseline
from scanner.cli.config_cmd import config_group
from scanner.cli.exposures_cmd import exposures
from scanner.cli.import_cmd import import_command
from scanner.cli.incident_cmd import incident
from scanner.cli.inventory_cmd import inventory
from scanner.cli.report_cmd import report
from scanner.cli.rules_cmd import rules
from scanner.cli.runs_cmd import runs
from scanner.cli.scan_cmd import scan
from scanner.cli.sweep_cmd import sweep_command
from scanner.errors import ExitCode, KeysprawlError

DEBUG_ENV = "KEYSPRAWL_DEBUG"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keysprawl")
def cli() -> None:
    """Find where your organization's own keys have been copied."""


inventory.add_command(import_command)
cli.add_command(inventory)
cli.add_command(scan)
cli.add_command(rules)
cli.add_command(baseline)
cli.add_command(exposures)
cli.add_command(config_group)
cli.add_command(sweep_command)
cli.add_command(report)
cli.add_command(runs)
cli.add_command(incident)


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
