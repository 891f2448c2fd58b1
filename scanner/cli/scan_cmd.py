"""`keysprawl scan`: the engine on files, folders, standard input and remote sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner import config as config_module
from scanner import engine, service_config, setup
from scanner.cli.git_params import GIT_OPTION_NAMES, git_options, git_scan_options
from scanner.cli.outcome import exit_code, without_allowed
from scanner.cli.output import FORMATS, opened_output, render
from scanner.cli.params import (
    ByteSize,
    exhaustive_option,
    fail_on_option,
    inventory_option,
    jobs_option,
    report_options,
    rules_options,
)
from scanner.cli.progress import terminal_progress
from scanner.cli.service_params import SERVICE_OPTION_NAMES, build_service_options, service_options
from scanner.cli.state import (
    checkpointing,
    config_option,
    finish_recording,
    recording,
    scan_store_path,
    store_option,
)
from scanner.config import Config
from scanner.policy import FailOn
from scanner.report.ci import ci_notes
from scanner.targets import TargetOptions, connector_for

F = TypeVar("F", bound=Callable[..., Any])


def scan_options(function: F) -> F:
    """Options shared by `scan` and `baseline create|update`: what to look for, and how."""
    decorators = [
        click.argument("targets", nargs=-1, required=True),
        inventory_option,
        rules_options,
        click.option(
            "--max-file-size",
            type=ByteSize(),
            default="50M",
            show_default=True,
            help="Skip larger files.",
        ),
        exhaustive_option,
        jobs_option,
        click.option(
            "--decode-depth",
            type=click.IntRange(0, 8),
            default=3,
            show_default=True,
            help="How many nested encodings (base64, %XX, string escapes, ...) to see through;"
            " 0: none.",
        ),
        click.option(
            "--no-accelerator",
            is_flag=True,
            help="Use the pure-Python matchers even if Hyperscan is installed.",
        ),
        config_option,
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def scan_plan(options: dict[str, Any], config: Config, baseline: Path | None) -> setup.ScanPlan:
    """What to look for, from the shared options (see `scan_options`)."""
    return setup.plan(
        inventory_path=options["inventory_path"],
        matching=setup.MatchingOptions(
            exhaustive=options["exhaustive"],
            accelerate=not options["no_accelerator"],
            decode_depth=options["decode_depth"],
        ),
        rules=setup.RuleOptions(options["rule_sources"], not options["no_builtin_rules"]),
        baseline=baseline,
        config=config,
    )


def run_scan(options: dict[str, Any]) -> engine.ScanResult:
    """A plain scan of local targets from the shared options, without a store."""
    config = config_module.load(options["config_path"])
    plan = scan_plan(options, config, None)
    target_options = TargetOptions(max_file_size=options["max_file_size"])
    connectors = [connector_for(target, target_options) for target in options["targets"]]
    with terminal_progress() as progress:
        result = engine.scan(
            connectors,
            detectors=plan.detectors,
            classifier=plan.classifier,
            jobs=options["jobs"],
            progress=progress,
            suppressions=plan.suppressions,
        )
    result.notes.extend(plan.notes)
    return result


@click.command()
@scan_options
@report_options(FORMATS)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Do not report unmanaged findings recorded in this baseline file.",
)
@click.option("--include-allowed", is_flag=True, help="Also report copies in approved places.")
@git_options
@fail_on_option
@store_option
@service_options
def scan(
    output_format: str,
    output: Path | None,
    baseline: Path | None,
    fail_on: FailOn,
    include_allowed: bool,
    store_path: str | None,
    **options: Any,
) -> None:
    """Scan files, folders (recursively), git repositories (a path or a clone URL), `-`
    (standard input) or remote sources (github:OWNER[/REPO], gitlab:GROUP[/PROJECT], jira:JQL)
    for copies of inventory keys and for credentials of well-known formats (rules).

    With --store (or $KEYSPRAWL_STORE, or [store] path in keysprawl.toml) the findings are
    recorded in the state store as the scan runs, and exposures are opened.
    """
    config = config_module.load(options["config_path"])
    plan = scan_plan(options, config, baseline)
    services = build_service_options(
        {name: options[name] for name in SERVICE_OPTION_NAMES},
        service_config.service_options(config.document, config.path),
    )
    services = replace(services, secret_places=service_config.secret_places(plan.inventory))
    git, git_only = git_scan_options(
        {name: options[name] for name in GIT_OPTION_NAMES},
        options["since"],
        options["max_file_size"],
    )
    git = replace(git, workers=options["jobs"])  # --jobs bounds history readers too
    target_options = TargetOptions(
        options["max_file_size"], services=services, git=git, require_git=git_only
    )
    connectors = [connector_for(target, target_options) for target in options["targets"]]
    store = scan_store_path(store_path, config)
    with (
        recording(store, plan.inventory, command="scan", sources=options["targets"]) as writer,
        terminal_progress() as progress,
    ):
        result = engine.scan(
            connectors,
            detectors=plan.detectors,
            classifier=plan.classifier,
            jobs=options["jobs"],
            progress=checkpointing(progress, writer),
            on_occurrence=writer.add if writer else None,
            suppressions=plan.suppressions,
        )
        result.notes.extend(plan.notes)
        finish_recording(writer, result)
    result.notes.extend(ci_notes(result.findings))  # before allowed copies are dropped
    if not include_allowed:
        result = without_allowed(result)
    with opened_output(output) as out:
        render(result, output_format, out, {key.id: key for key in plan.inventory.keys})
    if output_format != "text":  # machine output stays parseable; the errors still show
        for problem in result.problems:
            click.echo(f"error: {problem.source} {problem.where}: {problem.message}", err=True)
    click.get_current_context().exit(exit_code(result, fail_on))
