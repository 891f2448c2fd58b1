"""Whether a copy found in git history is still there now: at the tip of some ref.

A commit that added a key at `path` is history; the key is *present* if the file at `path`
in the tree of any ref's tip (branch, tag, remote-tracking or pull-request ref) still holds
it. Only the paths where history showed a copy are read, at every ref tip, and each distinct
blob is matched once with the scan's own detectors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors.git_blobs import BlobReader, BlobTooLarge, BlobUnreadable
from connectors.git_cli import Git, GitError, open_repository
from detectors.base import DetectorSet


@dataclass(frozen=True, slots=True)
class RepositoryState:
    """`reachable`: every commit a ref reaches (reflogs not counted);
    `tips`: (fingerprint, path) -> the refs whose tip holds that value at that path."""

    name: str
    reachable: frozenset[str] = frozenset()
    tips: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


def repository_state(
    name: str, repository: Path, paths: Iterable[str], detectors: DetectorSet, max_size: int
) -> RepositoryState:
    git = open_repository(repository)
    return RepositoryState(name, _reachable(git), tip_presence(git, paths, detectors, max_size))


def _reachable(git: Git) -> frozenset[str]:
    # Not `--reflog`: a commit only a reflog holds is gone once the reflog expires.
    output = git.run("rev-list", "--all", "--")
    return frozenset(output.decode("ascii").split())


def tip_presence(
    git: Git, paths: Iterable[str], detectors: DetectorSet, max_size: int
) -> dict[tuple[str, str], tuple[str, ...]]:
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    entries = [(ref, path, oid) for ref in _refs(git) for path, oid in _blobs_at(git, ref, wanted)]
    found = _fingerprints(git, {oid for _, _, oid in entries}, detectors, max_size)
    present: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref, path, oid in entries:
        for fingerprint in found.get(oid, ()):
            present[(fingerprint, path)].append(ref)
    return {place: tuple(sorted(set(refs))) for place, refs in present.items()}


def _refs(git: Git) -> list[str]:
    output = git.run("for-each-ref", "--format=%(refname)")
    return [line for line in output.decode("utf-8", "replace").splitlines() if line]


def _blobs_at(git: Git, ref: str, paths: list[str]) -> list[tuple[str, str]]:
    try:
        output = git.run("ls-tree", "-r", "-z", "--full-tree", ref, "--", *paths)
    except GitError:
        return []  # a ref to a non-commit (a tag of a blob): holds no tree
    blobs = []
    for entry in output.split(b"\0"):
        header, _, name = entry.partition(b"\t")
        parts = header.split()
        if len(parts) == 3 and parts[1] == b"blob":
            blobs.append((name.decode("utf-8", "surrogateescape"), parts[2].decode()))
    return blobs


def _fingerprints(
    git: Git, oids: set[str], detectors: DetectorSet, max_size: int
) -> dict[str, frozenset[str]]:
    reader = BlobReader(git, max_size)
    found: dict[str, frozenset[str]] = {}
    try:
        for oid in sorted(oids):
            try:
                data = reader.read(oid)
            except (BlobTooLarge, BlobUnreadable):
                continue
            found[oid] = frozenset(
                fingerprint for match in detectors.find(data) for fingerprint in match.fingerprints
            )
    finally:
        reader.close()
    return found
