"""The console entry point: start-up objects are left out of later collections, which run;
the process ends at once when the command is done, after what Python's shutdown would do
that matters."""

from __future__ import annotations

import atexit
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import entry


class Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _exit_now(status: int) -> None:
    raise Exited(status)


@pytest.fixture
def restored_collector() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.usefixtures("restored_collector")
@pytest.mark.parametrize("argv", [["keysprawl", "--version"], ["keysprawl", "hook", "--help"]])
def test_the_collector_runs_again_once_imports_are_done(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", argv)
    monkeypatch.setattr(os, "_exit", _exit_now)
    handlers_run: list[bool] = []  # this is the test process: its exit handlers are not run
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: handlers_run.append(True))
    with pytest.raises(Exited) as exited:
        entry.main()
    assert exited.value.status == 0 and handlers_run == [True]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (3, 3), ("bad news", 1)])
def test_leaving_runs_the_exit_handlers_and_keeps_the_status(
    code: object, status: int, tmp_path: Path
) -> None:
    """In a process of its own: the exit handlers run once (they are this process's)."""
    ran = tmp_path / "ran"
    script = (
        "import atexit, pathlib; from scanner import entry; "
        f"atexit.register(pathlib.Path({str(ran)!r}).write_text, 'handler'); "
        f"entry.leave({code!r})"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=False, timeout=60
    )
    assert completed.returncode == status and ran.read_text() == "handler"
    assert completed.stderr == (b"bad news\n" if code == "bad news" else b"")


def test_a_thread_still_working_gets_the_ordinary_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    monkeypatch.setattr(os, "_exit", _exit_now)
    try:
        with pytest.raises(SystemExit) as exited:
            entry.leave(3)
    finally:
        release.set()
        worker.join()
    assert exited.value.code == 3


def test_output_written_just_before_the_end_reaches_a_pipe_whole(tmp_path: Path) -> None:
    """Buffered standard output is flushed before the process ends (a report of 1 MB+)."""
    big = tmp_path / "big.txt"
    big.write_text("".join(f"line {n}\n" for n in range(200_000)))
    script = (
        "import sys; from scanner import entry; "
        f"sys.stdout.write(open({str(big)!r}).read()); entry.leave(1)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=False, timeout=60
    )
    assert completed.returncode == 1
    assert completed.stdout == big.read_bytes()


def test_a_profiler_still_writes_its_results(tmp_path: Path) -> None:
    """`python -m cProfile` writes its file after the program returns: no early end then."""
    written = tmp_path / "profile.out"
    completed = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(written), "-m", "scanner", "--version"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0 and b"keysprawl" in completed.stdout
    assert written.stat().st_size > 0
