"""`keysprawl rules check`: every rule compiles, extracts a group, and passes its examples.

The pure path and, when installed, the Hyperscan path each run every example, so a rule
whose prefilter form would miss a match fails here rather than in a scan.
"""

from __future__ import annotations

from detectors.hyperscan_db import hyperscan_available
from detectors.rule_engine import RuleMatcher, compile_rule
from detectors.rule_examples import check_examples, single_rule_set
from detectors.rule_model import Rule, RuleSet
from scanner.fingerprint import Fingerprinter


def check_rule_set(rule_set: RuleSet, *, accelerate: bool = True) -> list[str]:
    """Problems, one line each, naming the rule; empty when every rule is sound."""
    problems: list[str] = []
    paths = [False, True] if accelerate and hyperscan_available() else [False]
    for rule in rule_set.rules:
        found = _compile_problems(rule)
        if not found:
            found = _example_problems(rule, rule_set, paths)
        problems.extend(f"{rule.id}: {problem}" for problem in found)
    return problems


def _compile_problems(rule: Rule) -> list[str]:
    import regex  # deferred: the check is the only place that needs its error type here

    try:
        compile_rule(rule)
    except regex.error as error:
        return [f"regex does not compile: {error}"]
    groups = regex.compile(rule.regex).groups
    if rule.secret_group > groups:
        return [f"secret group {rule.secret_group} but the regex has {groups} group(s)"]
    return []


def _example_problems(rule: Rule, rule_set: RuleSet, paths: list[bool]) -> list[str]:
    problems: list[str] = []
    if not rule.examples and not rule.imported:
        problems.append("has no examples")
    for accelerate in paths:
        matcher = RuleMatcher(
            single_rule_set(rule, rule_set),
            fingerprinter=Fingerprinter(),
            accelerate=accelerate,
            cache=False,  # one database per rule: not worth keeping
        )
        label = " (hyperscan)" if accelerate else ""
        for failure in check_examples(rule, matcher.find):
            problem = failure.message + label
            if problem not in problems:
                problems.append(problem)
    return problems
