"""The console entry point. Kept free of imports so each command loads only what it needs."""

from __future__ import annotations

import sys


def main() -> None:
    # The pre-commit hook runs on every commit: it takes a path that never imports click.
    if sys.argv[1:2] == ["hook"]:
        from scanner.cli.hook import run as run_hook

        run_hook(sys.argv[2:])
        return
    from scanner.cli.main import run

    run()
