"""What recording a scan in the state store costs, and how fast reports render from it.

    python bench/store_overhead.py [--files 5000] [--keys 50] [--runs 5]

Builds a folder of `--files` small files, each holding a copy of one of `--keys` inventory
keys (so every file is one occurrence, and each key an exposure with many places), then
measures, as medians of `--runs` whole-command runs in the same session:
- `scan` without a store (the reference);
- `scan --store` into a fresh store (every occurrence inserted);
- `scan --store` again into the same store (every occurrence found again: upserts);
- `report --format F` from the store, for each format.
Values are generated here and never leave the temporary folder.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ALPHABET = string.ascii_letters + string.digits
FORMATS = ("text", "json", "jsonl", "sarif", "csv", "markdown", "html")


def keysprawl(*args: str, cwd: Path, stdin: bytes = b"") -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scanner", *args], cwd=cwd, input=stdin, capture_output=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"keysprawl {' '.join(args[:2])} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def build(root: Path, files: int, keys: int) -> list[str]:
    values = ["".join(secrets.choice(ALPHABET) for _ in range(40)) for _ in range(keys)]
    for index, value in enumerate(values):
        keysprawl("inventory", "add", f"key-{index}", "--inventory", "inv.toml", "--owner",
                  f"team-{index % 7}", cwd=root, stdin=value.encode())  # fmt: skip
    tree = root / "tree"
    for index in range(files):
        folder = tree / f"d{index % 50:02}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{index:05}.env").write_text(
            f"# config {index}\nTOKEN={values[index % keys]}\n"
        )
    return values


def median(runs: int, *args: str, cwd: Path, fresh: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        if fresh is not None:
            for path in fresh.parent.glob(fresh.name + "*"):
                path.unlink()
        times.append(keysprawl(*args, cwd=cwd))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, options.files, options.keys)
        scan = ("scan", "tree", "--inventory", "inv.toml", "--format", "jsonl", "--jobs", "1")
        plain = median(options.runs, *scan, cwd=root)
        fresh = median(options.runs, *scan, "--store", "s.db", cwd=root, fresh=root / "s.db")
        keysprawl(*scan, "--store", "s.db", cwd=root)
        again = median(options.runs, *scan, "--store", "s.db", cwd=root)
        print(f"{options.files} files, {options.files} occurrences of {options.keys} keys;"
              f" medians of {options.runs} runs")  # fmt: skip
        print(f"scan, no store          {plain:7.2f} s   1.00x")
        print(f"scan --store (new)      {fresh:7.2f} s   {fresh / plain:.2f}x")
        print(f"scan --store (again)    {again:7.2f} s   {again / plain:.2f}x")
        print(f"store size              {(root / 's.db').stat().st_size / 1e6:7.2f} MB")
        for output_format in FORMATS:
            seconds = median(options.runs, "report", "--store", "s.db", "--status", "all",
                             "--format", output_format, cwd=root)  # fmt: skip
            print(f"report --format {output_format:8} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
