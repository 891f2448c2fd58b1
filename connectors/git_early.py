"""A history scan's first questions to git, started before the scan has loaded itself.

Before it reads any history, a scan of a repository asks git for its refs and walks the
whole commit graph twice: the commits to read, each with the ref it was reached from
(connectors.git_history), and the graph that names every ref reaching a commit
(connectors.git_refs). Without a commit-graph file (a fresh clone has none) the walks take
git 30-50 ms on bench/git_history.py's 8,000 commits, and the scan's process used to wait
for them after ~75 ms of loading its modules, inventory and rules, with the other core idle.

`ask_early` is called first thing in `keysprawl scan`: for a plain history scan of a local
repository it asks the short questions those walks depend on (where the repository is, its
HEAD, its refs: ~5 ms) and those the scan asks later (is it shallow, where its objects
are), and starts both walks at a lower priority, so git computes them while the scan
loads on the other core.
The scan then asks as it always does, and `Git.run` answers each very same command from
what was started (connectors.git_cli.EarlyAnswers); any other command, or the same one in
another folder, runs as before. So a wrong guess here costs a little work, never a
different result. The command line is only glanced at, not parsed: a target is a word that
names a repository folder, and any option that changes which commits are read (or asks
for help) means no guess at all.
"""

from __future__ import annotations

import atexit
from collections.abc import Sequence
from pathlib import Path

from connectors.git_cli import (
    EARLY,
    GitError,
    has_batch_command,
    is_repository,
    open_repository,
)
from connectors.git_history import Selection, commit_walk
from connectors.git_refs import graph_walk, ref_tips

# Options after which the scan reads other commits than every ref's (or none).
_OTHER_COMMITS = ("--no-history", "--all-objects", "--since", "--since-commit", "--branch")
_HELP = ("-h", "--help")


def ask_early(arguments: Sequence[str]) -> None:
    """Starts git's walks of the repository `keysprawl scan ARGUMENTS` will read, if the
    command line plainly names one."""
    try:
        target = _plain_history_target(arguments)
        if target is None:
            return
        with EARLY.recording():
            git = open_repository(target)
            walk = commit_walk(git, Selection())
            tips = ref_tips(git, all_refs=False)
            git.is_shallow()
            git.object_directory()  # each history reader asks (it inherits the answer)
        atexit.register(EARLY.drop)
        EARLY.start(git, *walk)
        if tips:
            EARLY.start(git, *graph_walk(tips))
        has_batch_command()  # asked once a process, while the walks run
    except (GitError, OSError, ValueError):
        return  # a folder it may not read, say: the scan meets the same trouble and reports it


def _plain_history_target(arguments: Sequence[str]) -> Path | None:
    """The one repository folder named among `arguments`, if no option changes which
    commits a scan of it reads."""
    options = {argument.partition("=")[0] for argument in arguments if argument.startswith("-")}
    if options & {*_OTHER_COMMITS, *_HELP}:
        return None
    folders = [Path(word) for word in arguments if not word.startswith("-")]
    repositories = [folder for folder in folders if folder.is_dir() and is_repository(folder)]
    return repositories[0] if len(repositories) == 1 else None
