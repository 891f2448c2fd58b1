"""The nightly sweep: first sweep, an unchanged second one, and one with a single new commit.

    python bench/sweep.py [--repos 50] [--commits 200] [--runs 3] [--reference CHECKOUT]
                          [--out bench/out/sweep]

Builds N local repositories (git fast-import, random text, a few planted inventory keys), a
fake Jira on 127.0.0.1 with 300 issues (the tests' fake, driven by the real `jira` client),
and a keysprawl.toml listing them all. Reports the median wall time, CPU seconds (user +
system, children included) and peak RSS (`/usr/bin/time`) of `--runs` sweeps of each kind
(the first of all runs finds no matcher cache, so medians are of warm runs when runs >= 3):
first (each from an empty store), unchanged, and one new commit in one repository (a
different one each run); and the peak RSS of a first sweep of a fifth of the sources, to show
memory stays flat as sources are added. Target: the unchanged sweep under a tenth of the
first.

With `--reference CHECKOUT` (another keysprawl source tree, e.g. a `git worktree` of an older
commit), the same sweeps run with that code too (PYTHONPATH, its own store and cache),
interleaved with this tree's in the same rounds, so the two are compared under the same load.

keysprawl's own modules are byte-compiled first, as in an installed package: this machine
sets PYTHONDONTWRITEBYTECODE, so an editable install would otherwise compile them on every
start (~0.15 s more per sweep; the libraries in site-packages are compiled by pip).
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import shutil
import statistics
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from corpus import write_inventory
from fakes.jira import JiraFake
from fakes.server import FakeServer

ALNUM = string.ascii_letters + string.digits
TIME = ("/usr/bin/time", "-f", "TIME %U %S %M")  # CPU seconds include the git children


def fast_import_stream(rng: random.Random, commits: int, planted: str) -> bytes:
    out = []
    for number in range(1, commits + 1):
        lines = [
            " ".join("".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(8))
            for _ in range(40)
        ]
        if number == commits // 2:
            lines.append(f"API_KEY={planted}")
        content = ("\n".join(lines) + "\n").encode()
        message = f"change {number}\n".encode()
        out.append(b"commit refs/heads/main\n")
        out.append(b"committer Dev <dev@example.com> %d +0000\n" % (1_700_000_000 + number * 60))
        out.append(b"data %d\n%s" % (len(message), message))
        out.append(
            b"M 100644 inline file%d.txt\ndata %d\n%s\n" % (number % 20, len(content), content)
        )
    return b"".join(out)


def make_repo(path: Path, rng: random.Random, commits: int, planted: str) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input=fast_import_stream(rng, commits, planted),
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)


def add_commit(repo: Path, name: str, text: str) -> None:
    """One new commit (a file holding an inventory key) for the third sweep to find."""
    (repo / name).write_text(text)
    git = ["git", "-C", str(repo), "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run([*git, "add", name], check=True)
    subprocess.run([*git, "commit", "-q", "-m", f"add {name}"], check=True)


def write_config(root: Path, repos: list[Path], jira_url: str) -> Path:
    config = root / "keysprawl.toml"
    text = [
        'inventory = "inventory.toml"',
        "[store]",
        'path = "state.db"',
        "[sweep]",
        "concurrency = 4",
        "retry_delay = 0",
    ]
    for repo in repos:
        text += ["[[sources]]", 'kind = "git"', f'path = "{repo}"']
    text += ["[[sources]]", 'kind = "jira"', 'jql = "project = OPS"', f'url = "{jira_url}"']
    config.write_text("\n".join(text) + "\n")
    return config


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu: float  # user + system, the git processes included
    rss_kb: int
    summary: str


def timed_sweep(config: Path, env: dict[str, str]) -> Timed:
    started = time.perf_counter()
    completed = subprocess.run(
        [*TIME, sys.executable, "-m", "scanner", "sweep", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.parent,  # not this tree: `-m` puts the working folder first on sys.path
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        sys.exit(
            f"sweep failed ({completed.returncode}): {completed.stdout[-400:]} {completed.stderr[-800:]}"
        )
    user, system, rss = re.findall(r"^TIME (\S+) (\S+) (\d+)$", completed.stderr, re.M)[-1]
    return Timed(seconds, float(user) + float(system), int(rss), completed.stdout.splitlines()[0])


def median(runs: list[Timed]) -> Timed:
    middle = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    return Timed(
        statistics.median(run.seconds for run in runs),
        statistics.median(run.cpu for run in runs),
        int(statistics.median(run.rss_kb for run in runs)),
        middle.summary,
    )


def fresh_store(root: Path) -> None:
    for path in root.glob("state.db*"):
        path.unlink()


@dataclass(frozen=True)
class Install:
    name: str
    config: Path
    env: dict[str, str]


def install(name: str, root: Path, code: Path | None, repos: list[Path], url: str) -> Install:
    """A folder with its own config, store and cache; `code` on PYTHONPATH if given."""
    folder = root / name
    folder.mkdir()
    (folder / "inventory.toml").write_text((root / "inventory.toml").read_text())
    env = {**os.environ, "JIRA_TOKEN": "bench-token", "KEYSPRAWL_CACHE_DIR": str(folder / "cache")}
    env.pop("JIRA_EMAIL", None)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return Install(name, write_config(folder, repos, url), env)


def compile_package(tree: Path) -> None:
    for folder in ("scanner", "connectors", "detectors"):
        compileall.compile_dir(tree / folder, quiet=1)


def serve_jira(server: FakeServer, rng: random.Random) -> None:
    jira = JiraFake(server)
    for n in range(300):
        words = " ".join(rng.choices(["deploy", "error", "timeout", "config"], k=30))
        jira.issue(f"ticket {n}: {words}", comments=[f"comment {c}" for c in range(3)])
    jira.serve()


Rounds = dict[str, dict[str, list[Timed]]]


def measure(installs: list[Install], repos: list[Path], keys: list[str], runs: int) -> Rounds:
    kinds = ("first (full)", "second (nothing changed)", "third (one new commit)")
    timed: Rounds = {i.name: {kind: [] for kind in kinds} for i in installs}
    for _ in range(runs):
        for each in installs:
            fresh_store(each.config.parent)
            timed[each.name][kinds[0]].append(timed_sweep(each.config, each.env))
    for _ in range(runs):
        for each in installs:
            timed[each.name][kinds[1]].append(timed_sweep(each.config, each.env))
    for n in range(runs):
        add_commit(repos[n % len(repos)], f"new{n}.txt", f"TOKEN={keys[999 - n]}\n")
        for each in installs:
            timed[each.name][kinds[2]].append(timed_sweep(each.config, each.env))
    return timed


def report(timed: Rounds) -> None:
    for name, kinds in timed.items():
        print(f"-- {name}")
        medians = {kind: median(runs) for kind, runs in kinds.items()}
        for kind, result in medians.items():
            print(
                f"{kind:26} {result.seconds:6.2f} s  cpu {result.cpu:6.2f} s"
                f"  peak RSS {result.rss_kb / 1024:6.1f} MB  | {result.summary}"
            )
        first, second = medians["first (full)"], medians["second (nothing changed)"]
        print(
            f"unchanged / first: {second.seconds / first.seconds:.3f} wall,"
            f" {second.cpu / first.cpu:.3f} cpu  (target < 0.10)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference", type=Path, help="another keysprawl tree to compare")
    parser.add_argument("--out", type=Path, default=Path("bench/out/sweep"))
    arguments = parser.parse_args()
    compile_package(Path(__file__).parent.parent)
    if arguments.reference:
        compile_package(arguments.reference)
    shutil.rmtree(arguments.out, ignore_errors=True)
    arguments.out.mkdir(parents=True)
    root = arguments.out.resolve()
    rng = random.Random(11)
    keys = ["".join(rng.choices(ALNUM, k=40)) for _ in range(1000)]
    write_inventory(root / "inventory.toml", keys)
    repos = [root / f"repo{n:02d}" for n in range(arguments.repos)]
    for n, repo in enumerate(repos):
        make_repo(repo, rng, arguments.commits, keys[n])
    runs = max(1, arguments.runs)
    with FakeServer() as server:
        serve_jira(server, rng)
        installs = [install("this", root, None, repos, server.url)]
        if arguments.reference:
            installs.append(
                install("reference", root, arguments.reference.resolve(), repos, server.url)
            )
        fifth_count = max(1, arguments.repos // 5)
        small = install("small", root, None, repos[:fifth_count], server.url)
        print(
            f"{arguments.repos} repositories x {arguments.commits} commits, 1,000-key inventory,"
            f" fake Jira with 300 issues; medians of {runs} runs"
        )
        timed = measure(installs, repos, keys, runs)
        fifths = []
        for _ in range(runs):
            fresh_store(small.config.parent)
            fifths.append(timed_sweep(small.config, small.env))
    report(timed)
    print(
        f"first sweep peak RSS (this tree): {fifth_count}"
        f" repositories + Jira {median(fifths).rss_kb / 1024:.1f} MB;"
        f" all {len(repos)}: {median(timed['this']['first (full)']).rss_kb / 1024:.1f} MB"
    )


if __name__ == "__main__":
    main()
