"""Rule examples: generated at check time, and run against their rule.

Rule files never hold a realistic token. An example says `token = "ghp_{{alnum:36}}"` and the
placeholder is filled with fresh random characters of that alphabet whenever the example runs,
so the repository holds the format, not a credential that other scanners would flag.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

from detectors.rule_model import Rule, RuleSet
from scanner.model import Match

ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "upper": string.ascii_uppercase + string.digits,
    "lower": string.ascii_lowercase + string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "digits": string.digits,
    "token": string.ascii_letters + string.digits + "_-",
    "base64": string.ascii_letters + string.digits + "+/",
    "base32": string.ascii_uppercase + "234567",
    "base32lower": string.ascii_lowercase + "234567",
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}
PLACEHOLDER = re.compile(r"\{\{(\w+):(\d+)\}\}")


class TemplateError(ValueError):
    pass


def expand(template: str, choose: Callable[[str], str] = secrets.choice) -> str:
    """The template with every `{{alphabet:length}}` replaced by random characters."""

    def fill(found: re.Match[str]) -> str:
        alphabet = ALPHABETS.get(found.group(1))
        if alphabet is None:
            raise TemplateError(f"unknown alphabet {found.group(1)!r} in example")
        return "".join(choose(alphabet) for _ in range(int(found.group(2))))

    return PLACEHOLDER.sub(fill, template)


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    rule_id: str
    message: str


Finder = Callable[[bytes], list[Match]]


def check_examples(rule: Rule, find: Finder) -> list[ExampleFailure]:
    """Every example must be matched by its rule, no negative example may be."""
    failures = []
    for number, template in enumerate(rule.examples, 1):
        if not _matched_by(rule, find, template):
            failures.append(ExampleFailure(rule.id, f"example {number} does not match"))
    for number, template in enumerate(rule.negative_examples, 1):
        if _matched_by(rule, find, template):
            failures.append(ExampleFailure(rule.id, f"negative example {number} matches"))
    return failures


def _matched_by(rule: Rule, find: Finder, template: str) -> bool:
    try:
        text = expand(template)
    except TemplateError:
        return False
    return any(match.rule_id == rule.id for match in find(text.encode()))


def single_rule_set(rule: Rule, rule_set: RuleSet) -> RuleSet:
    """The rule alone, with the global allowlists it runs under."""
    return RuleSet((rule,), rule_set.allowlists)
