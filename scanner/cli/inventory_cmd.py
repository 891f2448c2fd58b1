"""`keysprawl inventory ...`: keep the organization's keys, as fingerprints only."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from scanner import audit as audit_module
from scanner import config as config_module
from scanner import inventory as inventory_module
from scanner import inventory_edit
from scanner.cli.params import Duration, inventory_option
from scanner.cli.secret_input import read_secret
from scanner.cli.state import config_option, store_option
from scanner.clock import today_utc
from scanner.errors import ConfigError, ExitCode
from scanner.fingerprint import Fingerprinter
from scanner.store import exposures
from scanner.store.store import Store, timestamp
from scanner.store.store import resolve_path as resolve_store


@click.group()
def inventory() -> None:
    """Add, rotate, revoke, list and audit inventory keys."""


def _value_options(function: Any) -> Any:
    function = click.option(
        "--from-env", metavar="VAR", help="Read the value from this variable instead of stdin."
    )(function)
    return click.option(
        "--keyed", is_flag=True, help="Store an hmac-sha256 fingerprint (needs KEYSPRAWL_PEPPER)."
    )(function)


def _fingerprint(from_env: str | None, keyed: bool) -> Any:
    fingerprinter = Fingerprinter.from_environment()
    if keyed and fingerprinter.pepper is None:
        raise ConfigError("--keyed needs the pepper in KEYSPRAWL_PEPPER")
    return inventory_edit.fingerprint_table(
        read_secret(from_env), fingerprinter, keyed=keyed, today=today_utc()
    )


@inventory.command()
@click.argument("key_id")
@click.option("--owner", metavar="TEAM", help="The owning team (not a person).")
@click.option("--purpose", help="What the key is for.")
@click.option("--scope", help="What the key can reach.")
@click.option("--provider", help="Who issued the key (stripe, aws, internal, ...).")
@click.option("--rotate-every", type=Duration(), help="Rotation period: 90d, 12w, 6m, 1y.")
@click.option("--revoke", metavar="URL_OR_COMMAND", help="Runbook or command that revokes the key.")
@click.option(
    "--approved", multiple=True, metavar="LOCATION", help="A place the key may live (repeatable)."
)
@_value_options
@inventory_option
def add(
    key_id: str,
    inventory_path: str | None,
    from_env: str | None,
    keyed: bool,
    approved: tuple[str, ...],
    **details: str | None,
) -> None:
    """Add KEY_ID; its value is read from stdin (or --from-env), never from an argument."""
    path = inventory_module.resolve_path(inventory_path)
    inventory_edit.check_new_id(path, key_id)  # before the value is read or judged
    fingerprint = _fingerprint(from_env, keyed)
    inventory_edit.add_key(
        path,
        key_id,
        inventory_edit.KeyDetails(approved=approved, **details),
        fingerprint,
        today=today_utc(),
    )
    click.echo(f"added {key_id} ({fingerprint['preview']}) to {path}")


@inventory.command()
@click.argument("key_id")
@_value_options
@inventory_option
@store_option
@config_option
def rotate(
    key_id: str,
    inventory_path: str | None,
    from_env: str | None,
    keyed: bool,
    store_path: str | None,
    config_path: str | None,
) -> None:
    """Record KEY_ID's new value; the old one is kept as a retired fingerprint.

    The key's open exposure in the state store (if there is a store) is closed as rotated.
    """
    path = inventory_module.resolve_path(inventory_path)
    inventory_edit.check_known_id(path, key_id)  # before the value is read or judged
    inventory_edit.rotate_key(path, key_id, _fingerprint(from_env, keyed), today=today_utc())
    click.echo(f"rotated {key_id}: copies of the previous value are now stale")
    _close_exposures(key_id, exposures.ROTATED, store_path, config_path)


@inventory.command()
@click.argument("key_id")
@inventory_option
@store_option
@config_option
def revoke(
    key_id: str, inventory_path: str | None, store_path: str | None, config_path: str | None
) -> None:
    """Mark KEY_ID revoked: every copy found from now on is stale.

    The key's open exposure in the state store (if there is a store) is closed as revoked.
    """
    path = inventory_module.resolve_path(inventory_path)
    inventory_edit.revoke_key(path, key_id, today=today_utc())
    click.echo(f"revoked {key_id}")
    _close_exposures(key_id, exposures.REVOKED, store_path, config_path)


def _close_exposures(
    key_id: str, reason: str, store_path: str | None, config_path: str | None
) -> None:
    """Only a store that exists is touched: revoking a key never creates one."""
    config = config_module.load(config_path)
    path = resolve_store(store_path, config.store_path)
    if not path.exists():
        return
    with Store.open(path, create=False) as store:
        closed = exposures.close(store, key_id, reason, timestamp())
    if closed:
        click.echo(f"closed {closed} open exposure(s) of {key_id} in {path}")


@inventory.command(name="list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@inventory_option
def list_keys(inventory_path: str | None, output_format: str) -> None:
    """List inventory keys (fingerprints and previews only)."""
    loaded = inventory_module.load(inventory_module.resolve_path(inventory_path))
    if output_format == "json":
        click.echo(json.dumps([asdict(key) for key in loaded.keys], indent=2, default=str))
        return
    for key in loaded.keys:
        current = next((fp.preview for fp in key.fingerprints if fp.current), "-")
        click.echo(f"{key.id:30} {key.status:8} {key.owner or '-':24} {current}")


@inventory.command(name="audit")
@click.option(
    "--people",
    type=click.Path(path_type=Path),
    help="File of people's names (one a line) who must not own keys.",
)
@inventory_option
def audit_command(inventory_path: str | None, people: Path | None) -> None:
    """Check every key's lifecycle discipline; exit 1 when a problem is found."""
    loaded = inventory_module.load(inventory_module.resolve_path(inventory_path))
    problems = audit_module.audit(
        loaded, today=today_utc(), people=audit_module.load_people(people)
    )
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(loaded.keys)} keys, {len(problems)} problems", err=True)
    click.get_current_context().exit(ExitCode.FINDINGS if problems else ExitCode.CLEAN)
