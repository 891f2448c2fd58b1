"""A synthetic repository with thousands of commits, built with `git fast-import` in seconds.

    python bench/git_repo.py OUT --commits 4000 [--files 200] [--seed 7]

Source-like files of ~20 KB (assignments holding UUIDs, hex digests and base64 values of the
inventory's key lengths, so the matcher has candidates everywhere); each commit edits one to
three files with a few added and removed lines, as real history does, so the unique blobs hold
far more bytes than the diffs. A few branches and tags (one branch deleted, its commits kept
only by a tag) and planted copies of inventory keys. Writes OUT (a repository) and
OUT.inventory.toml (1,000 keys, fingerprints only), and prints what it planted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import string
import subprocess
import sys
import uuid
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
KEY_LENGTHS = (32, 40, 48, 64)


def _token(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return str(uuid.UUID(int=rng.getrandbits(128)))
    if kind == 1:
        return f"{rng.getrandbits(160):040x}"
    if kind == 2:
        return base64.b64encode(rng.randbytes(30)).decode()
    return "".join(rng.choice(ALNUM) for _ in range(rng.choice(KEY_LENGTHS)))


def _line(rng: random.Random, n: int) -> str:
    shapes = (
        '    value_{n} = lookup("{t}", retries={r})\n',
        "    # {w} the {w2} before calling {w3}\n",
        "    if state.{w} is None:\n",
        '    headers["X-Request-{n}"] = "{t}"\n',
        "    return {w}({w2}, {r})\n",
    )
    words = ("check", "cache", "token", "request", "flush", "retry", "client", "parse")
    return rng.choice(shapes).format(
        n=n,
        t=_token(rng),
        r=rng.randrange(100),
        w=rng.choice(words),
        w2=rng.choice(words),
        w3=rng.choice(words),
    )


class Builder:
    def __init__(self, rng: random.Random, files: int) -> None:
        self.rng = rng
        self.files = {
            f"src/module_{i:03}.py": [_line(rng, n) for n in range(300)] for i in range(files)
        }
        self.out: list[bytes] = []
        self.mark = 0
        self.time = 1_600_000_000

    def _data(self, text: bytes) -> None:
        self.out.append(b"data %d\n" % len(text) + text + b"\n")

    def commit(self, ref: str, parent: int | None, changed: dict[str, str], message: str) -> int:
        self.mark += 1
        self.time += 600
        self.out.append(f"commit {ref}\nmark :{self.mark}\n".encode())
        who = f"Dev {self.mark % 7} <dev{self.mark % 7}@example.test> {self.time} +0000\n"
        self.out.append(f"author {who}committer {who}".encode())
        self._data(message.encode())
        if parent is not None:
            self.out.append(f"from :{parent}\n".encode())
        for path, text in changed.items():
            body = text.encode()
            self.out.append(f"M 100644 inline {path}\n".encode())
            self._data(body)
        return self.mark

    def edit(self, plant: str | None) -> dict[str, str]:
        changed = {}
        for path in self.rng.sample(sorted(self.files), self.rng.randint(1, 3)):
            lines = self.files[path]
            at = self.rng.randrange(len(lines))
            del lines[at : at + self.rng.randint(0, 3)]
            new = [_line(self.rng, self.mark * 10 + k) for k in range(self.rng.randint(2, 8))]
            if plant is not None:
                new.append(f'    api_key = "{plant}"\n')
                plant = None
            lines[at:at] = new
            changed[path] = "".join(lines)
        return changed


def build(out: Path, commits: int, files: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    keys = {
        f"key-{i:04}": "".join(rng.choice(ALNUM) for _ in range(rng.choice(KEY_LENGTHS)))
        for i in range(1000)
    }
    planted = dict(rng.sample(sorted(keys.items()), 20))
    plant_at = dict(zip(rng.sample(range(1, commits), len(planted)), planted.values(), strict=True))
    builder = Builder(rng, files)
    head = builder.commit(
        "refs/heads/main",
        None,
        {p: "".join(ls) for p, ls in builder.files.items()},
        "initial import",
    )
    branches: dict[str, int] = {"main": head}
    for n in range(1, commits):
        name = "main" if n % 10 else rng.choice(["main", "feature-a", "feature-b", "hotfix"])
        parent = branches.get(name, branches["main"])
        mark = builder.commit(
            f"refs/heads/{name}", parent, builder.edit(plant_at.get(n)), f"change {n}"
        )
        branches[name] = mark
    builder.out.append(f"reset refs/tags/v1\nfrom :{branches.get('hotfix', head)}\n".encode())
    subprocess.run(["git", "init", "-q", "--bare", str(out)], check=True)
    subprocess.run(
        ["git", "-C", str(out), "fast-import", "--quiet"], input=b"".join(builder.out), check=True
    )
    subprocess.run(["git", "-C", str(out), "branch", "-q", "-D", "hotfix"], check=False)
    # fast-import stores each version as a delta on the one before (chains of 50 to reach
    # the newest); a repository as cloned or gc'ed stores recent versions whole, and reading
    # it costs git several times less. Benchmarks should see the usual layout.
    subprocess.run(["git", "-C", str(out), "repack", "-a", "-d", "-f", "-q"], check=True)
    _inventory(out.with_name(out.name + ".inventory.toml"), keys)
    return planted


def _inventory(path: Path, keys: dict[str, str]) -> None:
    parts = ["version = 1\n"]
    for key_id, value in keys.items():
        digest = hashlib.sha256(value.encode()).hexdigest()
        parts.append(
            f'\n[[keys]]\nid = "{key_id}"\nowner = "team-{int(key_id[-4:]) % 17}"\n'
            f'status = "active"\n\n[[keys.fingerprints]]\ndigest = "sha256:{digest}"\n'
            f'length = {len(value)}\ncharset = "alnum"\npreview = "…{value[-4:]}"\n'
        )
    path.write_text("".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--commits", type=int, default=4000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    if arguments.out.exists():
        sys.exit(f"{arguments.out} exists")
    planted = build(arguments.out, arguments.commits, arguments.files, arguments.seed)
    print(f"built {arguments.out}: {arguments.commits} commits, {len(planted)} planted keys")


if __name__ == "__main__":
    main()
