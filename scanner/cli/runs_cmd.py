"""`keysprawl runs`: the state store's log of runs, newest first."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from scanner import config as config_module
from scanner.cli.state import config_option, store_option
from scanner.store import runs as runs_module
from scanner.store.store import Store, resolve_path


@click.command()
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@store_option
@config_option
def runs(limit: int, output_format: str, store_path: str | None, config_path: str | None) -> None:
    """When each recorded scan ran, on what, what it found and what went wrong."""
    config = config_module.load(config_path)
    with Store.open(resolve_path(store_path, config.store_path), create=False) as store:
        logged = runs_module.recent(store, limit)
    if output_format == "json":
        click.echo(json.dumps([asdict(run) for run in logged], indent=2, sort_keys=True))
        return
    for run in logged:
        counts = run.counts
        click.echo(
            f"#{run.id:<5} {run.started} {run.status:11} {run.command} {' '.join(run.sources)}:"
            f" {counts.chunks} items, {counts.findings} findings,"
            f" {counts.occurrences} occurrences ({counts.new_occurrences} new),"
            f" {len(run.errors)} errors"
        )
        for problem in run.errors:
            click.echo(f"       error: {problem.source} {problem.where}: {problem.message}")
