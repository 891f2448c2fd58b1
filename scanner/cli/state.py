"""Options and helpers for commands that use the state store and the config file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scanner import config as config_module
from scanner.engine import ProgressCallback, ScanResult
from scanner.inventory import Inventory
from scanner.model import Matched
from scanner.store.paths import DEFAULT_STORE, STORE_ENV, resolve_path

if TYPE_CHECKING:
    from scanner.store.writer import StoreWriter

F = TypeVar("F", bound=Callable[..., Any])


def store_option(function: F) -> F:
    return click.option(
        "--store",
        "store_path",
        metavar="PATH",
        is_flag=False,
        flag_value="",  # a bare --store: the path from the environment, config or default
        default=None,
        help=f"State store (SQLite). Default: ${STORE_ENV}, then [store] path in the config,"
        f" then {DEFAULT_STORE}.",
    )(function)


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "config_path",
        metavar="FILE",
        help=f"Config file (default: ${config_module.CONFIG_ENV}, then ./keysprawl.toml).",
    )(function)


def scan_store_path(explicit: str | None, config: config_module.Config) -> Path | None:
    """A plain scan records nothing: only --store, $KEYSPRAWL_STORE or [store] path ask it to."""
    if explicit is not None or os.environ.get(STORE_ENV) or config.store_path:
        return resolve_path(explicit or None, config.store_path)
    return None


@contextlib.contextmanager
def recording(
    path: Path | None, inventory: Inventory, *, command: str, sources: Sequence[str]
) -> Iterator[StoreWriter | None]:
    if path is None:
        yield None
        return
    # Loaded only here: a scan that records nothing never loads SQLite (scanner.store.paths).
    from scanner.store.store import Store
    from scanner.store.writer import StoreWriter

    with Store.open(path) as store:
        writer = StoreWriter(store, inventory, command=command, sources=sources)
        try:
            yield writer
        except BaseException:
            writer.abandon()
            raise


def checkpointing(
    progress: ProgressCallback | None, writer: StoreWriter | None
) -> ProgressCallback | None:
    if writer is None:
        return progress

    def advance(item: Matched) -> None:
        writer.checkpoint()
        if progress is not None:
            progress(item)

    return advance


def finish_recording(writer: StoreWriter | None, result: ScanResult) -> None:
    """Log the run; copies found before keep the due date the store gave them."""
    if writer is None:
        return
    counts = writer.finish(
        chunks=result.stats.chunks,
        size=result.stats.bytes,
        findings=len(result.findings),
        problems=result.problems,
    )
    click.echo(
        f"keysprawl: recorded {counts.occurrences} occurrence(s), {counts.new_occurrences} new,"
        f" in {writer.path}",
        err=True,
    )
    dues = writer.stored_dues()
    for finding in result.findings:
        finding.occurrences = [
            replace(o, due=dues.get((finding.fingerprint, o.occurrence_id(finding.finding_id))))
            if o.due
            else o
            for o in finding.occurrences
        ]
