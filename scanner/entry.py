"""The console entry point. Kept free of imports so each command loads only what it needs."""

from __future__ import annotations


def main() -> None:
    from scanner.cli.main import run

    run()
