"""`keysprawl incident`: a complete scan of a breach scope into an evidence bundle."""

from __future__ import annotations

from pathlib import Path

import click

from scanner import config as config_module
from scanner.cli.params import exhaustive_option, inventory_option, jobs_option
from scanner.cli.progress import terminal_progress
from scanner.cli.state import config_option
from scanner.incident.bundle import prepare_out, write_bundle
from scanner.incident.investigate import investigate
from scanner.incident.plan import incident_plan
from scanner.incident.scope import load_scope


@click.command(name="incident")
@click.option(
    "--scope",
    "scope_path",
    required=True,
    type=click.Path(path_type=Path),
    help="The scope file: [[sources]], time window, keys (see README).",
)
@click.option("--keys", help="Only these inventory keys (comma-separated ids).")
@click.option("--since", help="Only copies dated from then (YYYY-MM-DD or ISO 8601 time).")
@click.option("--until", help="Only copies dated until then (a date includes its whole day).")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the evidence bundle (new or empty).",
)
@inventory_option
@config_option
@exhaustive_option
@jobs_option
def incident(
    scope_path: Path,
    keys: str | None,
    since: str | None,
    until: str | None,
    out: Path,
    inventory_path: str | None,
    config_path: str | None,
    exhaustive: bool,
    jobs: int,
) -> None:
    """Scan a breach scope completely (every git object and pull-request ref) and write an
    evidence bundle: findings.jsonl, manifest.json, report.md and report.html."""
    wanted = tuple(k.strip() for k in keys.split(",") if k.strip()) if keys is not None else None
    scope = load_scope(scope_path).overridden(keys=wanted, since=since, until=until)
    policy = config_module.load(config_path).policy  # due dates and severities per scope
    plan = incident_plan(scope, inventory_path, exhaustive=exhaustive, policy=policy)
    prepare_out(out)  # before a long scan, not after it
    with terminal_progress() as progress:
        found = investigate(scope, plan, jobs=jobs, progress=progress)
    written = write_bundle(found, out)
    click.echo(
        f"{len(found.findings)} values found ({found.exposed} exposed inventory keys) in "
        f"{len(found.runs)} sources; bundle: {', '.join(p.name for p in written)} in {out}"
    )
    for problem in found.problems:
        click.echo(f"error: {problem.source} {problem.where}: {problem.message}", err=True)
    click.get_current_context().exit(found.exit_code)
