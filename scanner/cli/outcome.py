"""What a scan result means for the command: approved copies dropped, and its exit code.

Apart from `scanner.cli.output` so the pre-commit hook decides its exit code without loading
the report formats it only needs when something was found.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.engine import ScanResult
from scanner.errors import ExitCode
from scanner.model import Kind
from scanner.policy import FailOn


def without_allowed(result: ScanResult) -> ScanResult:
    """Copies in approved places are reported only on request (--include-allowed)."""
    findings = []
    for finding in result.findings:
        kept = [o for o in finding.occurrences if o.kind is not Kind.ALLOWED]
        if kept:
            finding.occurrences = kept
            findings.append(finding)
    return replace(result, findings=findings)


def exit_code(result: ScanResult, fail_on: FailOn | frozenset[Kind]) -> ExitCode:
    """An incomplete scan never reads as clean, and outranks findings: the report has both."""
    if not result.complete:
        return ExitCode.INCOMPLETE
    if not isinstance(fail_on, FailOn):
        fail_on = FailOn(fail_on)
    failing = any(fail_on.fails(o.kind, o.severity) for f in result.findings for o in f.occurrences)
    return ExitCode.FINDINGS if failing else ExitCode.CLEAN
