"""Fingerprint-matching throughput of `keysprawl scan` on the bench corpus, beside `cat`.

    python bench/scan_speed.py [--corpus bench/out/corpus] [--runs 5]

Generates the corpus first if it is missing (bench/corpus.py). Every figure is the median of
`--runs` runs of the whole command (start-up included), measured in the same run as the `cat`
reference, so the ratio survives a noisy machine. Also checks recall on the planted copies and
counts anything reported that was not planted (decoys are planted to tempt false positives).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, bytes]:
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        sys.exit(f"{command[:3]} failed: {completed.stderr.decode()[-500:]}")
    return elapsed, completed.stdout


def median_time(
    command: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, bytes]:
    results = [timed(command, env) for _ in range(runs)]
    return statistics.median(seconds for seconds, _ in results), results[-1][1]


def corpus_bytes(tree: Path) -> int:
    return sum(path.stat().st_size for path in tree.rglob("*") if path.is_file())


def recall(output: bytes, planted: list[dict[str, object]]) -> tuple[int, int]:
    found = {
        (r["location"]["path"], r["location"]["line"], r["key_id"])
        for r in map(json.loads, output.decode().splitlines())
    }
    expected = {(p["path"], p["line"], p["key_id"]) for p in planted}
    return len(found & expected), len(found - expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-exhaustive", action="store_true")
    arguments = parser.parse_args()
    if not (arguments.corpus / "planted.json").exists():
        generate(arguments.corpus)
    tree, inventory = arguments.corpus / "tree", arguments.corpus / "inventory.toml"
    planted = json.loads((arguments.corpus / "planted.json").read_text())
    megabytes = corpus_bytes(tree) / 1e6
    files = [str(p) for p in tree.rglob("*") if p.is_file()]
    cat_seconds, _ = median_time(["cat", *files], arguments.runs)
    scan = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(tree),
        "--inventory",
        str(inventory),
        "--format",
        "jsonl",
    ]
    # The fingerprint path alone (this figure): no rules, no decoders.
    fingerprints = ["--no-builtin-rules", "--decode-depth", "0"]
    variants = {
        "fingerprints, 1 job, Hyperscan": [*fingerprints, "--jobs", "1"],
        "fingerprints, 2 jobs, Hyperscan": [*fingerprints, "--jobs", "2"],
        "fingerprints, 1 job, pure Python": [*fingerprints, "--jobs", "1", "--no-accelerator"],
        "fingerprints, 2 jobs, pure Python": [*fingerprints, "--jobs", "2", "--no-accelerator"],
        "default (rules + decoders), 2 jobs": ["--jobs", "2"],
    }
    print(
        f"corpus: {megabytes:.1f} MB in {len(files)} files, 10,000-key inventory, {len(planted)} planted copies"
    )
    print(f"cat: {cat_seconds:.3f} s ({megabytes / cat_seconds:.0f} MB/s)")
    timed([*scan, "--jobs", "1"])  # warm the page cache and the parsed-inventory cache
    for name, extra in variants.items():
        seconds, output = median_time(scan + extra, arguments.runs)
        hits, extra_found = recall(output, planted)
        print(
            f"keysprawl scan, {name}: {seconds:.3f} s = {megabytes / seconds:.1f} MB/s "
            f"({seconds / cat_seconds:.1f}x cat); recall {hits}/{len(planted)}, other reports {extra_found}"
        )
    cold_env = {**os.environ, "KEYSPRAWL_CACHE_DIR": ""}
    seconds, _ = median_time([*scan, *fingerprints, "--jobs", "2"], arguments.runs, cold_env)
    print(
        f"keysprawl scan, fingerprints, 2 jobs, inventory cache off: {seconds:.3f} s = {megabytes / seconds:.1f} MB/s"
    )
    if not arguments.skip_exhaustive:
        exhaustive(arguments.corpus, inventory, cat_seconds / megabytes)


def exhaustive(corpus: Path, inventory: Path, cat_seconds_per_mb: float) -> None:
    """On one module folder (~12 MB): every window is hashed, so this is far slower."""
    folder = corpus / "tree" / "src" / "module000"
    megabytes = corpus_bytes(folder) / 1e6
    command = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(folder),
        "--inventory",
        str(inventory),
        "--format",
        "jsonl",
        "--jobs",
        "2",
        "--no-builtin-rules",
        "--decode-depth",
        "0",
    ]
    bounded, _ = median_time(command, 3)
    every, output = median_time([*command, "--exhaustive"], 3)
    found = len(output.decode().splitlines())
    print(
        f"on {megabytes:.1f} MB: bounded {megabytes / bounded:.1f} MB/s, --exhaustive "
        f"{megabytes / every:.1f} MB/s ({every / bounded:.0f}x slower), {found} copies reported "
        "(includes keys glued to 2 extra characters, planted as decoys for the bounded mode)"
    )


if __name__ == "__main__":
    main()
