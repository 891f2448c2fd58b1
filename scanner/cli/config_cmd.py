"""`keysprawl config check`: validate keysprawl.toml before a sweep depends on it."""

from __future__ import annotations

import click

from scanner import config as config_module
from scanner.cli.state import config_option
from scanner.errors import ConfigError, ExitCode
from scanner.sweep.check import check_config


@click.group(name="config")
def config_group() -> None:
    """Check the configuration file."""


@config_group.command()
@config_option
def check(config_path: str | None) -> None:
    """Report every mistake in keysprawl.toml, with its line and key; exit 2 when any."""
    path, _ = config_module.resolve_path(config_path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    problems = check_config(path)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.get_current_context().exit(ExitCode.USAGE)
    click.echo(f"{path}: ok")
