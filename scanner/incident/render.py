"""The incident report as Markdown and as one self-contained HTML page (no scripts, no
fetched resources; every cell escaped)."""

from __future__ import annotations

from html import escape
from typing import TextIO

from scanner.incident.tables import IncidentReport, Table
from scanner.report.html_page import _STYLE  # one look for every keysprawl page
from scanner.report.markdown import escape as md


def render_markdown(report: IncidentReport, out: TextIO) -> None:
    out.write(f"# {md(report.title)}\n\n")
    for line in report.summary:
        out.write(f"{md(line)}\n\n")
    for table in report.tables:
        _markdown_table(table, out)
    for title, lines in (("Errors", report.errors), ("Notes", report.notes)):
        if lines:
            out.write(f"## {title}\n\n")
            out.writelines(f"- {md(line)}\n" for line in lines)
            out.write("\n")


def _markdown_table(table: Table, out: TextIO) -> None:
    out.write(f"## {md(table.title)}\n\n")
    if table.intro:
        out.write(f"{md(table.intro)}\n\n")
    if not table.rows:
        out.write("None.\n\n")
        return
    out.write("| " + " | ".join(md(h) for h in table.headers) + " |\n")
    out.write("|" + "---|" * len(table.headers) + "\n")
    for row in table.rows:
        out.write("| " + " | ".join(md(cell) for cell in row) + " |\n")
    out.write("\n")


def render_html(report: IncidentReport, out: TextIO) -> None:
    title = escape(report.title)
    out.write('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    out.write(f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n")
    out.write(f"<h1>{title}</h1>\n")
    out.writelines(f"<p>{escape(line)}</p>\n" for line in report.summary)
    for table in report.tables:
        _html_table(table, out)
    for title, lines in (("Errors", report.errors), ("Notes", report.notes)):
        if lines:
            out.write(f"<h2>{title}</h2>\n<ul>\n")
            out.writelines(f"<li>{escape(line)}</li>\n" for line in lines)
            out.write("</ul>\n")
    out.write("</body>\n</html>\n")


def _html_table(table: Table, out: TextIO) -> None:
    out.write(f"<h2>{escape(table.title)}</h2>\n")
    if table.intro:
        out.write(f"<p>{escape(table.intro)}</p>\n")
    if not table.rows:
        out.write("<p>None.</p>\n")
        return
    out.write("<table>\n<tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.headers))
    out.write("</tr>\n")
    for row in table.rows:
        out.write("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>\n")
    out.write("</table>\n")
