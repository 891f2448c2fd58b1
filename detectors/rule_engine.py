"""The rule matcher: credentials of well-known formats, reported by fingerprint and rule id.

Two stages. A prefilter names the rules that can match the content: Hyperscan in one pass
(`rule_prefilter`), or, without it, every rule. A rule with keywords runs only if one of them
occurs in the content (case-insensitive), on both paths, so both report identical findings.
Then the `regex` module confirms each candidate rule and extracts the secret's capture group,
with a timeout so that a pathological input cannot hang a scan. Regexes compile on first use:
most rules never fire on a given commit, and the hook should not pay for them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from detectors.positions import LineIndex
from detectors.rule_model import FIRST_GROUP, INLINE_ALLOW_MARKERS, Allowlist, Rule, RuleSet
from scanner.fingerprint import Fingerprinter, normalize, pem_label, preview
from scanner.model import Match

# Seconds one rule may spend on one piece of content.
DEFAULT_TIMEOUT = 1.0


class _Compiled:
    """A rule's regexes, compiled on first use."""

    def __init__(self, rule: Rule, global_allowlists: tuple[Allowlist, ...]) -> None:
        import regex  # deferred: about 8 ms the hook spends only when a rule fires

        self.rule = rule
        self.pattern: Any = regex.compile(rule.regex.encode())
        self.keywords = tuple(k.encode() for k in rule.keywords)
        lists = (*rule.allowlists, *global_allowlists)
        self.allow_regexes = [
            (allowlist.regex_target, regex.compile(pattern.encode()))
            for allowlist in lists
            for pattern in allowlist.regexes
        ]
        self.stopwords = tuple(word.lower().encode() for a in lists for word in a.stopwords)


# Pieces of a regex that can match a line break. Negated classes that exclude whitespace or
# the newline (`[^\s"']`) cannot, and are removed before looking.
_SPANS_LINES = re.compile(r"\\[sWDnrvf]|\[\^|\(\?[a-z]*s")
_CLOSED_NEGATED_CLASS = re.compile(r"\[\^(?:[^\]\\]|\\.)*?\\[sn](?:[^\]\\]|\\.)*\]")


def single_line(expression: str) -> bool:
    """Whether a regex can never match a newline, so its matches lie within one line. A
    conservative reading of the pattern's text: a rule it cannot prove single-line searches
    the whole content, which is slower, never wrong."""
    return not _SPANS_LINES.search(_CLOSED_NEGATED_CLASS.sub("", expression))


def compile_rule(rule: Rule) -> None:
    """Raise `regex.error` if the rule's regexes do not compile (used by `rules check`)."""
    _Compiled(rule, ())


def shannon_entropy(value: bytes) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


@dataclass(slots=True)
class _Content:
    data: bytes
    lines: LineIndex
    _lowered: bytes | None = None

    @property
    def lowered(self) -> bytes:
        if self._lowered is None:
            self._lowered = self.data.lower()
        return self._lowered

    def line_bounds(self, start: int, end: int) -> tuple[int, int]:
        line_start = self.data.rfind(b"\n", 0, start) + 1
        line_end = self.data.find(b"\n", end)
        return line_start, len(self.data) if line_end < 0 else line_end


