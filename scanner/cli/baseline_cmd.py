"""`keysprawl baseline create|update`: accept today's unmanaged findings, fail only on new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from scanner.baseline import entries_from, read_entries, write_entries
from scanner.cli.scan_cmd import run_scan, scan_options
from scanner.errors import ExitCode

DEFAULT_BASELINE = ".keysprawl-baseline.json"


@click.group()
def baseline() -> None:
    """Record unmanaged findings to suppress in later scans (`scan --baseline FILE`)."""


def _file_option(function: Any) -> Any:
    return click.option(
        "--file",
        "baseline_file",
        type=click.Path(path_type=Path),
        default=DEFAULT_BASELINE,
        show_default=True,
        help="The baseline file.",
    )(function)


@baseline.command()
@scan_options
@_file_option
def create(baseline_file: Path, **options: Any) -> None:
    """Scan and write every unmanaged finding (fingerprint and path) to the baseline."""
    result = run_scan(options)
    entries = entries_from(result.findings)
    write_entries(baseline_file, entries)
    click.echo(f"baseline {baseline_file}: {len(entries)} entries")
    if not result.complete:
        click.get_current_context().exit(ExitCode.INCOMPLETE)


@baseline.command()
@scan_options
@_file_option
def update(baseline_file: Path, **options: Any) -> None:
    """Scan again: add new unmanaged findings, drop entries no longer found."""
    previous = read_entries(baseline_file)
    result = run_scan(options)
    current = entries_from(result.findings)
    if not result.complete:
        # Dropping what an incomplete scan did not see would re-open it next time.
        current = {**previous, **current}
    write_entries(baseline_file, current)
    added = len(current.keys() - previous.keys())
    removed = len(previous.keys() - current.keys())
    click.echo(
        f"baseline {baseline_file}: {len(current)} entries ({added} added, {removed} removed)"
    )
    if not result.complete:
        click.get_current_context().exit(ExitCode.INCOMPLETE)
