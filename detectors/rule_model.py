"""Rules as values: what a rule file says, validated, picklable, with nothing compiled yet.

Compiling is deferred (see `rule_engine`): the hook loads every rule but runs only the few
whose prefilter fires, so a rule costs nothing until it can match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import Severity

# Inline markers that suppress a rule match on their line (gitleaks' marker is honoured too,
# so a repository migrating from gitleaks keeps its annotations).
INLINE_ALLOW_MARKERS = (b"keysprawl:allow", b"gitleaks:allow")
FIRST_GROUP = -1


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Matches to ignore. `regexes` test the secret (or the whole match / line, per
    `regex_target`), `stopwords` are case-insensitive substrings of the secret, `paths` are
    regexes searched in the location's path (applied by the scanner, which knows the path)."""

    regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    regex_target: str = "secret"

    @property
    def empty(self) -> bool:
        return not (self.regexes or self.stopwords or self.paths)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    regex: str
    # The capture group holding the secret; 0 is the whole match, FIRST_GROUP the first group
    # that took part in the match (gitleaks' rule when a config names none).
    secret_group: int = 1
    keywords: tuple[str, ...] = ()
    entropy: float | None = None
    severity: Severity = Severity.HIGH
    tags: tuple[str, ...] = ()
    allowlists: tuple[Allowlist, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    # A template of the bare secret (`ghp_{{alnum:36}}`), placed by the tests in many syntaxes.
    sample: str | None = None
    source: str = field(default="", compare=False)
    # Imported from a gitleaks config: it carries no examples to check.
    imported: bool = False

    @property
    def generic(self) -> bool:
        """Generic rules yield to specific ones when both match the same value."""
        return "generic" in self.tags


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()
    # The global allowlists (rule files', the config's), kept apart rather than merged: each
    # one's regexes test its own `regex_target`, which one merged allowlist could not say.
    allowlists: tuple[Allowlist, ...] = ()

    @property
    def allowlist_paths(self) -> tuple[str, ...]:
        """The path regexes under which every rule's matches are ignored."""
        return tuple(path for allowlist in self.allowlists for path in allowlist.paths)

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def severities(self) -> dict[str, Severity]:
        return {rule.id: rule.severity for rule in self.rules}

    def path_allowlists(self) -> dict[str, tuple[str, ...]]:
        """Per rule id, the path regexes under which its matches are ignored."""
        found: dict[str, tuple[str, ...]] = {}
        for rule in self.rules:
            paths = tuple(p for allowlist in rule.allowlists for p in allowlist.paths)
            if paths:
                found[rule.id] = paths
        return found


NO_RULES = RuleSet()
