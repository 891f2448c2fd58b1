"""The `keysprawl` command group, and the one place exceptions become exit codes."""

from __future__ import annotations

import os
import sys

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


def _scan() -> click.Command:
    from scanner.cli.scan_cmd import scan

    return scan


def _rules() -> click.Command:
    from scanner.cli.rules_cmd import rules

    return rules


def _baseline() -> click.Command:
    from scanner.cli.baseline_cmd import baseline

    return baseline


def _exposures() -> click.Command:
    from scanner.cli.exposures_cmd import exposures

    return exposures


def _config() -> click.Command:
    from scanner.cli.config_cmd import config_group

    return config_group


def _sweep() -> click.Command:
    from scanner.cli.sweep_cmd import sweep_command

    return sweep_command


def _report() -> click.Command:
    from scanner.cli.report_cmd import report

    return report


def _runs() -> click.Command:
    from scanner.cli.runs_cmd import runs

    return runs


def _incident() -> click.Command:
    from scanner.cli.incident_cmd import incident

    return incident


# Each command's module is imported only when that command runs (see LazyGroup).
COMMANDS = {
    "inventory": _inventory,
    "scan": _scan,
    "rules": _rules,
    "baseline": _baseline,
    "exposures": _exposures,
    "config": _config,
    "sweep": _sweep,
    "report": _report,
    "runs": _runs,
    "incident": _incident,
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
