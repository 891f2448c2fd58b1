"""Shared test helpers: keys generated at test time (never committed) and a CLI runner."""

from __future__ import annotations

import multiprocessing.util
import os
import secrets
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from detectors.base import DetectorSpec
from detectors.fingerprint_matcher import Target
from detectors.rule_model import NO_RULES, RuleSet
from scanner.charsets import charset_of
from scanner.fingerprint import Fingerprinter, preview, preview_tail

ALNUM = string.ascii_letters + string.digits


def random_key(length: int = 40, prefix: str = "", alphabet: str = ALNUM) -> str:
    """A fresh high-entropy value; tests plant these and then search outputs for them."""
    body = "".join(secrets.choice(alphabet) for _ in range(length - len(prefix)))
    return prefix + body


def detector_spec(keys: list[str], rules: RuleSet = NO_RULES) -> DetectorSpec:
    """Detectors for inventory keys given by value (fingerprints and previews computed here)
    and, optionally, rules."""
    targets = tuple(
        Target(
            Fingerprinter().digest(key.encode()),
            len(key),
            charset_of(key.encode()),
            preview_tail(preview(key.encode())),
        )
        for key in keys
    )
    return DetectorSpec(targets, rules=rules)


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_keysprawl(
    *args: str | Path,
    stdin: str | bytes = b"",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> CliResult:
    """Run the real console command in a subprocess, as a user would."""
    # The caller's own KEYSPRAWL_* settings must not leak into a test.
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KEYSPRAWL_") or key == "KEYSPRAWL_CACHE_DIR"
    }
    full_env.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "scanner", *map(str, args)],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
        check=False,
    )
    return CliResult(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache folder."""
    os.environ["KEYSPRAWL_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def _exit_handlers_left_alone() -> Iterator[None]:
    """No test runs this process's exit handlers: once they have run, multiprocessing takes
    the process for one that is ending, and a history reader forked by a later test would not
    wait for its results to leave it."""
    yield
    assert not multiprocessing.util._exiting, "a test ran the test process's exit handlers"


@pytest.fixture
def keysprawl() -> Callable[..., CliResult]:
    return run_keysprawl


def add_key(
    inventory: Path, key_id: str, value: str, *extra: str, env: dict[str, str] | None = None
) -> None:
    """Add a key with complete lifecycle details through the real CLI."""
    result = run_keysprawl(
        "inventory",
        "add",
        key_id,
        "--inventory",
        inventory,
        "--owner",
        "platform-team",
        "--purpose",
        "test key",
        "--scope",
        "tests",
        "--provider",
        "internal",
        "--rotate-every",
        "90d",
        "--revoke",
        "https://runbooks.example/revoke",
        *extra,
        stdin=value,
        env=env,
    )
    assert result.code == 0, result.stderr


def files_containing(root: Path, values: list[str]) -> list[Path]:
    """Every file under root whose bytes hold any of the values (should be none)."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(value.encode() in data for value in values):
                hits.append(path)
    return hits
