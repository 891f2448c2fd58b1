"""`keysprawl sweep`: every configured source, incrementally, with a closing summary."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from scanner import config as config_module
from scanner import service_config, setup
from scanner.cli.state import config_option, store_option
from scanner.cli.sweep_summary import summary_lines
from scanner.engine import ProgressCallback
from scanner.errors import ExitCode
from scanner.model import Matched
from scanner.store.store import resolve_path
from scanner.sweep.runner import ProgressFactory, SweepContext, sweep
from scanner.sweep.settings import sweep_settings


@click.command(name="sweep")
@config_option
@store_option
@click.option(
    "--full", is_flag=True, help="Scan everything, not only what changed since the last sweep."
)
@click.option("--dry-run", is_flag=True, help="Show the tickets it would file; file none.")
def sweep_command(
    config_path: str | None, store_path: str | None, full: bool, dry_run: bool
) -> None:
    """Scan every source in keysprawl.toml into the state store (incremental by default)."""
    config = config_module.load(config_path)
    settings = sweep_settings(config)
    plan = setup.plan(
        inventory_path=str(settings.inventory) if settings.inventory else None,
        matching=setup.MatchingOptions(),
        rules=setup.RuleOptions(extra=settings.rules),
        baseline=settings.baseline,
        config=config,
    )
    with _progress_bars() as progress:
        summary = sweep(
            SweepContext(
                settings=settings,
                plan=plan,
                services=service_config.service_options(config.document, config.path),
                store_path=resolve_path(store_path, config.store_path),
                full=full,
                dry_run=dry_run,
                progress=progress,
                log=_log_line,
            )
        )
    for line in summary_lines(summary):
        click.echo(line)
    code = (
        ExitCode.INCOMPLETE
        if not summary.complete
        else ExitCode.FINDINGS
        if summary.open_exposures
        else ExitCode.CLEAN
    )
    click.get_current_context().exit(code)


def _log_line(line: str) -> None:
    # On a terminal the bars say it; otherwise (cron, CI) plain lines go to the log.
    if not sys.stderr.isatty():
        click.echo(f"keysprawl sweep: {line}", err=True)


@contextlib.contextmanager
def _progress_bars() -> Iterator[ProgressFactory]:
    if not sys.stderr.isatty():
        yield lambda _name: None
        return
    from tqdm import tqdm

    bars: list[tqdm] = []

    def for_source(name: str) -> ProgressCallback:
        # Shows the source's configured name and byte counts only: never content.
        bar = tqdm(
            unit="B",
            unit_scale=True,
            desc=name[:40],
            position=len(bars),
            leave=True,
            file=sys.stderr,
        )
        bars.append(bar)

        def advance(item: Matched) -> None:
            bar.update(item.size)

        return advance

    try:
        yield for_source
    finally:
        for bar in bars:
            bar.close()
