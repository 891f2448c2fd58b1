"""The sweep's reports: the store's worklist and findings, in each configured format, and one
Markdown worklist per owning team (what each team must revoke, and by when)."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scanner.model import Problem
from scanner.report.document import Report
from scanner.report.from_store import store_report
from scanner.report.render import renderer
from scanner.store.store import Store, timestamp

EXTENSIONS = {
    "json": "json",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "csv": "csv",
    "markdown": "md",
    "html": "html",
}


@dataclass(frozen=True, slots=True)
class WrittenReports:
    folder: Path
    reports: tuple[Path, ...]  # keysprawl.<ext>, one a format
    worklists: tuple[Path, ...]  # worklist/<team>.md, one a team


def write_reports(
    store: Store, folder: Path, formats: Sequence[str], problems: Sequence[Problem], *, today: date
) -> WrittenReports:
    report = dataclasses.replace(
        store_report(store, today=today, generated=timestamp()), problems=list(problems)
    )
    folder.mkdir(parents=True, exist_ok=True)
    written = [_write(folder / f"keysprawl.{EXTENSIONS[name]}", report, name) for name in formats]
    worklists = [
        _write(folder / "worklist" / f"{_file_name(owner)}.md", team_report, "markdown")
        for owner, team_report in _by_owner(report)
    ]
    return WrittenReports(folder, tuple(written), tuple(worklists))


def _by_owner(report: Report) -> Iterator[tuple[str, Report]]:
    owners = sorted({item.owner or "unowned" for item in report.worklist})
    for owner in owners:
        items = [item for item in report.worklist if (item.owner or "unowned") == owner]
        keys = {item.key_id for item in items}
        findings = [f for f in report.findings if f.key_id in keys]
        yield owner, dataclasses.replace(report, worklist=items, findings=findings, problems=[])


def _file_name(owner: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", owner).strip("-.") or "unowned"


def _write(path: Path, report: Report, name: str) -> Path:
    """Atomically: a reader (a web server, a CI artifact step) never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            renderer(name)(report, out)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
