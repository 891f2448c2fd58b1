"""`--format html`: one self-contained page a responder can open or attach to an incident.

Summary, the worklist by owning team, a timeline of first-seen dates, and every location with
a link where one exists. No scripts, fonts, images or stylesheets are fetched: the styles are
inline, so the page works offline and leaks nothing when opened. Every value is escaped, and
only http(s) URLs become links.
"""

from __future__ import annotations

from html import escape
from typing import TextIO

from scanner.report.document import Report, WorkItem
from scanner.report.text import name, place

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;max-width:80em}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-family:ui-monospace,monospace}
.critical,.overdue{color:#b00020;font-weight:600}.high{color:#c2410c}.medium{color:#a16207}
.low,.closed{color:#57606a}.summary span{margin-right:1.5em}
"""


def _link(location_url: str | None, text: str) -> str:
    if location_url and location_url.startswith(("https://", "http://")):
        return f'<a href="{escape(location_url)}" rel="noreferrer">{escape(text)}</a>'
    return escape(text)


def render_html(report: Report, out: TextIO) -> None:
    out.write('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    out.write("<title>keysprawl report</title>\n")
    out.write(f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>keysprawl report</h1>\n")
    _summary(report, out)
    _worklist(report, out)
    _timeline(report, out)
    _locations(report, out)
    _errors(report, out)
    out.write("</body>\n</html>\n")


def _summary(report: Report, out: TextIO) -> None:
    out.write('<section class="summary"><h2>Summary</h2><p>')
    out.write(f"<span>generated {escape(report.generated)} from the {escape(report.origin)}</span>")
    for kind, count in sorted(report.counts().items()):
        out.write(f'<span class="{escape(kind)}">{count} {escape(kind)}</span>')
    if not report.complete:
        out.write('<span class="critical">incomplete: some sources could not be read</span>')
    out.write("</p></section>\n")


def _worklist(report: Report, out: TextIO) -> None:
    out.write("<section><h2>Revocation worklist</h2>\n")
    if not report.worklist:
        out.write("<p>Nothing to revoke.</p>\n")
    for owner, items in report.by_owner():
        out.write(f"<h3>{escape(owner)}</h3>\n<table><tr><th>state</th><th>key</th>")
        out.write("<th>value</th><th>severity</th><th>purpose</th><th>scope</th>")
        out.write("<th>found in</th><th>since</th><th>due</th><th>revocation</th></tr>\n")
        for item in items:
            _work_row(item, out)
        out.write("</table>\n")
    out.write("</section>\n")


def _work_row(item: WorkItem, out: TextIO) -> None:
    places = "<br>".join(_link(loc.url, place(loc)) for loc in item.locations)
    revocation = (
        f"closed {escape(item.closed_at)} ({escape(item.closed_reason or '')})"
        if item.closed_at
        else _link(item.revoke, item.revoke or "(none recorded)")
    )
    cells = [
        f'<td class="{escape(item.state)}">{escape(item.state)}</td>',
        f"<td>{escape(item.key_id)}</td>",
        f"<td><code>{escape(item.preview)}</code></td>",
        f'<td class="{item.severity.value}">{item.severity.value}</td>',
        f"<td>{escape(item.purpose or '')}</td>",
        f"<td>{escape(item.scope or '')}</td>",
        f"<td>{places}</td>",
        f"<td>{escape(item.first_seen[:10])}</td>",
        f"<td>{escape(item.due or '')}</td>",
        f"<td>{revocation}</td>",
    ]
    out.write("<tr>" + "".join(cells) + "</tr>\n")


def _timeline(report: Report, out: TextIO) -> None:
    """First-seen dates of every copy, oldest first (a scan's copies were first seen now)."""
    events = [
        (
            report.first_seen.get(o.occurrence_id(f.finding_id), report.generated),
            name(f),
            o,
        )
        for f in report.findings
        for o in f.occurrences
    ]
    events.sort(key=lambda event: event[:2])  # by date, then key; stable otherwise
    out.write("<section><h2>Timeline</h2>\n<table><tr><th>first seen</th><th>kind</th>")
    out.write("<th>key or rule</th><th>place</th></tr>\n")
    for seen, key_or_rule, occurrence in events:
        out.write(
            f"<tr><td>{escape(seen)}</td><td>{occurrence.kind.value}</td><td>{escape(key_or_rule)}</td>"
            f"<td>{_link(occurrence.location.url, place(occurrence.location))}</td></tr>\n"
        )
    out.write("</table></section>\n")


def _locations(report: Report, out: TextIO) -> None:
    out.write("<section><h2>Every location</h2>\n<table><tr><th>kind</th><th>severity</th>")
    out.write("<th>key or rule</th><th>value</th><th>owner</th><th>source</th><th>place</th>")
    out.write("<th>author</th><th>date</th><th>encodings</th></tr>\n")
    for finding in report.findings:
        for o in finding.occurrences:
            loc = o.location
            cells = [
                o.kind.value,
                f'<span class="{o.severity.value}">{o.severity.value}</span>',
                escape(name(finding)),
                f"<code>{escape(finding.preview)}</code>",
                escape(finding.owner or ""),
                escape(o.source),
                _link(loc.url, place(loc)),
                escape(loc.author or ""),
                escape(loc.date or ""),
                escape("+".join(o.encodings)),
            ]
            out.write("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n")
    out.write("</table></section>\n")


def _errors(report: Report, out: TextIO) -> None:
    if not report.problems:
        return
    out.write('<section><h2 class="critical">Errors</h2><ul>\n')
    for problem in report.problems:
        text = f"{problem.source} {problem.where}: {problem.message}"
        out.write(f"<li>{escape(text)}</li>\n")
    out.write("</ul></section>\n")
