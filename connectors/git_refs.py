"""Which refs reach each commit: the `ref` of a history occurrence names them.

One pass over the commit graph (`rev-list --parents --topo-order`, children before parents)
carries a bit per ref from each tip down to its ancestors. Branches come first, then tags,
then remote-tracking refs; a commit reached by many refs names the first few and a count.
Past a few hundred refs (a mirror with thousands of tags) the bit sets would cost more than
they tell: then only the first MAX_REFS refs in that order (branches, tags, remote-tracking
refs, then the others, such as a mirror's pull-request refs) are named and counted, and a
commit none of them reaches keeps the ref the walk came through.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.git_cli import Git

MAX_REFS = 512
SHOWN = 3
_ORDER = ("refs/heads/", "refs/tags/", "refs/remotes/")


def ref_tips(git: Git, all_refs: bool) -> list[tuple[str, str]]:
    """(commit, short name) for the first MAX_REFS refs, branches first; annotated tags
    peeled."""
    output = git.run(
        "for-each-ref",
        "--format=%(objectname) %(*objectname) %(refname)",
        *([] if all_refs else list(_ORDER)),
    )
    tips = []
    for line in output.decode("utf-8", "replace").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            tips.append(((parts[1] or parts[0]), parts[2]))
    tips.sort(key=lambda tip: _rank(tip[1]))
    return [(commit, short_ref(name)) for commit, name in tips[:MAX_REFS]]


@dataclass(frozen=True, slots=True)
class RefGraph:
    """What git says about the refs and the commits below them; naming is `reaching`."""

    tips: list[tuple[str, str]]
    graph: bytes

    def reaching(self, wanted: set[str]) -> dict[str, str]:
        """For each wanted commit, the refs that reach it ("main, v1.2 (+3 more)"), among
        the first MAX_REFS refs."""
        reach: dict[str, int] = {}
        for index, (commit, _) in enumerate(self.tips):
            reach[commit] = reach.get(commit, 0) | (1 << index)
        found: dict[str, str] = {}
        for line in self.graph.decode("ascii", "replace").splitlines():
            commit, *parents = line.split()
            bits = reach.pop(commit, 0)
            for parent in parents:
                reach[parent] = reach.get(parent, 0) | bits
            if commit in wanted:
                found[commit] = _names(bits, self.tips)
        return found


def ref_graph(git: Git, *, all_refs: bool = False) -> RefGraph:
    """The first MAX_REFS refs and the commit graph below them (children before parents)."""
    tips = ref_tips(git, all_refs)
    return RefGraph(tips, git.run(*graph_walk(tips)) if tips else b"")


def graph_walk(tips: list[tuple[str, str]]) -> list[str]:
    """The arguments of the walk below `tips` (connectors.git_early starts it early)."""
    heads = sorted({commit for commit, _ in tips})
    return ["rev-list", "--parents", "--topo-order", *heads, "--"]


def _names(bits: int, tips: list[tuple[str, str]]) -> str:
    names: list[str] = []
    total = bits.bit_count()
    while bits and len(names) < SHOWN:
        lowest = bits & -bits
        names.append(tips[lowest.bit_length() - 1][1])
        bits ^= lowest
    more = f" (+{total - len(names)} more)" if total > len(names) else ""
    return ", ".join(names) + more


def _rank(name: str) -> tuple[int, bool, str]:
    main = name in ("refs/heads/main", "refs/heads/master")
    for rank, prefix in enumerate(_ORDER):
        if name.startswith(prefix):
            return rank, not main, name
    return len(_ORDER), True, name


def short_ref(name: str) -> str:
    for prefix in (*_ORDER, "refs/"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name
