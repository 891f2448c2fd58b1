"""What is about to enter a repository: the staged change (pre-commit) or pushed commits.

The staged change is read as one patch (`git diff --cached -U0`): only lines this commit adds
are reported, since a key already in the file is the sweep's business, not a reason to block
an unrelated commit. Pushed commits are read like history, each attributed to its commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from connectors.base import DEFAULT_MAX_FILE_SIZE, Tally
from connectors.git_blobs import BlobReader
from connectors.git_cli import Git, GitError
from connectors.git_commits import CommitChunker, Provenance
from scanner.errors import UsageError
from scanner.model import Chunk

SOURCE = "staged"
ZERO = "0" * 40
_STAGED_DIFF = (
    "diff",
    "--cached",
    "-p",
    "-U0",
    "--full-index",
    "--no-renames",
    "--irreversible-delete",
    "--no-textconv",
    "--no-ext-diff",
    "--ignore-submodules=none",
)


@dataclass(frozen=True, slots=True)
class StagedConnector:
    """The index against HEAD, in the repository around `root`."""

    root: Path
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    def chunks(self, tally: Tally) -> Iterator[Chunk]:
        git = Git(self.root)
        try:
            patch = git.run(*_STAGED_DIFF)
        except GitError as error:
            if not _is_repository(git):
                # Not a partial scan but a usage mistake: one line and exit 2.
                raise UsageError(
                    f"{self.root}: not a git repository (the hook runs inside one)"
                ) from None
            tally.problem(SOURCE, str(self.root), str(error))
            return
        if not patch:
            return
        blobs = BlobReader(git, self.max_file_size)
        origin = Provenance(None, None, None, None, None, source=SOURCE)
        try:
            yield from CommitChunker(blobs, tally).patch_chunks(origin, patch)
        finally:
            blobs.close()


def _is_repository(git: Git) -> bool:
    # Outside a repository `git diff` turns into `diff --no-index` and complains about options;
    # only then is it worth a second git call to tell the two failures apart.
    try:
        git.run("rev-parse", "--git-dir")
    except GitError:
        return False
    return True


def push_revisions(lines: list[str]) -> tuple[str, ...]:
    """git's pre-push input (`<local ref> <local sha> <remote ref> <remote sha>` per line) as
    revisions: what each pushed ref has that its remote side (or, for a new branch, any
    remote-tracking ref) does not."""
    revisions: list[str] = []
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or parts[1] == ZERO:
            continue  # malformed, or a deletion: nothing is being sent
        revisions.append(parts[1])
        if parts[3] != ZERO:
            revisions.append(f"^{parts[3]}")
    # What any remote-tracking ref already has was pushed before (a new branch's base).
    return (*revisions, "--not", "--remotes") if revisions else ()
