"""The default terminal report: grouped by key, with owner, places and the revocation path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from scanner.engine import ScanResult
from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Location

_HEADLINE = {
    Kind.EXPOSURE: "EXPOSED",
    Kind.STALE: "STALE COPY",
    Kind.UNMANAGED: "UNMANAGED",
    Kind.ALLOWED: "allowed",
}


def place(location: Location) -> str:
    where = location.path or location.url or location.repo or f"<{location.source}>"
    if location.field and location.field not in ("content",):
        where += f" [{location.field}]"
    if location.commit:
        where += f" @ {location.commit[:12]}"
    if location.line:
        where += f":{location.line}:{location.column}"
    return where


def render_text(result: ScanResult, out: TextIO, keys: Mapping[str, InventoryKey]) -> None:
    for finding in result.findings:
        _finding(finding, out, keys.get(finding.key_id or ""))
    _summary(result, out)


def _finding(finding: Finding, out: TextIO, key: InventoryKey | None) -> None:
    name = finding.key_id or ", ".join(finding.rule_ids) or "unknown"
    out.write(f"{_HEADLINE[finding.kind]} {name} {finding.preview} ({finding.severity.value})\n")
    if key is not None:
        out.write(f"  owner: {key.owner or '(none)'}   purpose: {key.purpose or '(none)'}\n")
        if finding.kind is Kind.EXPOSURE:
            out.write(
                f"  revoke by {finding.due}: {key.revoke or '(no revocation path recorded)'}\n"
            )
    for occurrence in finding.occurrences:
        encodings = f" via {'+'.join(occurrence.encodings)}" if occurrence.encodings else ""
        out.write(f"  {occurrence.kind.value:9} {place(occurrence.location)}{encodings}\n")


def _summary(result: ScanResult, out: TextIO) -> None:
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.kind.value] = counts.get(finding.kind.value, 0) + 1
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing found"
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.stats.skipped.items()))
    out.write(
        f"scanned {result.stats.chunks} items, {result.stats.bytes / 1e6:.1f} MB"
        f" in {result.stats.seconds:.2f}s: {found}"
        + (f" (skipped: {skipped})" if skipped else "")
        + "\n"
    )
    for note in result.notes:
        out.write(f"note: {note}\n")
    for problem in result.problems:
        out.write(f"error: {problem.source} {problem.where}: {problem.message}\n")
