"""The registry of output formats: name → renderer. Every renderer masks secrets.

Renderers are imported when used, so the pre-commit hook (jsonl or its own text) does not pay
for HTML, CSV and SARIF on every commit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO, cast

from scanner.report.document import Report

Renderer = Callable[[Report, TextIO], None]

# text is rendered by scanner.report.text, which also takes the inventory and colour.
MACHINE_FORMATS: dict[str, str] = {
    "json": "scanner.report.machine:render_json",
    "jsonl": "scanner.report.machine:render_jsonl",
    "sarif": "scanner.report.sarif:render_sarif",
    "csv": "scanner.report.csv_rows:render_csv",
    "markdown": "scanner.report.markdown:render_markdown",
    "html": "scanner.report.html_page:render_html",
}
FORMATS = ("text", *MACHINE_FORMATS)


def renderer(output_format: str) -> Renderer:
    module, function = MACHINE_FORMATS[output_format].split(":")
    return cast(Renderer, getattr(importlib.import_module(module), function))
