"""`keysprawl inventory import gitlab-ci|github-actions TARGET`: fingerprints of CI variables."""

from __future__ import annotations

import sys

import click

from connectors.base import Tally
from connectors.services import VARIABLE_STORES, variable_connector
from scanner import config as config_module
from scanner import inventory as inventory_module
from scanner import inventory_edit, service_config
from scanner.cli.params import inventory_option
from scanner.cli.service_params import github_url_option, gitlab_url_option, with_urls
from scanner.cli.state import config_option
from scanner.clock import today_utc
from scanner.errors import ConfigError, ExitCode
from scanner.fingerprint import Fingerprinter
from scanner.inventory_import import (
    DEFAULT_MIN_LENGTH,
    AskDetails,
    ImportOptions,
    import_variables,
)
from scanner.model import Chunk


@click.command(name="import")
@click.argument("store", type=click.Choice(VARIABLE_STORES))
@click.argument("target", metavar="PROJECT_OR_GROUP|ORG[/REPO]")
@click.option(
    "--owner", metavar="TEAM", help="Owning team of every new key (else asked, or left empty)."
)
@click.option("--purpose", help="Purpose of every new key (else asked, or left empty).")
@click.option(
    "--name", "names", multiple=True, metavar="GLOB", help="Only variables named so (repeatable)."
)
@click.option(
    "--min-length",
    type=click.IntRange(8),
    default=DEFAULT_MIN_LENGTH,
    show_default=True,
    help="Shorter values are not key-like and are skipped.",
)
@click.option(
    "--keyed", is_flag=True, help="Store hmac-sha256 fingerprints (needs KEYSPRAWL_PEPPER)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@gitlab_url_option
@github_url_option
@inventory_option
@config_option
def import_command(
    store: str,
    target: str,
    inventory_path: str | None,
    config_path: str | None,
    owner: str | None,
    purpose: str | None,
    gitlab_url: str | None,
    github_url: str | None,
    **import_options: object,
) -> None:
    """Add the values of a GitLab project's/group's CI/CD variables or a GitHub org's/repo's
    Actions variables to the inventory, as fingerprints, each approved where it lives."""
    options = ImportOptions(**import_options)  # type: ignore[arg-type]
    fingerprinter = Fingerprinter.from_environment()
    if options.keyed and fingerprinter.pepper is None:
        raise ConfigError("--keyed needs the pepper in KEYSPRAWL_PEPPER")
    config = config_module.load(config_path)  # its [services]: URLs, token variables
    services = with_urls(
        service_config.service_options(config.document, config.path),
        github_url=github_url,
        gitlab_url=gitlab_url,
    )
    connector = variable_connector(store, target, services)
    tally = Tally()
    outcome = import_variables(
        inventory_module.resolve_path(inventory_path),
        # Variables only: no git history, so nothing arrives matched (`Matched`).
        (item for item in connector.chunks(tally) if isinstance(item, Chunk)),
        ask=_asker(owner, purpose, store),
        options=options,
        fingerprinter=fingerprinter,
        today=today_utc(),
    )
    for line in outcome.lines:
        click.echo(line)
    summary = (
        f"{outcome.added} added, {outcome.approved} newly approved, {outcome.rotated} rotated,"
        f" {outcome.unchanged} unchanged, {outcome.skipped} skipped"
    )
    click.echo(summary + (" (dry run: nothing written)" if options.dry_run else ""), err=True)
    for problem in tally.problems:
        click.echo(f"error: {problem.source} {problem.where}: {problem.message}", err=True)
    click.get_current_context().exit(ExitCode.INCOMPLETE if tally.problems else ExitCode.CLEAN)


def _asker(owner: str | None, purpose: str | None, store: str) -> AskDetails:
    interactive = sys.stdin.isatty() and (owner is None or purpose is None)

    def ask(key_id: str, pattern: str) -> inventory_edit.KeyDetails:
        if interactive:
            click.echo(f"new key {key_id} ({pattern})", err=True)
        chosen_owner = owner or (_prompt("  owning team") if interactive else None)
        chosen_purpose = purpose or (_prompt("  purpose") if interactive else None)
        return inventory_edit.KeyDetails(owner=chosen_owner, purpose=chosen_purpose, provider=store)

    return ask


def _prompt(text: str) -> str | None:
    answer = click.prompt(text, default="", show_default=False, err=True)
    return str(answer).strip() or None
