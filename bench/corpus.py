"""Generate the bench corpus: ~100 MB of source-like text, a 10,000-key inventory, planted copies.

    python bench/corpus.py [--out bench/out/corpus] [--megabytes 100] [--keys 10000] [--seed 7]

Writes OUT/tree/ (the text files), OUT/inventory.toml (fingerprints only) and
OUT/planted.json (where each planted copy is: file, line, key id; no values). The text is made
to be hard for the matcher: UUIDs, hex digests and base64 blobs of exactly the inventory's key
lengths appear everywhere, so most candidate windows are real work, not easy misses. Near-miss
values (one character changed) and longer tokens that contain a key are planted as decoys.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import string
import uuid
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
TOKEN = ALNUM + "_-"
# Ten key lengths across three alphabets, like an organization's mix of token formats.
KEY_SHAPES = [
    (24, ALNUM),
    (32, ALNUM),
    (36, TOKEN),
    (40, ALNUM),
    (44, TOKEN),
    (48, ALNUM),
    (52, TOKEN),
    (56, ALNUM),
    (60, TOKEN),
    (64, ALNUM),
]
PLANTED_KEYS = 100
FILE_BYTES = 256 * 1024


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10)))


def _line(rng: random.Random) -> str:
    shape = rng.randrange(9)
    if shape == 0:
        return f"    {_word(rng)}_{_word(rng)} = {_word(rng)}({_word(rng)}, {rng.randint(0, 9999)})"
    if shape == 1:
        return f'  "{_word(rng)}": "{uuid.UUID(int=rng.getrandbits(128))}",'
    if shape == 2:
        return f"commit {rng.getrandbits(160):040x} {_word(rng)} {_word(rng)}"
    if shape == 3:
        blob = base64.b64encode(rng.randbytes(33)).decode()
        return f"  {_word(rng)}: {blob}"
    if shape == 4:
        return f"# {' '.join(_word(rng) for _ in range(rng.randint(4, 12)))}"
    if shape == 5:
        return f"GET https://{_word(rng)}.example.com/{_word(rng)}?id={rng.getrandbits(64):x} 200"
    if shape == 6:
        return f"{_word(rng).upper()}_{_word(rng).upper()}={_word(rng)}-{rng.randint(1, 99)}"
    if shape == 7:
        digest = hashlib.sha256(rng.randbytes(8)).hexdigest()
        return f"sha256:{digest}  {_word(rng)}.tar.gz"
    return f"def {_word(rng)}(self, {_word(rng)}: int) -> str:"


def make_keys(rng: random.Random, count: int) -> list[str]:
    return [
        "".join(rng.choices(alphabet, k=length))
        for length, alphabet in (KEY_SHAPES[i % len(KEY_SHAPES)] for i in range(count))
    ]


def _charset(value: str) -> str:
    return "alnum" if set(value) <= set(ALNUM) else "token"


def write_inventory(path: Path, keys: list[str]) -> None:
    lines = ["version = 1", ""]
    for index, value in enumerate(keys):
        digest = hashlib.sha256(value.encode()).hexdigest()
        lines += [
            "[[keys]]",
            f'id = "bench-{index:05d}"',
            'owner = "bench-team"',
            'purpose = "benchmark"',
            'scope = "bench"',
            'rotate_every = "90d"',
            'revoke = "https://runbooks.example/bench"',
            "created = 2026-01-01",
            "[[keys.fingerprints]]",
            f'digest = "sha256:{digest}"',
            f"length = {len(value)}",
            f'charset = "{_charset(value)}"',
            f'preview = "…{value[-4:]}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _planting(rng: random.Random, value: str) -> str:
    return rng.choice(
        [
            f"API_KEY={value}",
            f'    token = "{value}"',
            f"  secret: '{value}'",
            f'  "key": "{value}",',
            f"export SERVICE_TOKEN={value}",
            f"url = https://svc:{value}@db.internal:5432/app",
        ]
    )


def _decoy(rng: random.Random, value: str) -> str:
    """A near-miss (one character changed) or a longer token that merely contains the key."""
    if rng.random() < 0.5:
        position = rng.randrange(len(value))
        changed = rng.choice([c for c in ALNUM if c != value[position]])
        return f"API_KEY={value[:position]}{changed}{value[position + 1 :]}"
    return f"API_KEY={value}{rng.choice(ALNUM)}{rng.choice(ALNUM)}"


def write_tree(
    root: Path, rng: random.Random, megabytes: int, keys: list[str]
) -> list[dict[str, object]]:
    pool = [_line(rng) for _ in range(200_000)]
    planted: list[dict[str, object]] = []
    file_count = max(1, megabytes * 1024 * 1024 // FILE_BYTES)
    plant_at = {rng.randrange(file_count) for _ in range(PLANTED_KEYS * 2)}
    for number in range(file_count):
        lines = rng.choices(pool, k=FILE_BYTES // 52)
        suffix = rng.choice(["py", "yaml", "json", "env", "log"])
        name = f"src/module{number // 50:03d}/file{number:05d}.{suffix}"
        if number in plant_at:
            key_index = rng.randrange(PLANTED_KEYS)
            lines.insert(
                rng.randrange(len(lines)), _decoy(rng, keys[(key_index + 1) % PLANTED_KEYS])
            )
            line = rng.randrange(len(lines))
            lines.insert(line, _planting(rng, keys[key_index]))
            planted.append({"path": name, "line": line + 1, "key_id": f"bench-{key_index:05d}"})
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted


def generate(out: Path, megabytes: int = 100, key_count: int = 10_000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    keys = make_keys(rng, key_count)
    (out / "tree").mkdir(parents=True, exist_ok=True)
    write_inventory(out / "inventory.toml", keys)
    planted = write_tree(out / "tree", rng, megabytes, keys)
    (out / "planted.json").write_text(json.dumps(planted, indent=1), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    generate(arguments.out, arguments.megabytes, arguments.keys, arguments.seed)
    print(f"corpus written to {arguments.out}")


if __name__ == "__main__":
    main()
