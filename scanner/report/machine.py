"""`--format json` and `--format jsonl`."""

from __future__ import annotations

import json
from typing import TextIO

from scanner.engine import ScanResult
from scanner.report.records import occurrence_record, report_record


def render_jsonl(result: ScanResult, out: TextIO) -> None:
    for finding in result.findings:
        for occurrence in finding.occurrences:
            out.write(json.dumps(occurrence_record(finding, occurrence), sort_keys=True) + "\n")


def render_json(result: ScanResult, out: TextIO) -> None:
    json.dump(report_record(result), out, indent=2, sort_keys=True)
    out.write("\n")
