"""Each format's contract: JSON against the shipped schema, SARIF against the official 2.1.0
schema, HTML self-contained, CSV and Markdown safe against hostile file names."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from fixed_scan import GENERATED, TODAY, scan_report

from scanner.model import Finding, Kind, Location, Occurrence, Severity
from scanner.report.csv_rows import render_csv
from scanner.report.document import Report
from scanner.report.html_page import render_html
from scanner.report.machine import render_json
from scanner.report.markdown import render_markdown
from scanner.report.sarif import render_sarif
from scanner.report.schema import report_schema

ROOT = Path(__file__).parents[3]
SARIF_SCHEMA = ROOT / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


def rendered(render: object, report: Report) -> str:
    out = io.StringIO()
    render(report, out)  # type: ignore[operator]
    return out.getvalue()


def hostile_report() -> Report:
    """Places named by scanned content: formulas, markup, pipes, a javascript: URL."""
    places = [
        Location("file", path="=HYPERLINK(\"http://evil\")|x.env", line=1, column=1),
        Location("github-issue", url="javascript:alert(1)", field="comment", visibility="public"),
        Location("file", path="<script>alert(1)</script>.md", line=2, column=3),
        Location("gitlab-note", url="https://gitlab.example/a/b/-/issues/3#note_9", line=4,
                 column=1, visibility="private"),
    ]  # fmt: skip
    occurrences = [
        Occurrence(Kind.EXPOSURE, Severity.CRITICAL, place, place.source, due="2026-03-02")
        for place in places
    ]
    finding = Finding("sha256:" + "0" * 64, "…abcd", "k", "team|x", occurrences=occurrences)
    return Report([finding], [], GENERATED, "scan")


def test_json_matches_the_shipped_schema(tmp_path: Path):
    report, *_ = scan_report(tmp_path)
    jsonschema.validate(json.loads(rendered(render_json, report)), report_schema())
    jsonschema.validate(json.loads(rendered(render_json, hostile_report())), report_schema())


def test_the_schema_rejects_a_broken_report(tmp_path: Path):
    report, *_ = scan_report(tmp_path)
    document = json.loads(rendered(render_json, report))
    document["findings"][0]["kind"] = "leaked"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_schema())


@pytest.mark.parametrize("which", ["scan", "hostile", "empty"])
def test_sarif_is_valid_2_1_0(which: str, tmp_path: Path):
    report = {
        "scan": lambda: scan_report(tmp_path)[0],
        "hostile": hostile_report,
        "empty": lambda: Report([], [], GENERATED, "scan"),
    }[which]()
    log = json.loads(rendered(render_sarif, report))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_fingerprints_survive_moved_lines(tmp_path: Path):
    report, *_ = scan_report(tmp_path)
    first = json.loads(rendered(render_sarif, report))["runs"][0]["results"]
    for finding in report.findings:
        finding.occurrences = [
            Occurrence(o.kind, o.severity, o.location.at((o.location.line or 1) + 10, 1), o.source,
                       o.encodings, o.rule_id, o.due)
            for o in finding.occurrences
        ]  # fmt: skip
    moved = json.loads(rendered(render_sarif, report))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in moved]
    assert len({r["partialFingerprints"]["keysprawlOccurrence/v1"] for r in first}) == len(first)
    assert next(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved) > 10


def test_html_is_self_contained_and_escaped():
    page = rendered(render_html, hostile_report())
    assert "<script" not in page
    assert not re.search(r"<(link|img|iframe|object|embed|video|audio|source)\b", page)
    assert not re.search(r"url\(|@import|src=", page)
    assert 'href="javascript:' not in page
    assert 'href="https://gitlab.example/a/b/-/issues/3#note_9"' in page
    assert "&lt;script&gt;" in page


def test_csv_cells_never_start_a_formula():
    rows = list(csv.DictReader(io.StringIO(rendered(render_csv, hostile_report()))))
    assert rows[0]["path"].startswith("'=HYPERLINK")
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_markdown_cells_cannot_break_the_table():
    text = rendered(render_markdown, hostile_report())
    table = [line for line in text.splitlines() if line.startswith("| exposure")]
    assert len(table) == 4
    assert all(line.count(" | ") == 7 for line in table)  # escaped pipes are not separators
    assert "<script>" not in text


def test_a_report_from_a_scan_marks_past_due_exposures_overdue(tmp_path: Path):
    report, result, inventory, _ = scan_report(tmp_path)
    later = Report.from_scan(
        result,
        {k.id: k for k in inventory.keys},
        generated=GENERATED,
        today=TODAY.replace(day=20),
    )
    assert {item.state for item in report.worklist} == {"open"}
    assert {item.state for item in later.worklist} == {"overdue"}


def test_text_is_coloured_only_when_asked(tmp_path: Path):
    from scanner.report.text import render_text

    report, _, inventory, _ = scan_report(tmp_path)
    keys = {key.id: key for key in inventory.keys}
    plain, coloured = io.StringIO(), io.StringIO()
    render_text(report, plain, keys)
    render_text(report, coloured, keys, color=True)
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[1;31mEXPOSED\x1b[0m payments-webhook" in coloured.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.getvalue()) == plain.getvalue()
