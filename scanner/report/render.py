"""The registry of output formats: name → renderer. Every renderer masks secrets."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from scanner.report.csv_rows import render_csv
from scanner.report.document import Report
from scanner.report.html_page import render_html
from scanner.report.machine import render_json, render_jsonl
from scanner.report.markdown import render_markdown
from scanner.report.sarif import render_sarif

Renderer = Callable[[Report, TextIO], None]

# text is rendered by scanner.report.text, which also takes the inventory and colour.
MACHINE_FORMATS: dict[str, Renderer] = {
    "json": render_json,
    "jsonl": render_jsonl,
    "sarif": render_sarif,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}
FORMATS = ("text", *MACHINE_FORMATS)
