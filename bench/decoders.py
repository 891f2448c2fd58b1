"""What the decoders cost and what they bound: throughput with decoders on vs off, memory.

    python bench/decoders.py [--corpus bench/out/corpus] [--runs 5] [--jobs 1] [--no-accelerator]
                             [--skip-throughput] [--skip-memory]

1. The bench corpus (bench/corpus.py, ~100 MB, no encoded content besides random base64
   decoys): `keysprawl scan` with decoders on (`--decode-depth 3`, the default) and off
   (`--decode-depth 0`), runs interleaved, medians, same process count.
2. The same corpus with 1% of its bytes turned into base64 blobs of text (Kubernetes-Secret
   style `data:` lines), 100 of them hiding an inventory key: throughput on vs off, and
   recall of those keys (found only through decoding, reported with `encodings: ["base64"]`).
3. Peak memory (max RSS of the scan process) on a 1 GiB single-line file (default limits,
   where it is skipped, and with `--max-file-size 2G`, where it is read and decoded) and on
   archive bombs (a zip and a gzip of 1 GiB of zeros, each ~1 MB).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import PLANTED_KEYS, generate, make_keys

SEED = 7  # corpus.py's default: the keys are re-derived, never written anywhere
KEY_COUNT = 10_000
GIB = 1024**3
# Reports the peak RSS of the command it runs (children included), then its exit code.
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    "sys.stderr.write(done.stderr.decode('utf-8', 'replace'))\n"
)


def scan_command(target: Path, inventory: Path) -> list[str]:
    return [sys.executable, "-m", "scanner", "scan", str(target), "--inventory", str(inventory)]


def run(command: list[str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[3:5])} failed: {done.stderr.decode()[-500:]}")
    return seconds, done.stdout


def on_and_off(base: list[str], runs: int) -> dict[str, tuple[float, bytes]]:
    """Median seconds of decoders on and off, runs interleaved so load hits both alike."""
    variants = {"on": ["--decode-depth", "3"], "off": ["--decode-depth", "0"]}
    run(base + variants["on"])  # warm the page cache and the inventory cache
    times: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, bytes] = {}
    for _ in range(runs):
        for name, extra in variants.items():
            seconds, outputs[name] = run(base + extra)
            times[name].append(seconds)
    return {name: (statistics.median(times[name]), outputs[name]) for name in variants}


def report(label: str, megabytes: float, figures: dict[str, tuple[float, bytes]]) -> None:
    on, off = figures["on"][0], figures["off"][0]
    print(
        f"{label}: decoders off {megabytes / off:.1f} MB/s ({off:.2f} s), "
        f"on {megabytes / on:.1f} MB/s ({on:.2f} s): decoders cost {100 * (on - off) / off:.1f}%"
        " of scan time"
    )


def records(output: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.decode().splitlines()]


def places(output: bytes, *, encoded: bool | None = None) -> set[tuple[object, object, object]]:
    """Where inventory keys were reported (decoded ones only, or undecoded only, or all)."""
    return {
        (r["location"]["path"], r["location"]["line"], r["key_id"])  # type: ignore[index]
        for r in records(output)
        if r["key_id"] is not None and (encoded is None or bool(r["encodings"]) == encoded)
    }


def unmanaged(output: bytes) -> int:
    return sum(1 for r in records(output) if r["kind"] == "unmanaged")


def corpus_megabytes(tree: Path) -> float:
    return sum(path.stat().st_size for path in tree.rglob("*") if path.is_file()) / 1e6


def with_base64_blobs(corpus: Path, out: Path) -> list[dict[str, object]]:
    """A copy of the corpus where ~1% of each file's bytes are base64 blobs of its own text;
    one blob in each of PLANTED_KEYS files also holds an inventory key."""
    rng = random.Random(SEED + 1)
    keys = make_keys(random.Random(SEED), KEY_COUNT)
    shutil.rmtree(out, ignore_errors=True)
    planted: list[dict[str, object]] = []
    files = sorted(path for path in (corpus / "tree").rglob("*") if path.is_file())
    plant_in = set(rng.sample(range(len(files)), PLANTED_KEYS))
    for number, source in enumerate(files):
        name = source.relative_to(corpus / "tree").as_posix()
        lines = source.read_text().splitlines()
        budget = len(source.read_bytes()) // 100
        key_index = rng.randrange(PLANTED_KEYS) if number in plant_in else None
        while budget > 0:
            text = "\n".join(rng.choices(lines, k=12))
            if key_index is not None:
                text += f"\nSERVICE_TOKEN={keys[key_index]}\n"
            blob = f"  data: {base64.b64encode(text.encode()).decode()}"
            at = rng.randrange(len(lines))
            lines.insert(at, blob)
            if key_index is not None:
                planted.append({"path": name, "line": at + 1, "key_id": f"bench-{key_index:05d}"})
                key_index = None
            budget -= len(blob)
        target = out / "tree" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")
    # Lines shift as blobs are inserted above a planted one: recompute from the files.
    return [_relocated(out / "tree", entry) for entry in planted]


def _relocated(tree: Path, entry: dict[str, object]) -> dict[str, object]:
    lines = (tree / str(entry["path"])).read_text().splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("  data: ") and b"SERVICE_TOKEN=" in _decoded(line[8:]):
            return {**entry, "line": number}
    raise AssertionError(f"planted blob lost in {entry['path']}")


def _decoded(blob: str) -> bytes:
    try:
        return base64.b64decode(blob)
    except ValueError:
        return b""


def peak_rss(command: list[str]) -> tuple[float, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, *command], capture_output=True, check=True
    )
    kilobytes, code = done.stdout.split()
    return int(kilobytes) / 1024, int(code), done.stderr.decode("utf-8", "replace")


def one_line_file(path: Path, corpus: Path) -> Path:
    if path.exists() and path.stat().st_size == GIB:
        return path
    sample = next((corpus / "tree").rglob("*.yaml")).read_bytes().replace(b"\n", b" ; ")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        written = 0
        while written < GIB:
            piece = sample[: GIB - written]
            out.write(piece)
            written += len(piece)
    return path


def zip_bomb(path: Path) -> Path:
    if not path.exists():
        zeros = b"\0" * (16 * 1024 * 1024)
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("zeros.txt", "w", force_zip64=True) as member,
        ):
            for _ in range(GIB // len(zeros)):
                member.write(zeros)
    return path


def gzip_bomb(path: Path) -> Path:
    if not path.exists():
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = b"\0" * (16 * 1024 * 1024)
        buffer = io.BytesIO()
        for _ in range(GIB // len(zeros)):
            buffer.write(compressor.compress(zeros))
        buffer.write(compressor.flush())
        path.write_bytes(buffer.getvalue())
    return path


def throughput(corpus: Path, runs: int, jobs: int, pure: bool) -> None:
    inventory = corpus / "inventory.toml"
    options = ["--format", "jsonl", "--jobs", str(jobs), *(["--no-accelerator"] if pure else [])]
    jobs_label = f"{jobs} job(s){', pure Python' if pure else ''}"
    megabytes = corpus_megabytes(corpus / "tree")
    figures = on_and_off([*scan_command(corpus / "tree", inventory), *options], runs)
    report(f"bench corpus, {megabytes:.1f} MB, {jobs_label}", megabytes, figures)
    planted = json.loads((corpus / "planted.json").read_text())
    expected = {(p["path"], p["line"], p["key_id"]) for p in planted}
    for name in ("on", "off"):
        found = places(figures[name][1])
        print(
            f"  decoders {name}: recall {len(found & expected)}/{len(expected)}, inventory "
            f"matches not planted {len(found - expected)}, unmanaged (rules) "
            f"{unmanaged(figures[name][1])}"
        )
    encoded_corpus = corpus.parent / "corpus-base64"
    planted_encoded = with_base64_blobs(corpus, encoded_corpus)
    megabytes = corpus_megabytes(encoded_corpus / "tree")
    figures = on_and_off([*scan_command(encoded_corpus / "tree", inventory), *options], runs)
    report(f"corpus with 1% base64 blobs, {megabytes:.1f} MB, {jobs_label}", megabytes, figures)
    expected = {(p["path"], p["line"], p["key_id"]) for p in planted_encoded}
    for name in ("on", "off"):
        found = places(figures[name][1], encoded=True)
        print(
            f"  decoders {name}: keys hidden in base64 found {len(found & expected)}/"
            f"{len(expected)}, other decoded inventory matches {len(found - expected)} (blobs "
            f"copy random lines, planted ones included), unmanaged (rules) "
            f"{unmanaged(figures[name][1])}"
        )


def memory(corpus: Path) -> None:
    inventory = corpus / "inventory.toml"
    out = corpus.parent / "decoders"
    out.mkdir(parents=True, exist_ok=True)
    big = one_line_file(out / "one-line-1g.txt", corpus)
    base = [*scan_command(big, inventory), "--format", "jsonl", "--jobs", "1"]
    for label, extra in {
        "default --max-file-size 50M (skipped, noted)": [],
        "--max-file-size 2G, decoders off": ["--max-file-size", "2G", "--decode-depth", "0"],
        "--max-file-size 2G, decoders on": ["--max-file-size", "2G"],
    }.items():
        started = time.perf_counter()
        megabytes, code, _ = peak_rss(base + extra)
        seconds = time.perf_counter() - started
        print(
            f"1 GiB single-line file, {label}: peak RSS {megabytes:.0f} MB, exit {code}, {seconds:.1f} s"
        )
    for bomb in (zip_bomb(out / "bomb.zip"), gzip_bomb(out / "bomb.txt.gz")):
        size = bomb.stat().st_size / 1e6
        megabytes, code, stderr = peak_rss([*scan_command(bomb, inventory), "--format", "jsonl"])
        said = next((line for line in stderr.splitlines() if "bomb" in line), "no message")
        print(
            f"{bomb.name} ({size:.1f} MB, 1 GiB of zeros inside): peak RSS {megabytes:.0f} MB, "
            f"exit {code}: {said.strip()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-accelerator", action="store_true", help="the pure-Python path")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    arguments = parser.parse_args()
    if not (arguments.corpus / "planted.json").exists():
        generate(arguments.corpus, seed=SEED, key_count=KEY_COUNT)
    if not arguments.skip_throughput:
        throughput(arguments.corpus, arguments.runs, arguments.jobs, arguments.no_accelerator)
    if not arguments.skip_memory:
        memory(arguments.corpus)


if __name__ == "__main__":
    main()
