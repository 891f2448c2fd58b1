"""The incident report's content as plain tables, drawn by the Markdown and HTML renderers.

Every cell is a masked preview, a fingerprint-free name or metadata (dates, authors, paths,
refs): never a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.git_clone import display_url
from scanner.incident.evidence import Copy, KeyEvidence, revocation_list, timeline
from scanner.incident.investigate import Investigation
from scanner.report.text import name, place


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    intro: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class IncidentReport:
    title: str
    summary: tuple[str, ...]  # lines
    tables: tuple[Table, ...]
    errors: tuple[str, ...]
    notes: tuple[str, ...] = ()


def incident_report(found: Investigation, items: list[KeyEvidence]) -> IncidentReport:
    scope = found.scope
    return IncidentReport(
        title=f"Incident {scope.name}",
        summary=_summary(found, items),
        tables=(_revocations(items), _timeline(items), _sources(found)),
        errors=tuple(f"{p.source} {display_url(p.where)}: {p.message}" for p in found.problems),
        notes=tuple(dict.fromkeys(found.notes)),
    )


def _summary(found: Investigation, items: list[KeyEvidence]) -> tuple[str, ...]:
    scope = found.scope
    window = scope.window.to_dict()
    present = sum(1 for item in items if item.present)
    lines = [
        scope.description,
        f"Scanned {found.started} to {found.finished}; "
        f"window: {window['since'] or 'any time'} to {window['until'] or 'now'}; "
        f"keys: {', '.join(scope.keys) or 'the whole inventory, and rules'}.",
        f"{len(items)} distinct values found, {present} still present now; "
        f"{found.outside_window} copies dated outside the window left out.",
    ]
    if not found.complete:
        lines.append("INCOMPLETE: some sources could not be fully scanned (see Errors).")
    return tuple(line for line in lines if line)


def _revocations(items: list[KeyEvidence]) -> Table:
    rows = []
    for rank, item in enumerate(revocation_list(items), 1):
        finding, key, first = item.finding, item.key, item.first
        rows.append(
            (
                str(rank),
                item.name,
                finding.owner or "–",
                finding.preview,
                finding.kind.value,
                finding.severity.value,
                item.present_state,
                _first(first),
                str(len(item.copies)),
                finding.due or "–",
                (key.revoke if key else None) or "–",
            )
        )
    return Table(
        "Revocation list",
        "Most urgent first: still present, then kind, severity, due date, oldest first copy.",
        (
            "#",
            "key or rule",
            "owner",
            "value",
            "kind",
            "severity",
            "still present",
            "first copied",
            "places",
            "due",
            "revocation path",
        ),
        tuple(rows),
    )


def _first(copy: Copy | None) -> str:
    if copy is None:
        return "undated"
    return f"{copy.location.date} by {copy.location.author or 'unknown'}"


def _timeline(items: list[KeyEvidence]) -> Table:
    rows = tuple(
        (
            copy.location.date or "undated",
            name(copy.finding),
            copy.location.author or "–",
            copy.occurrence.source,
            copy.location.repo or copy.location.url or "–",
            place(copy.location),
            copy.presence.state
            + (f" ({', '.join(copy.presence.refs)})" if copy.presence.refs else ""),
        )
        for copy in timeline(items)
    )
    return Table(
        "Timeline of first copies",
        "The first copy at each place, oldest first; undated places (working trees, folders,"
        " unreachable blobs) last.",
        ("date", "key or rule", "by", "source", "repository or URL", "place", "now"),
        rows,
    )


def _sources(found: Investigation) -> Table:
    rows = tuple(
        (
            display_url(run.source.name),
            run.source.kind,
            "complete" if run.complete else "FAILED",
            str(run.chunks),
            str(run.bytes),
        )
        for run in found.runs
    )
    return Table("Sources", "", ("source", "kind", "status", "objects", "bytes"), rows)
