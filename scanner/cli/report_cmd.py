"""`keysprawl report`: the revocation worklist from the state store, in any format."""

from __future__ import annotations

from pathlib import Path

import click

from scanner import config as config_module
from scanner.cli.output import FORMATS, opened_output, render_report
from scanner.cli.params import fail_on_option, report_options
from scanner.cli.state import config_option, store_option
from scanner.errors import ExitCode
from scanner.model import Kind
from scanner.policy import FailOn
from scanner.report.from_store import store_report
from scanner.store import exposures
from scanner.store.store import Store, resolve_path, timestamp, today_utc

_STATUSES = ("all", *exposures.STATUSES)


@click.command()
@report_options(FORMATS)
@click.option("--owner", metavar="TEAM", help="Only this team's keys.")
@click.option(
    "--status",
    type=click.Choice(_STATUSES),
    default="open",
    show_default=True,
    help="Which exposures make the worklist (open includes overdue).",
)
@fail_on_option
@store_option
@config_option
def report(
    output_format: str,
    owner: str | None,
    status: str,
    output: Path | None,
    fail_on: FailOn,
    store_path: str | None,
    config_path: str | None,
) -> None:
    """The revocation worklist by owning team: key, purpose, scope, where found, since when,
    due date and revocation path. Exit 1 when an open exposure fails --fail-on."""
    config = config_module.load(config_path)
    today = today_utc()
    with Store.open(resolve_path(store_path, config.store_path), create=False) as store:
        built = store_report(
            store,
            today=today,
            generated=timestamp(),
            owner=owner,
            status=None if status == "all" else status,
        )
    with opened_output(output) as out:
        render_report(built, output_format, out, {})
    failing = any(
        item.state != exposures.CLOSED and fail_on.fails(Kind.EXPOSURE, item.severity)
        for item in built.worklist
    )
    click.get_current_context().exit(ExitCode.FINDINGS if failing else ExitCode.CLEAN)
