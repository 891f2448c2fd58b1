"""`keysprawl sweep`: every configured source, incrementally, with a closing summary."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from scanner import config as config_module
from scanner import service_config, setup
from scanner.cli.state import config_option, store_option
from scanner.engine import ProgressCallback
from scanner.errors import ExitCode
from scanner.model import Matched
from scanner.store.store import resolve_path
from scanner.sweep.runner import ProgressFactory, SweepContext, SweepSummary, sweep
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
    _print_summary(summary)
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


def _print_summary(summary: SweepSummary) -> None:
    done = [o for o in summary.outcomes if o.done]
    failed = [o for o in summary.outcomes if not o.done]
    chunks = sum(o.chunks for o in summary.outcomes)
    size = sum(o.bytes for o in summary.outcomes)
    click.echo(
        f"sweep {summary.sweep_id}{' (resumed)' if summary.resumed else ''}: "
        f"{len(summary.outcomes)} sources ({len(done)} done, {len(failed)} failed), "
        f"{chunks} objects, {size / 1e6:.1f} MB; exposures: {summary.new_exposures} new, "
        f"{summary.open_exposures} open, {summary.overdue_exposures} overdue"
    )
    for line in summary.ticket_plan:
        click.echo(f"would {line}")
    for message in summary.ticket_problems:
        click.echo(f"error: {message}")
    if summary.reports:
        click.echo(f"reports: {', '.join(str(path) for path in summary.reports)}")
    for outcome in failed:
        for problem in outcome.problems:
            click.echo(f"error: {outcome.source}: {problem.where}: {problem.message}")
