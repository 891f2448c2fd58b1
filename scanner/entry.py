"""The console entry point. Kept free of imports so each command loads only what it needs."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from typing import NoReturn


def main() -> NoReturn:
    try:
        _command()
    except SystemExit as stop:
        leave(stop.code)
    leave(0)


def _command() -> None:
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
    if sys.argv[1:2] == ["scan"]:
        # Git walks a repository's history while the scan loads its modules (~75 ms of a
        # scan's start), instead of after: see connectors.git_early.
        from connectors.git_early import ask_early

        ask_early(sys.argv[2:])
    from scanner.cli.main import run

    _collect_from_here()
    run()


def _collect_from_here() -> None:
    gc.freeze()
    gc.enable()


def leave(code: object) -> NoReturn:
    """Ends the process once the command is done, with `code` as `sys.exit` reads it.

    What Python's own shutdown does that matters here is done first: the exit handlers
    (logging, temporary folders, multiprocessing) and flushing the standard streams. Then
    the process ends without taking every module apart object by object, which cost 13 ms
    after a scan's last line was written (bench/RESULTS-git.md). A thread other than a
    daemon still running (none does once a command returns), or a profiler or tracer
    watching (`python -m cProfile`, coverage: they write their results after the program
    returns), gets the ordinary shutdown."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else int(code is not None)
    if _threads_still_working() or sys.getprofile() or sys.gettrace():
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()  # a reader that closed the pipe early is no error (exit code kept)
    os._exit(status)


def _threads_still_working() -> bool:
    threading = sys.modules.get("threading")  # not imported: no other thread was started
    if threading is None:
        return False
    main_thread = threading.main_thread()
    return any(t is not main_thread and not t.daemon for t in threading.enumerate())
