"""Crash safety: a scan killed mid-run keeps what it committed; the next run loses nothing and
duplicates nothing.

The scan is stopped at a known point: the folder ends with a named pipe, which the scanner
blocks reading (no writer ever comes) after it has matched and committed the files before it.
Then the process gets SIGKILL, as an OOM killer or a cancelled CI job would send.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import add_key, random_key, run_keysprawl

# More than the engine reads ahead before it starts matching (two 4 MiB batches).
FILLER_FILES = 5
FILLER_BYTES = 3 * 1024 * 1024
SMALL_FILES = 600  # more than one commit batch of occurrences


def build(root: Path, value: str) -> list[str]:
    root.mkdir()
    names = []
    for index in range(FILLER_FILES):
        name = f"a-filler-{index}.txt"
        filler = (b"lorem ipsum dolor sit amet " * (FILLER_BYTES // 27)) + f"\n{value}\n".encode()
        (root / name).write_bytes(filler)
        names.append(name)
    for index in range(SMALL_FILES):
        name = f"m-{index:03}.env"
        (root / name).write_text(f"TOKEN={value}\n")
        names.append(name)
    return names


def committed(store: Path) -> set[str]:
    if not store.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
            rows = db.execute("SELECT json_extract(location, '$.path') FROM occurrences")
            return {row[0] for row in rows}
    except sqlite3.OperationalError:  # the schema is not created yet
        return set()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_killed_scan_resumes_without_loss_or_duplicates(tmp_path: Path):
    value = random_key()
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "pay", value)
    names = build(tmp_path / "src", value)
    os.mkfifo(tmp_path / "src" / "z-blocks.pipe")
    store = tmp_path / "state.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYSPRAWL_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "scan", "src", "--inventory", str(inventory),
         "--store", str(store), "--jobs", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not committed(store) and time.monotonic() < deadline:
            assert process.poll() is None, "the scan ended before it could be killed"
            time.sleep(0.05)
        time.sleep(0.3)  # let it reach the pipe with a batch maybe still uncommitted
        before = committed(store)
        assert before, "nothing was committed while the scan ran"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert before <= set(names)

    (tmp_path / "src" / "z-blocks.pipe").unlink()
    resumed = run_keysprawl(
        "scan", "src", "--inventory", inventory, "--store", store, "--jobs", "1", cwd=tmp_path
    )
    assert resumed.code == 1, resumed.stderr

    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        query = "SELECT json_extract(location, '$.path') FROM occurrences"
        paths = [row[0] for row in db.execute(query)]
        statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]
        exposures = db.execute("SELECT count(*) FROM exposures").fetchone()[0]
        linked = db.execute("SELECT count(*) FROM exposure_occurrences").fetchone()[0]
    assert sorted(paths) == sorted(names)  # every copy, each once
    assert statuses == ["interrupted", "complete"]
    assert (exposures, linked) == (1, len(names))
