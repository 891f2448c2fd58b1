"""The console entry point. Kept free of imports so each command loads only what it needs."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # Imports build only long-lived objects (modules, classes, functions): the cyclic
    # collector would walk them dozens of times meanwhile and find nothing to free (~5 ms of
    # the hook's CPU time). It runs as usual afterwards, leaving them out of every collection.
    gc.disable()
    # The pre-commit hook runs on every commit: it takes a path that never imports click.
    if sys.argv[1:2] == ["hook"]:
        from scanner.cli.hook import run as run_hook

        _collect_from_here()
        run_hook(sys.argv[2:])
        return
    from scanner.cli.main import run

    _collect_from_here()
    run()


def _collect_from_here() -> None:
    gc.freeze()
    gc.enable()
