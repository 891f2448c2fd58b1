"""`--format sarif`: SARIF 2.1.0 for code-scanning dashboards.

One rule per finding kind; one result per occurrence. `partialFingerprints` carry the
occurrence id (finding fingerprint + place, no line number) and the finding id, so a
dashboard recognises the same copy across runs even when its line moves. Levels: critical and
high are errors, medium a warning, low a note; `security-severity` feeds GitHub's ranking.
"""

from __future__ import annotations

import json
from typing import Any, TextIO
from urllib.parse import quote

from scanner import __version__
from scanner.model import Finding, Kind, Location, Occurrence, Severity
from scanner.report.document import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/keysprawl/keysprawl"
_RULES = {
    Kind.EXPOSURE: "A current inventory key outside the places it may live: revoke and rotate it.",
    Kind.STALE: "An old or revoked value of an inventory key: remove the copy.",
    Kind.UNMANAGED: "A credential of a known format that is not in the inventory.",
    Kind.ALLOWED: "An inventory key in one of its approved places.",
}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
_KINDS = tuple(Kind)


def rule_id(kind: Kind) -> str:
    return f"keysprawl/{kind.value}"


def render_sarif(report: Report, out: TextIO) -> None:
    json.dump(sarif_log(report), out, indent=2, sort_keys=True)
    out.write("\n")


def sarif_log(report: Report) -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "keysprawl",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(kind) for kind in _KINDS],
            }
        },
        "results": [
            _result(finding, occurrence)
            for finding in report.findings
            for occurrence in finding.occurrences
        ],
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(kind: Kind) -> dict[str, Any]:
    return {
        "id": rule_id(kind),
        "name": kind.value.capitalize(),
        "shortDescription": {"text": _RULES[kind]},
        "defaultConfiguration": {"level": "error" if kind is Kind.EXPOSURE else "warning"},
        "properties": {"tags": ["security", "secret"]},
    }


def _result(finding: Finding, occurrence: Occurrence) -> dict[str, Any]:
    name = finding.key_id or ", ".join(finding.rule_ids) or "credential"
    message = f"{occurrence.kind.value}: {name} ({finding.preview})"
    if finding.owner:
        message += f", owned by {finding.owner}"
    if occurrence.due:
        message += f", revoke by {occurrence.due}"
    result: dict[str, Any] = {
        "ruleId": rule_id(occurrence.kind),
        "ruleIndex": _KINDS.index(occurrence.kind),
        "level": _LEVEL[occurrence.severity],
        "message": {"text": message},
        "partialFingerprints": {
            "keysprawlOccurrence/v1": occurrence.occurrence_id(finding.finding_id),
            "keysprawlFinding/v1": finding.finding_id,
        },
        "properties": {
            "security-severity": _SECURITY_SEVERITY[occurrence.severity],
            "severity": occurrence.severity.value,
            "keyId": finding.key_id,
            "owner": finding.owner,
            "fingerprint": finding.fingerprint,
            "source": occurrence.source,
            "encodings": list(occurrence.encodings),
            "due": occurrence.due,
        },
    }
    location = _location(occurrence.location)
    if location:
        result["locations"] = [location]
    return result


def _location(location: Location) -> dict[str, Any] | None:
    # A path is a relative URI reference: percent-encoded, `/`-separated.
    uri = quote(location.path) if location.path else location.url
    if not uri:
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if location.line:
        physical["region"] = {"startLine": location.line, "startColumn": location.column or 1}
    found: dict[str, Any] = {"physicalLocation": physical}
    if location.commit or location.repo:
        details = {"repo": location.repo, "commit": location.commit, "ref": location.ref}
        found["properties"] = {k: v for k, v in details.items() if v}
    return found


def _invocation(report: Report) -> dict[str, Any]:
    return {
        "executionSuccessful": report.complete,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": f"{problem.source} {problem.where}: {problem.message}"},
            }
            for problem in report.problems
        ],
    }
