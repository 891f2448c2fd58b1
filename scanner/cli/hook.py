"""`keysprawl hook`: the pre-commit (and pre-push) check, on a fast path without click.

A developer pays this on every commit, so it imports only what it needs: argparse, the
inventory (validated form cached), the matcher (compiled databases cached) and git plumbing;
the report formats only when there is something to report. `scanner.entry` sends `hook` here
before click is ever imported. `python -X importtime -m scanner hook` shows what it loads.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.git_staged import StagedConnector, push_revisions
from scanner import engine, setup
from scanner.cli.outcome import exit_code, without_allowed
from scanner.errors import ExitCode, KeysprawlError, UsageError
from scanner.policy import FailOn

if TYPE_CHECKING:
    from connectors.base import Connector
    from scanner.engine import ScanResult
    from scanner.inventory import Inventory

DEBUG_ENV = "KEYSPRAWL_DEBUG"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keysprawl hook",
        description="Stop a commit (or push) that adds a copy of an inventory key.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--stage", choices=("pre-commit", "pre-push"), default="pre-commit", help="git hook stage"
    )
    parser.add_argument("--inventory", metavar="FILE", help="inventory file")
    parser.add_argument(
        "--rules",
        metavar="PATH",
        action="append",
        default=[],
        help="extra rules: folder, rule file or gitleaks config (repeatable)",
    )
    parser.add_argument("--no-builtin-rules", action="store_true", help="only the --rules given")
    parser.add_argument("--baseline", metavar="FILE", help="baseline of accepted findings")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text")
    parser.add_argument("--fail-on", default="exposure,stale,unmanaged", metavar="KINDS")
    # pre-commit passes the staged file names; the staged patch already says what changed.
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    return parser


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, sized without `shutil` (whose import pulls in bz2 and lzma):
    argparse builds a formatter for every `add_argument`, so the hook would pay it each run."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)


def _terminal_columns() -> int:
    """What `shutil.get_terminal_size().columns` says: $COLUMNS, the terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def run(argv: Sequence[str]) -> None:
    """The hook's own error boundary (the click one is not loaded): one line, one exit code."""
    try:
        code = _hook(parser().parse_args(argv))
    except KeysprawlError as error:
        print(f"keysprawl: {error}", file=sys.stderr)
        code = error.exit_code
    except BrokenPipeError:
        code = ExitCode.CLEAN
    except Exception as error:  # a bug: one line, never values from the frame
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"keysprawl: internal error ({type(error).__name__})", file=sys.stderr)
        code = ExitCode.INCOMPLETE
    sys.exit(int(code))


def _hook(arguments: argparse.Namespace) -> ExitCode:
    try:
        fail_on = FailOn.parse(arguments.fail_on)
    except ValueError as error:
        raise UsageError(f"--fail-on: {error} is not a kind or severity") from None
    plan = setup.plan(
        inventory_path=arguments.inventory,
        matching=setup.MatchingOptions(),
        rules=setup.RuleOptions(
            tuple(Path(path) for path in arguments.rules), not arguments.no_builtin_rules
        ),
        baseline=Path(arguments.baseline) if arguments.baseline else None,
    )
    result = engine.scan(
        [_connector(arguments.stage)],
        detectors=plan.detectors,
        classifier=plan.classifier,
        suppressions=plan.suppressions,
    )
    result = without_allowed(result)
    _report(result, arguments.format, plan.inventory)
    return exit_code(result, fail_on)


def _report(result: ScanResult, output_format: str, inventory: Inventory) -> None:
    # deferred: in text a clean commit (the usual case) prints nothing and loads no report
    # module; JSON Lines always goes through its renderer (no summary line: clean is empty).
    if output_format == "jsonl":
        from scanner.cli.output import render

        render(result, "jsonl", sys.stdout, {key.id: key for key in inventory.keys})
    elif result.findings or result.problems:
        from scanner.report.hook_text import render_hook

        render_hook(result, sys.stderr, {key.id: key for key in inventory.keys})


def _connector(stage: str) -> Connector:
    root = Path.cwd()
    if stage == "pre-commit":
        return StagedConnector(root)
    from connectors.git import GitConnector, GitScanOptions  # history reading: pre-push only

    revisions = _pushed_revisions()
    options = GitScanOptions(worktree=False, branches=revisions or ("HEAD", "--not", "--remotes"))
    return GitConnector(str(root), options)


def _pushed_revisions() -> tuple[str, ...]:
    """From the pre-commit framework's variables, else from git's pre-push standard input."""
    source, target = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if target:
        return push_revisions([f"- {target} - {source or '0' * 40}"])
    if sys.stdin is None or sys.stdin.isatty():
        return ()
    return push_revisions(sys.stdin.read().splitlines())
