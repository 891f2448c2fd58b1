"""What CI variable stores reveal beyond single copies: one key reused in the variables of
several projects (the most common misuse of an organization key), and keys kept where the
store does not protect them (unmasked or unprotected GitLab variables, GitHub Actions
variables, which anyone with read access sees)."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import Finding, Occurrence

VARIABLE_SOURCES = frozenset({"gitlab-variable", "github-variable"})
_WEAK = {"unmasked": "unmasked", "unprotected": "unprotected", "plain": "a plain Actions variable"}


def ci_notes(findings: Iterable[Finding]) -> list[str]:
    """One line per reused key and per key in a weakly protected variable. No values."""
    notes: list[str] = []
    for finding in findings:
        variables = [o for o in finding.occurrences if o.source in VARIABLE_SOURCES]
        notes.extend(_reuse(finding, variables))
        notes.extend(_weak(finding, o) for o in variables if _weaknesses(o))
    return notes


def _name(finding: Finding) -> str:
    return f"{finding.key_id or ', '.join(finding.rule_ids) or 'a key'} ({finding.preview})"


def _reuse(finding: Finding, variables: list[Occurrence]) -> list[str]:
    owners = sorted({f"{o.source}:{o.location.repo}" for o in variables})
    if len(owners) < 2:
        return []
    return [
        f"reused key: {_name(finding)} is in the CI variables of {len(owners)} projects "
        f"({', '.join(owners)}): give each its own key"
    ]


def _weaknesses(occurrence: Occurrence) -> list[str]:
    field = occurrence.location.field or ""
    flags = field.removeprefix("variable:").split(",") if field.startswith("variable:") else []
    return [_WEAK[flag] for flag in flags if flag in _WEAK]


def _weak(finding: Finding, occurrence: Occurrence) -> str:
    location = occurrence.location
    place = f"{occurrence.source}:{location.repo}:{location.path}"
    return (
        f"exposed variable: {_name(finding)} at {place} is {' and '.join(_weaknesses(occurrence))}"
    )
