"""Remote connectors against local fakes with a simulated round trip: requests and time.

    python bench/remote_sources.py [--runs 5] [--latency 0.02]

For each service the real client library reads a synthetic organization through the fake
API (tests/fakes) that waits `--latency` seconds per request, as a network would. Figures:
requests sent (fixed by the design: no request per issue or comment), items read, and the
median wall time of `--runs` runs with 4 workers beside the same run with 1 worker (the
reference, measured in the same process, so the ratio survives a noisy machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.github import GithubFake  # noqa: E402
from fakes.gitlab import GitlabFake  # noqa: E402
from fakes.jira import JiraFake  # noqa: E402
from fakes.server import FakeServer  # noqa: E402

from connectors.base import Connector, Tally  # noqa: E402
from connectors.github import GithubConnector, GithubSettings, GithubTarget  # noqa: E402
from connectors.gitlab import GitlabConnector, GitlabSettings  # noqa: E402
from connectors.http import HttpPolicy  # noqa: E402
from connectors.jira import JiraConnector, JiraSettings  # noqa: E402

REPOS, ISSUES, COMMENTS, JIRA_ISSUES = 12, 150, 300, 600


def github(server: FakeServer) -> Callable[[HttpPolicy], Connector]:
    fake = GithubFake(server)
    for n in range(REPOS):
        repo = fake.repo(f"r{n}")
        for i in range(ISSUES):
            fake.issue(repo, f"issue {i}")
        for c in range(COMMENTS):
            fake.comment(repo, f"comment {c}")
        repo.variables.append(fake.variable("A_VARIABLE", "x" * 20))
    fake.serve()
    return lambda http: GithubConnector(
        GithubTarget("acme"), GithubSettings(base_url=fake.base_url, http=http)
    )


def gitlab(server: FakeServer) -> Callable[[HttpPolicy], Connector]:
    fake = GitlabFake(server)
    group = fake.group("acme")
    for n in range(REPOS):
        project = fake.project(group, f"p{n}")
        for i in range(ISSUES):
            fake.issue(project, f"issue {i}", notes=["a note"] if i % 10 == 0 else [])
        project.variables.append(fake.variable("A_VARIABLE", "x" * 20))
    fake.serve()
    return lambda http: GitlabConnector("acme", GitlabSettings(url=fake.url, http=http))


def jira(server: FakeServer) -> Callable[[HttpPolicy], Connector]:
    fake = JiraFake(server, embedded=5)
    for i in range(JIRA_ISSUES):
        fake.issue(f"issue {i}", comments=[f"c{n}" for n in range(8 if i % 20 == 0 else 2)])
    fake.serve()
    return lambda http: JiraConnector("project = OPS", JiraSettings(url=fake.url, http=http))


def measure(make: Callable[[HttpPolicy], Connector], server: FakeServer, workers: int,
            runs: int) -> tuple[float, int, int]:  # fmt: skip
    times, requests, items = [], 0, 0
    policy = replace(HttpPolicy(), workers=workers, backoff=0.0)
    for _ in range(runs):
        server.log.clear()
        tally = Tally()
        started = time.perf_counter()
        items = sum(1 for _ in make(policy).chunks(tally))
        times.append(time.perf_counter() - started)
        requests = len(server.log)
        assert not tally.problems, tally.problems
    return statistics.median(times), requests, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    os.environ.update({"GITHUB_TOKEN": "bench", "GITLAB_TOKEN": "bench", "JIRA_TOKEN": "bench"})
    print(f"latency {args.latency * 1000:.0f} ms per request, median of {args.runs} runs")
    print(
        f"{'source':8} {'items':>6} {'requests':>8} {'1 worker':>9} {'4 workers':>9} {'speed-up':>8}"
    )
    for name, build in (("github", github), ("gitlab", gitlab), ("jira", jira)):
        with FakeServer() as server:
            make = build(server)
            server.latency = args.latency
            serial, requests, items = measure(make, server, 1, args.runs)
            parallel, _, _ = measure(make, server, 4, args.runs)
        print(f"{name:8} {items:6d} {requests:8d} {serial:8.2f}s {parallel:8.2f}s "
              f"{serial / parallel:7.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
