"""CI store notes: reuse across projects and keys in weakly protected variables."""

from __future__ import annotations

from scanner.model import Finding, Kind, Location, Occurrence, Severity
from scanner.report.ci import ci_notes


def occurrence(source: str, repo: str, path: str, field: str | None) -> Occurrence:
    location = Location(source=source, repo=repo, path=path, field=field)
    return Occurrence(Kind.ALLOWED, Severity.LOW, location, source)


def finding(*occurrences: Occurrence) -> Finding:
    return Finding("sha256:" + "0" * 64, "…abcd", "deploy", occurrences=list(occurrences))


def test_a_key_in_one_protected_variable_and_in_files_is_not_noted() -> None:
    only_one = finding(
        occurrence("gitlab-variable", "acme/payments", "TOKEN", "variable"),
        occurrence("git", "https://x/acme/payments.git", "deploy.env", None),
    )
    assert ci_notes([only_one]) == []


def test_github_actions_variables_are_plain_and_reuse_spans_services() -> None:
    notes = ci_notes(
        [
            finding(
                occurrence("github-variable", "acme/payments", "TOKEN", "variable:plain"),
                occurrence("gitlab-variable", "acme/payments", "TOKEN", "variable"),
            )
        ]
    )
    assert notes == [
        "reused key: deploy (…abcd) is in the CI variables of 2 projects "
        "(github-variable:acme/payments, gitlab-variable:acme/payments): give each its own key",
        "exposed variable: deploy (…abcd) at github-variable:acme/payments:TOKEN is "
        "a plain Actions variable",
    ]
