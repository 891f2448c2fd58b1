"""`--format json` and `--format jsonl`."""

from __future__ import annotations

import json
from typing import TextIO

from scanner.report.document import Report
from scanner.report.records import occurrence_record, report_record


def render_jsonl(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        for occurrence in finding.occurrences:
            out.write(json.dumps(occurrence_record(finding, occurrence), sort_keys=True) + "\n")


def render_json(report: Report, out: TextIO) -> None:
    json.dump(report_record(report), out, indent=2, sort_keys=True)
    out.write("\n")
