"""Start-up cost: what every keysprawl command pays before it reads a byte.

    python bench/startup.py [--inventory bench/out/corpus/inventory.toml] [--runs 21]
                            [--reference OTHER/bin/keysprawl]

Medians of --runs rounds, wall and CPU (user + system of the child) milliseconds, of:
`python -c pass` (the interpreter alone), `keysprawl --version` (click and the command group),
`keysprawl scan ONE` (a folder holding one 20-line file: imports, the built-in rules, the
matchers built) and the same with --inventory (the 10,000-key inventory of bench/corpus.py,
from its cache). Each round
runs every command once, so load on a shared machine weighs on all of them alike. With
--reference (another install's `keysprawl`, e.g. a venv of an older commit) its commands run
in the same rounds: before and after, measured together. Caches are warmed first.
Figures: bench/RESULTS-git.md ("Start-up").
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
KEYSPRAWL = Path(sys.executable).parent / "keysprawl"


def bench_env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEYSPRAWL_")}
    clean.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    clean["KEYSPRAWL_CACHE_DIR"] = str(OUT / "cache")
    return clean


def run_once(command: list[str], cwd: Path | None) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=bench_env(), capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def interleaved(
    commands: dict[str, list[str]], runs: int, cwd: Path | None = None
) -> dict[str, dict[str, float]]:
    """Median wall and CPU milliseconds of each command, over `runs` rounds of all of them, and
    the fastest wall time (on a shared machine, the closest to what an idle one would show)."""
    for command in commands.values():
        run_once(command, cwd)  # warm-up: bytecode, caches, page cache
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run_once(command, cwd))
    return {
        name: {
            "wall_ms": statistics.median(wall for wall, _ in runs_of) * 1000,
            "cpu_ms": statistics.median(cpu for _, cpu in runs_of) * 1000,
            "wall_min_ms": min(wall for wall, _ in runs_of) * 1000,
        }
        for name, runs_of in samples.items()
    }


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def commands(keysprawl: Path, one: Path, inventory: Path, label: str) -> dict[str, list[str]]:
    scan = [str(keysprawl), "scan", str(one)]
    return {
        f"{label}keysprawl --version": [str(keysprawl), "--version"],
        f"{label}keysprawl scan ONE": scan,
        f"{label}keysprawl scan ONE --inventory (10,000 keys)": [
            *scan,
            "--inventory",
            str(inventory),
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", type=Path, default=OUT / "corpus" / "inventory.toml")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--reference", type=Path, help="another install's keysprawl executable")
    arguments = parser.parse_args()
    if not arguments.inventory.exists():
        sys.exit(f"{arguments.inventory}: not found (python bench/corpus.py writes it)")
    with tempfile.TemporaryDirectory() as one:
        lines = "".join(f"value_{n} = lookup('name-{n}', retries={n})\n" for n in range(20))
        (Path(one) / "settings.py").write_text(lines)
        measured = {"python -c pass": [sys.executable, "-c", "pass"]}
        if arguments.reference:
            measured |= commands(arguments.reference, Path(one), arguments.inventory, "before: ")
        measured |= commands(KEYSPRAWL, Path(one), arguments.inventory, "")
        print(f"load average before: {load_average()}")
        figures = interleaved(measured, arguments.runs)
    print(f"load average after: {load_average()}; medians of {arguments.runs} rounds")
    for name, figure in figures.items():
        print(
            f"{name:56} {figure['wall_ms']:6.1f} ms wall (fastest {figure['wall_min_ms']:6.1f})"
            f" {figure['cpu_ms']:6.1f} ms CPU"
        )


if __name__ == "__main__":
    main()
