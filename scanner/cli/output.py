"""Writing a report to stdout or --output, and the exit code a scan result earns."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from scanner.engine import ScanResult
from scanner.errors import ExitCode, UsageError
from scanner.inventory import InventoryKey
from scanner.model import Kind
from scanner.policy import FailOn
from scanner.report.machine import render_json, render_jsonl
from scanner.report.text import render_text

FORMATS = ("text", "json", "jsonl")
DEFAULT_FAIL_ON = frozenset({Kind.EXPOSURE, Kind.STALE, Kind.UNMANAGED})


@contextlib.contextmanager
def opened_output(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8") as stream:
            yield stream
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


def render(
    result: ScanResult, output_format: str, out: TextIO, keys: Mapping[str, InventoryKey]
) -> None:
    if output_format == "json":
        render_json(result, out)
    elif output_format == "jsonl":
        render_jsonl(result, out)
    else:
        render_text(result, out, keys)


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
