"""`keysprawl rules check|list`: validate and show the rules a scan would use."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scanner import setup
from scanner.cli.params import rules_options
from scanner.errors import ConfigError


@click.group()
def rules() -> None:
    """Check and list the credential rules (built-in, extra folders, gitleaks configs)."""


@rules.command()
@rules_options
@click.option("--no-accelerator", is_flag=True, help="Check the pure-Python path only.")
def check(rule_sources: tuple[Path, ...], no_builtin_rules: bool, no_accelerator: bool) -> None:
    """Validate every rule: schema, unique ids, regexes, examples (exit 2 on a problem)."""
    from detectors.rule_check import check_rule_set  # deferred: only this command needs it

    loaded = setup.load_rules(setup.RuleOptions(rule_sources, not no_builtin_rules))
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    problems = check_rule_set(loaded.rule_set, accelerate=not no_accelerator)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the rules")
    click.echo(f"ok: {len(loaded.rule_set.rules)} rules")


@rules.command(name="list")
@rules_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def list_rules(rule_sources: tuple[Path, ...], no_builtin_rules: bool, output_format: str) -> None:
    """Show every rule: id, severity, tags and description."""
    loaded = setup.load_rules(setup.RuleOptions(rule_sources, not no_builtin_rules))
    rule_list = loaded.rule_set.rules
    if output_format == "json":
        records = [
            {
                "id": r.id,
                "severity": r.severity.value,
                "tags": list(r.tags),
                "description": r.description,
                "keywords": list(r.keywords),
                "source": r.source,
            }
            for r in rule_list
        ]
        click.echo(json.dumps(records, indent=2))
        return
    width = max((len(r.id) for r in rule_list), default=0)
    for rule in rule_list:
        click.echo(f"{rule.id:{width}}  {rule.severity.value:8}  {rule.description}")
    click.echo(f"{len(rule_list)} rules")
