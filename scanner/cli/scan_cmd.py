"""`keysprawl scan`: the engine on files, folders and standard input."""

from __future__ import annotations

import os
from pathlib import Path

import click

from scanner import engine, setup
from scanner import inventory as inventory_module
from scanner.cli.output import DEFAULT_FAIL_ON, FORMATS, exit_code, opened_output, render
from scanner.cli.params import ByteSize, KindList, inventory_option
from scanner.cli.progress import terminal_progress
from scanner.model import Kind
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
@click.option(
    "--fail-on",
    type=KindList(),
    default=",".join(sorted(k.value for k in DEFAULT_FAIL_ON)),
    show_default=True,
)
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
    fail_on: frozenset[Kind],
) -> None:
    """Scan files, folders (recursively) or `-` (standard input) for copies of inventory keys."""
    loaded = inventory_module.load(inventory_module.resolve_path(inventory_path))
    options = TargetOptions(max_file_size=max_file_size)
    connectors = [connector_for(target, options) for target in targets]
    matching = setup.MatchingOptions(
        exhaustive=exhaustive, accelerate=not no_accelerator, decode_depth=decode_depth
    )
    with terminal_progress() as progress:
        result = engine.scan(
            connectors,
            detectors=setup.detector_spec(loaded, matching),
            classifier=setup.classifier(loaded),
            jobs=jobs,
            progress=progress,
        )
    with opened_output(output) as out:
        render(result, output_format, out, {key.id: key for key in loaded.keys})
    click.get_current_context().exit(exit_code(result, fail_on))