class RuleMatcher:
    def __init__(
        self,
        rule_set: RuleSet,
        *,
        fingerprinter: Fingerprinter,
        accelerate: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        cache: bool = True,
    ) -> None:
        self._rules = rule_set.rules
        self._global = rule_set.allowlists
        self._fingerprinter = fingerprinter
        self._timeout = timeout
        self._compiled: dict[int, _Compiled] = {}
        self._prefilter = _prefilter(rule_set, accelerate, cache)
        # Rules that ran out of time, with how often: the scan reports them.
        self.timeouts: Counter[str] = Counter()

    @property
    def empty(self) -> bool:
        return not self._rules

    @property
    def anchored(self) -> bool:
        """Some rule's pattern may depend on where the content starts or ends."""
        return any(anchored(rule.regex) for rule in self._rules)

    def find(self, data: bytes, *, first_line: int = 1) -> list[Match]:
        content = _Content(data, LineIndex(data, first_line))
        matches: list[Match] = []
        candidates, keywords_seen = self._candidates(data)
        for index in sorted(candidates):
            compiled = self._compiled.get(index)
            if compiled is None:
                compiled = self._compiled[index] = _Compiled(self._rules[index], self._global)
            if compiled.keywords and not self._keywords_occur(
                index, compiled, content, keywords_seen
            ):
                continue
            for start, end in candidates[index]:
                matches.extend(self._confirmed(compiled, content, start, end))
        return matches

    def _candidates(self, data: bytes) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
        if self._prefilter is None:
            whole = [(0, len(data))]
            return dict.fromkeys(range(len(self._rules)), whole), set()
        found: tuple[dict[int, list[tuple[int, int]]], set[int]] = self._prefilter.candidates(data)
        return found

    def _keywords_occur(
        self, index: int, compiled: _Compiled, content: _Content, seen: set[int]
    ) -> bool:
        """One of the rule's keywords occurs in the content (Hyperscan looked, or Python does)."""
        if self._prefilter is not None and index in self._prefilter.keywords_checked:
            return index in seen
        return any(keyword in content.lowered for keyword in compiled.keywords)

    def _confirmed(
        self, compiled: _Compiled, content: _Content, region_start: int, region_end: int
    ) -> Iterator[Match]:
        rule = compiled.rule
        finditer = compiled.pattern.finditer
        try:
            for found in finditer(content.data, region_start, region_end, timeout=self._timeout):
                start, end = _secret_span(found, rule.secret_group)
                if start < 0 or start == end:
                    continue
                if self._allowed(compiled, content, found, start, end):
                    continue
                yield self._match(rule, content, start, end)
        except TimeoutError:
            self.timeouts[rule.id] += 1

    def _allowed(
        self, compiled: _Compiled, content: _Content, found: Any, start: int, end: int
    ) -> bool:
        secret = content.data[start:end]
        entropy = compiled.rule.entropy
        if entropy is not None and shannon_entropy(secret) < entropy:
            return True
        lowered = secret.lower()
        if any(word in lowered for word in compiled.stopwords):
            return True
        line_start, line_end = content.line_bounds(start, end)
        line = content.data[line_start:line_end]
        if any(marker in line for marker in INLINE_ALLOW_MARKERS):
            return True
        targets = {"secret": secret, "match": found.group(0), "line": line}
        return any(pattern.search(targets[target]) for target, pattern in compiled.allow_regexes)

    def _match(self, rule: Rule, content: _Content, start: int, end: int) -> Match:
        value = content.data[start:end]
        normalized = normalize(value)
        line, column = content.lines.position(start)
        return Match(
            start,
            end,
            line,
            column,
            self._fingerprinter.all_digests(normalized),
            preview(normalized, pem_label=pem_label(value)),
            rule_id=rule.id,
        )


def _secret_span(found: Any, group: int) -> tuple[int, int]:
    if group != FIRST_GROUP:
        span: tuple[int, int] = found.span(group)
        return span
    for number in range(1, found.re.groups + 1):
        start, end = found.span(number)
        if end > start >= 0:
            return start, end
    whole: tuple[int, int] = found.span(0)
    return whole


_ESCAPE = re.compile(r"\\.")
_CLASS = re.compile(r"\[\]?[^\]]*\]")
_MULTILINE = re.compile(r"\(\?[a-zA-Z]*m[a-zA-Z]*\)")


def anchored(pattern: str) -> bool:
    """Whether a pattern may match differently where the content starts or ends than after
    or before a line break: `\\A`, `\\Z`, or `^`/`$` outside a character class without
    the multiline flag. When in doubt, yes."""
    if re.search(r"\\[AZz]", pattern):
        return True
    if _MULTILINE.search(pattern):
        return False  # ^ and $ match at every line start and end: a line break is enough
    bare = _CLASS.sub("", _ESCAPE.sub("", pattern))
    return "^" in bare or "$" in bare


def _prefilter(rule_set: RuleSet, accelerate: bool, cache: bool) -> Any:
    if not accelerate or not rule_set.rules:
        return None
    try:
        from detectors.rule_prefilter import HyperscanPrefilter, PrefilterRule
    except ImportError:
        return None
    rules = [PrefilterRule(r.regex, single_line(r.regex), r.keywords) for r in rule_set.rules]
    try:
        return HyperscanPrefilter(rules, cache=cache)
    except ImportError:
        return None  # the accelerator is not installed on this platform
