"""The default terminal report: grouped by key, with owner, places and the revocation path.

A scan lists its findings; a report from the store lists the revocation worklist by owning
team. Colour only when asked (the CLI asks when writing to a terminal without NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Location
from scanner.report.document import Report, WorkItem

_HEADLINE = {
    Kind.EXPOSURE: "EXPOSED",
    Kind.STALE: "STALE COPY",
    Kind.UNMANAGED: "UNMANAGED",
    Kind.ALLOWED: "allowed",
}
# ANSI SGR codes by the word they colour: severities, kinds, states.
_STYLES = {
    "critical": "1;31",
    "high": "31",
    "medium": "33",
    "low": "36",
    "EXPOSED": "1;31",
    "STALE COPY": "33",
    "UNMANAGED": "35",
    "allowed": "2",
    "OVERDUE": "1;31",
    "OPEN": "31",
    "CLOSED": "32",
    "error": "1;31",
}


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, word: str) -> str:
        style = _STYLES.get(word)
        return f"\x1b[{style}m{word}\x1b[0m" if self.color and style else word


def name(finding: Finding) -> str:
    """What a finding is called in a report: its inventory key, else the rules that matched."""
    return finding.key_id or ", ".join(finding.rule_ids) or "unknown"


def place(location: Location) -> str:
    where = location.path or location.url or location.repo or f"<{location.source}>"
    if location.field and location.field not in ("content",):
        where += f" [{location.field}]"
    if location.commit:
        where += f" @ {location.commit[:12]}"
    if location.line:
        where += f":{location.line}:{location.column}"
    return where


def render_text(
    report: Report,
    out: TextIO,
    keys: Mapping[str, InventoryKey] | None = None,
    *,
    color: bool = False,
) -> None:
    paint = _Paint(color)
    if report.origin == "store":
        for owner, items in report.by_owner():
            _owner(owner, items, out, paint)
    else:
        for finding in report.findings:
            _finding(finding, out, (keys or {}).get(finding.key_id or ""), paint)
    _summary(report, out, paint)


def _finding(finding: Finding, out: TextIO, key: InventoryKey | None, paint: _Paint) -> None:
    headline = paint(_HEADLINE[finding.kind])
    out.write(f"{headline} {name(finding)} {finding.preview} ({paint(finding.severity.value)})\n")
    if key is not None:
        out.write(f"  owner: {key.owner or '(none)'}   purpose: {key.purpose or '(none)'}\n")
        if finding.kind is Kind.EXPOSURE:
            out.write(
                f"  revoke by {finding.due}: {key.revoke or '(no revocation path recorded)'}\n"
            )
    for occurrence in finding.occurrences:
        encodings = f" via {'+'.join(occurrence.encodings)}" if occurrence.encodings else ""
        out.write(f"  {occurrence.kind.value:9} {place(occurrence.location)}{encodings}\n")


def _owner(owner: str, items: list[WorkItem], out: TextIO, paint: _Paint) -> None:
    out.write(f"== {owner} ({len(items)} exposed key value{'s' if len(items) != 1 else ''})\n")
    for item in items:
        state = paint(item.state.upper())
        out.write(
            f"{state} {item.key_id} {item.preview} ({paint(item.severity.value)})"
            f" since {item.first_seen[:10]}, due {item.due or '-'}\n"
        )
        out.write(f"  purpose: {item.purpose or '(none)'}   scope: {item.scope or '(none)'}\n")
        if item.closed_at:
            out.write(f"  closed {item.closed_at} ({item.closed_reason})\n")
        else:
            out.write(f"  revoke: {item.revoke or '(no revocation path recorded)'}\n")
        for location in item.locations:
            out.write(f"  found   {location.source}: {place(location)}\n")


def _summary(report: Report, out: TextIO, paint: _Paint) -> None:
    counts = report.counts()
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing found"
    stats = report.stats
    if stats is None:
        out.write(f"state store: {found}\n")
    else:
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(stats.skipped.items()))
        out.write(
            f"scanned {stats.chunks} items, {stats.bytes / 1e6:.1f} MB"
            f" in {stats.seconds:.2f}s: {found}"
            + (f" (skipped: {skipped})" if skipped else "")
            + "\n"
        )
    for note in report.notes:
        out.write(f"note: {note}\n")
    for problem in report.problems:
        out.write(f"{paint('error')}: {problem.source} {problem.where}: {problem.message}\n")
