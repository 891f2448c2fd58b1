"""`--format markdown`: a summary, the worklist by owning team, then every occurrence.

For pasting into a ticket or a pull request comment. Cell text is escaped so a path or a
message from scanned content cannot break the table or inject markup.
"""

from __future__ import annotations

import re
from typing import TextIO

from scanner.report.document import Report, WorkItem
from scanner.report.text import name, place

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def escape(text: object) -> str:
    flat = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", flat) if flat else "–"


def render_markdown(report: Report, out: TextIO) -> None:
    out.write("# keysprawl report\n\n")
    _summary(report, out)
    if report.worklist:
        out.write("## Revocation worklist\n\n")
        for owner, items in report.by_owner():
            _owner(owner, items, out)
    _occurrences(report, out)
    if report.problems:
        out.write("## Errors\n\n")
        for problem in report.problems:
            out.write(f"- {escape(problem.source)} {escape(problem.where)}: ")
            out.write(f"{escape(problem.message)}\n")
        out.write("\n")


def _summary(report: Report, out: TextIO) -> None:
    counts = report.counts()
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing found"
    out.write(f"Generated {report.generated} from the {report.origin}: {found}.")
    if not report.complete:
        out.write(" **Incomplete: some sources could not be fully read.**")
    out.write("\n\n")


def _owner(owner: str, items: list[WorkItem], out: TextIO) -> None:
    out.write(f"### {escape(owner)}\n\n")
    out.write("| state | key | value | severity | purpose | scope | found in | since | due |")
    out.write(" revocation |\n|---|---|---|---|---|---|---|---|---|---|\n")
    for item in items:
        places = "; ".join(escape(place(location)) for location in item.locations)
        cells = [
            f"**{item.state}**" if item.state == "overdue" else item.state,
            escape(item.key_id),
            escape(item.preview),
            item.severity.value,
            escape(item.purpose or ""),
            escape(item.scope or ""),
            places or "–",
            item.first_seen[:10],
            item.due or "–",
            escape(item.revoke or "") if not item.closed_at else f"closed {item.closed_at[:10]}",
        ]
        out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n")


def _occurrences(report: Report, out: TextIO) -> None:
    out.write("## Occurrences\n\n")
    if not report.findings:
        out.write("None.\n\n")
        return
    out.write("| kind | severity | key or rule | value | owner | source | place | due |\n")
    out.write("|---|---|---|---|---|---|---|---|\n")
    for finding in report.findings:
        for occurrence in finding.occurrences:
            cells = [
                occurrence.kind.value,
                occurrence.severity.value,
                escape(name(finding)),
                escape(finding.preview),
                escape(finding.owner or ""),
                escape(occurrence.source),
                escape(place(occurrence.location)),
                occurrence.due or "–",
            ]
            out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n")
