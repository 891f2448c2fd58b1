"""Objects no ref or reflog reaches (`--all-objects`, for incident work).

A mirror clone fetches pull-request refs and a repository keeps dangling commits and blobs
until garbage collection; an incident responder needs them, a routine scan does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connectors.base import Tally
from connectors.git_blobs import BlobReader, BlobTooLarge, BlobUnreadable
from connectors.git_cli import Git
from scanner.model import Chunk, Location

SOURCE = "git"
UNREACHABLE_FIELD = "unreachable-blob"


@dataclass(frozen=True, slots=True)
class Unreachable:
    commits: tuple[str, ...]
    blobs: tuple[str, ...]


def unreachable_objects(git: Git) -> Unreachable:
    output = git.run("fsck", "--unreachable", "--connectivity-only", "--no-progress", check=False)
    commits: list[str] = []
    blobs: list[str] = []
    for line in output.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "unreachable":
            {"commit": commits, "blob": blobs}.get(parts[1], []).append(parts[2])
    return Unreachable(tuple(commits), tuple(blobs))


def unreachable_chunks(
    git: Git, repo: str, blobs: BlobReader, oids: tuple[str, ...], tally: Tally
) -> Iterator[Chunk]:
    """Blobs no commit holds: no path or commit is known, so the blob id names the place."""
    for oid in oids:
        location = Location(source=SOURCE, repo=repo, path=oid, field=UNREACHABLE_FIELD)
        try:
            yield Chunk(blobs.read(oid), location, blob_id=oid)
        except BlobTooLarge:
            tally.skip("too large")
        except BlobUnreadable as error:
            tally.problem(SOURCE, f"{repo} blob {oid}", str(error))
