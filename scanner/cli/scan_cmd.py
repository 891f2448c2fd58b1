"""`keysprawl scan`: the engine on files, folders and standard input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from scanner import config as config_module
from scanner import engine, setup
from scanner import inventory as inventory_module
from scanner.cli.git_params import GIT_OPTION_NAMES, git_options, git_scan_options
from scanner.cli.output import (
    FORMATS,
    exit_code,
    opened_output,
    render,
    without_allowed,
)
from scanner.cli.params import ByteSize, fail_on_option, inventory_option
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
from scanner.policy import FailOn
from scanner.report.ci import ci_notes
from scanner.targets import TargetOptions, connector_for


@click.command()
@click.argument("targets", nargs=-1, required=True)
@inventory_option
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option(
    "--output", type=click.Path(path_type=Path), help="Write the report here instead of stdout."
)
@click.option(
    "--max-file-size", type=ByteSize(), default="50M", show_default=True, help="Skip larger files."
)
@click.option(
    "--exhaustive", is_flag=True, help="Hash every window, also keys glued to other text (slow)."
)
@click.option(
    "--jobs", "-j", type=click.IntRange(1), default=os.cpu_count() or 1, show_default="CPUs"
)
@click.option(
    "--no-accelerator",
    is_flag=True,
    help="Use the pure-Python matcher even if Hyperscan is installed.",
)
@click.option(
    "--decode-depth",
    type=click.IntRange(0, 8),
    default=3,
    show_default=True,
    help="How many nested encodings (base64, %XX, string escapes, ...) to see through; 0: none.",
)
@click.option("--include-allowed", is_flag=True, help="Also report copies in approved places.")
@git_options
@fail_on_option
@store_option
@config_option
@service_options
def scan(
    targets: tuple[str, ...],
    inventory_path: str | None,
    output_format: str,
    output: Path | None,
    max_file_size: int,
    exhaustive: bool,
    jobs: int,
    no_accelerator: bool,
    decode_depth: int,
    fail_on: FailOn,
    include_allowed: bool,
    store_path: str | None,
    config_path: str | None,
    **extra: Any,
) -> None:
    """Scan files, folders (recursively), git repositories (a path or a clone URL), `-`
    (standard input) or remote sources (github:OWNER[/REPO], gitlab:GROUP[/PROJECT], jira:JQL)
    for copies of inventory keys.

    With --store (or $KEYSPRAWL_STORE, or [store] path in keysprawl.toml) the findings are
    recorded in the state store as the scan runs, and exposures are opened.
    """
    config = config_module.load(config_path)
    loaded = inventory_module.load(inventory_module.resolve_path(inventory_path))
    services = build_service_options({name: extra[name] for name in SERVICE_OPTION_NAMES})
    git, git_only = git_scan_options(
        {name: extra[name] for name in GIT_OPTION_NAMES}, extra["since"], max_file_size
    )
    options = TargetOptions(max_file_size, services=services, git=git, require_git=git_only)
    connectors = [connector_for(target, options) for target in targets]
    matching = setup.MatchingOptions(
        exhaustive=exhaustive, accelerate=not no_accelerator, decode_depth=decode_depth
    )
    store = scan_store_path(store_path, config)
    with (
        recording(store, loaded, command="scan", sources=targets) as writer,
        terminal_progress() as progress,
    ):
        result = engine.scan(
            connectors,
            detectors=setup.detector_spec(loaded, matching),
            classifier=setup.classifier(loaded, config=config.policy),
            jobs=jobs,
            progress=checkpointing(progress, writer),
            on_occurrence=writer.add if writer else None,
        )
        finish_recording(writer, result)
    result.notes.extend(ci_notes(result.findings))  # before allowed copies are dropped
    if not include_allowed:
        result = without_allowed(result)
    with opened_output(output) as out:
        render(result, output_format, out, {key.id: key for key in loaded.keys})
    if output_format != "text":  # machine output stays parseable; the errors still show
        for problem in result.problems:
            click.echo(f"error: {problem.source} {problem.where}: {problem.message}", err=True)
    click.get_current_context().exit(exit_code(result, fail_on))
