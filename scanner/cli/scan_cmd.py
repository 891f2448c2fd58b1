"""`keysprawl scan`: the engine on files, folders and standard input."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner import engine, setup
from scanner.cli.output import DEFAULT_FAIL_ON, FORMATS, exit_code, opened_output, render
from scanner.cli.params import ByteSize, KindList, inventory_option, rules_options
from scanner.cli.progress import terminal_progress
from scanner.engine import ScanResult
from scanner.model import Kind
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
        click.option(
            "--exhaustive",
            is_flag=True,
            help="Hash every window, also keys glued to other text (slow).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1),
            default=os.cpu_count() or 1,
            show_default="CPUs",
        ),
        click.option(
            "--no-accelerator",
            is_flag=True,
            help="Use the pure-Python matchers even if Hyperscan is installed.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def run_scan(
    options: dict[str, Any], baseline: Path | None = None
) -> tuple[ScanResult, setup.ScanPlan]:
    """Plan and run a scan from the shared options (see `scan_options`)."""
    plan = setup.plan(
        inventory_path=options["inventory_path"],
        matching=setup.MatchingOptions(
            exhaustive=options["exhaustive"], accelerate=not options["no_accelerator"]
        ),
        rules=setup.RuleOptions(options["rule_sources"], not options["no_builtin_rules"]),
        baseline=baseline,
    )
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
    return result, plan


@click.command()
@scan_options
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option(
    "--output", type=click.Path(path_type=Path), help="Write the report here instead of stdout."
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Do not report unmanaged findings recorded in this baseline file.",
)
@click.option(
    "--fail-on",
    type=KindList(),
    default=",".join(sorted(k.value for k in DEFAULT_FAIL_ON)),
    show_default=True,
)
def scan(
    output_format: str,
    output: Path | None,
    baseline: Path | None,
    fail_on: frozenset[Kind],
    **options: Any,
) -> None:
    """Scan files, folders (recursively) or `-` (standard input) for copies of inventory keys
    and for credentials of well-known formats."""
    result, plan = run_scan(options, baseline)
    with opened_output(output) as out:
        render(result, output_format, out, {key.id: key for key in plan.inventory.keys})
    click.get_current_context().exit(exit_code(result, fail_on))
