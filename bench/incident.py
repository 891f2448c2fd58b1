"""What an incident costs over a plain scan of the same repository with every object.

    python bench/incident.py [--commits 2000] [--runs 3] [--jobs 2]

Builds a synthetic repository with `bench/git_repo.py` (planted copies of inventory keys in
history, branches, a tag keeping a deleted branch's commits), then measures, as medians of
`--runs` whole-command runs in the same session:
- `scan REPO --all-objects --format jsonl` (the reference: the same objects, matched once);
- `incident --scope` of that repository (the same scan, plus which copies are still present
  at ref tips, first copies, and the bundle: findings.jsonl, manifest, Markdown and HTML).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def timed(*args: str | Path, cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(map(str, args[:4]))} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keysprawl-bench-incident-") as folder:
        root = Path(folder)
        repo = root / "repo"
        timed(HERE / "git_repo.py", repo, "--commits", str(options.commits), cwd=root)
        inventory = root / "repo.inventory.toml"
        scope = root / "scope.toml"
        scope.write_text(f'inventory = "{inventory}"\n[[sources]]\nkind = "git"\npath = "{repo}"\n')
        jobs = ("-j", str(options.jobs))
        scans, incidents = [], []
        for run in range(options.runs):
            scans.append(
                timed("-m", "scanner", "scan", repo, "--all-objects", "--format", "jsonl",
                      "--inventory", inventory, *jobs, cwd=root)
            )  # fmt: skip
            out = root / f"bundle{run}"
            incidents.append(
                timed("-m", "scanner", "incident", "--scope", scope, "--out", out, *jobs, cwd=root)
            )
            copies = len((out / "findings.jsonl").read_text().splitlines())
            shutil.rmtree(out)
    scan, incident = statistics.median(scans), statistics.median(incidents)
    print(f"repository: {options.commits} commits; {copies} copies in the bundle")
    print(f"scan --all-objects (reference): {scan:.2f} s (median of {options.runs})")
    print(f"incident:                       {incident:.2f} s (median of {options.runs})")
    print(f"ratio incident / scan:          {incident / scan:.2f}")


if __name__ == "__main__":
    main()
