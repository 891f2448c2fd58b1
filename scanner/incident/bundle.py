"""The evidence bundle: findings.jsonl, report.md, report.html, then manifest.json with the
SHA-256 of every other file, the tool version, the digests of the inventory and rules used,
the exact scope and the scan's start and end. Nothing in it holds a value in plaintext."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from connectors.git_clone import display_url
from scanner import __version__
from scanner.errors import UsageError
from scanner.incident import render
from scanner.incident.evidence import KeyEvidence, evidence
from scanner.incident.investigate import Investigation
from scanner.incident.status import UNKNOWN, Presence
from scanner.incident.tables import incident_report
from scanner.model import Finding
from scanner.report.records import occurrence_record

FINDINGS = "findings.jsonl"
MARKDOWN = "report.md"
HTML = "report.html"
MANIFEST = "manifest.json"


def prepare_out(out: Path) -> None:
    """Creates `out`; one that holds files already is refused: evidence is never mixed."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: must be a new or empty folder (evidence is not mixed)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {out}: cannot create it ({error.strerror})") from None


def write_bundle(found: Investigation, out: Path) -> list[Path]:
    """Writes the bundle into `out` (see `prepare_out`)."""
    out.mkdir(parents=True, exist_ok=True)
    items = evidence(found)
    report = incident_report(found, items)
    writers: dict[str, Callable[[TextIO], None]] = {
        FINDINGS: lambda stream: _findings(found, items, stream),
        MARKDOWN: lambda stream: render.render_markdown(report, stream),
        HTML: lambda stream: render.render_html(report, stream),
    }
    digests = {}
    for name, write in writers.items():
        with (out / name).open("w", encoding="utf-8", newline="\n") as stream:
            write(stream)
        digests[name] = "sha256:" + hashlib.sha256((out / name).read_bytes()).hexdigest()
    manifest = json.dumps(_manifest(found, digests), indent=2, sort_keys=True)
    (out / MANIFEST).write_text(manifest + "\n", encoding="utf-8")
    return [out / name for name in (*writers, MANIFEST)]


def _findings(found: Investigation, items: list[KeyEvidence], stream: TextIO) -> None:
    firsts = {
        item.first.occurrence.occurrence_id(item.finding.finding_id) for item in items if item.first
    }
    for finding in found.findings:
        for occurrence in finding.occurrences:
            record = occurrence_record(finding, occurrence)
            presence = found.presence.get(record["occurrence_id"], Presence(UNKNOWN))
            record["presence"] = presence.state
            record["present_at"] = list(presence.refs)
            record["first_copy"] = record["occurrence_id"] in firsts
            stream.write(json.dumps(record, sort_keys=True) + "\n")


def _manifest(found: Investigation, digests: dict[str, str]) -> dict[str, Any]:
    scope = found.scope
    return {
        "tool": {"name": "keysprawl", "version": __version__},
        "scope": {
            "file": str(scope.path),
            "sha256": "sha256:" + hashlib.sha256(scope.path.read_bytes()).hexdigest(),
            "name": scope.name,
            "description": scope.description,
            "window": scope.window.to_dict(),
            "keys": list(scope.keys),
            "sources": [
                _source(run.source.kind, run.source.name, dict(run.source.settings))
                for run in found.runs
            ],
        },
        **found.plan.fingerprints(),
        "scan": {
            "started": found.started,
            "finished": found.finished,
            "complete": found.complete,
            "copies_outside_window": found.outside_window,
            "notes": list(dict.fromkeys(found.notes)),
            "sources": [
                {
                    "name": display_url(run.source.name),
                    "complete": run.complete,
                    "objects": run.chunks,
                    "bytes": run.bytes,
                    "errors": [
                        {"where": display_url(p.where), "message": p.message} for p in run.problems
                    ],
                }
                for run in found.runs
            ],
        },
        "counts": _counts(found.findings),
        "files": digests,
    }


def _source(kind: str, name: str, settings: dict[str, str]) -> dict[str, str]:
    # A URL may carry a user name or token: the manifest records it without.
    shown = {key: display_url(value) for key, value in settings.items()}
    return {"kind": kind, "name": display_url(name), **shown}


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind.value] = counts.get(finding.kind.value, 0) + 1
    return counts
