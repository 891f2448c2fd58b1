"""`keysprawl exposures`: the lifecycle records in the state store."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import click

from scanner import config as config_module
from scanner.cli.state import config_option, store_option
from scanner.store import exposures as exposures_module
from scanner.store.store import Store, resolve_path, today_utc


@click.command()
@click.option("--owner", metavar="TEAM", help="Only this team's exposures.")
@click.option(
    "--status",
    type=click.Choice(exposures_module.STATUSES),
    help="open (including overdue), overdue, or closed.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@store_option
@config_option
def exposures(
    owner: str | None,
    status: str | None,
    output_format: str,
    store_path: str | None,
    config_path: str | None,
) -> None:
    """List exposures: which keys are exposed, since when, and when they are due."""
    config = config_module.load(config_path)
    today = today_utc()
    with Store.open(resolve_path(store_path, config.store_path), create=False) as store:
        found = exposures_module.listed(store, today=today, owner=owner, status=status)
    if output_format == "json":
        records = [{**asdict(e), "state": e.state(today)} for e in found]
        click.echo(json.dumps(records, indent=2, sort_keys=True, default=str))
        return
    for exposure in found:
        click.echo(_line(exposure, today))
    click.echo(f"{len(found)} exposures", err=True)


def _line(exposure: exposures_module.Exposure, today: date) -> str:
    closed = (
        f" closed {exposure.closed_at} ({exposure.closed_reason})" if exposure.closed_at else ""
    )
    return (
        f"{exposure.state(today):8} {exposure.key_id:28} {exposure.owner or '-':20}"
        f" {exposure.severity.value:8} since {exposure.first_seen[:10]}"
        f" due {exposure.due or '-':10} {len(exposure.locations)} place(s){closed or ''}"
    )
