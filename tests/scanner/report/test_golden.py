"""Golden files: every format of a fixed scan, and of the state store after it.

Regenerate after an intended change with KEYSPRAWL_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from fixed_scan import GENERATED, TODAY, scan_report

from scanner.report.document import Report
from scanner.report.from_store import store_report
from scanner.report.render import FORMATS, renderer
from scanner.report.text import render_text
from scanner.store import writer as writer_module
from scanner.store.store import Store
from scanner.store.writer import StoreWriter

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "csv": "csv",
    "markdown": "md",
    "html": "html",
}
UPDATE_ENV = "KEYSPRAWL_UPDATE_GOLDEN"


def rendered(report: Report, output_format: str, keys: dict[str, object]) -> str:
    out = io.StringIO()
    if output_format == "text":
        render_text(report, out, keys)  # type: ignore[arg-type]
    else:
        renderer(output_format)(report, out)
    return out.getvalue()


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with {UPDATE_ENV}=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    _report, result, inventory, _ = scan_report(tmp_path / "tree")
    monkeypatch.setattr(writer_module, "timestamp", lambda: GENERATED)
    with Store.open(tmp_path / "state.db") as store:
        writer = StoreWriter(store, inventory, command="scan", sources=["tree"])
        for finding in result.findings:
            for occurrence in finding.occurrences:
                writer.add(finding, occurrence)
        writer.finish(chunks=6, size=1, findings=len(result.findings), problems=[])
        return store_report(store, today=TODAY, generated=GENERATED, status=None)


def test_every_format_has_golden_files():
    assert set(EXTENSIONS) == set(FORMATS)


@pytest.mark.parametrize("output_format", FORMATS)
def test_scan_report(output_format: str, tmp_path: Path):
    report, _, inventory, _ = scan_report(tmp_path / "tree")
    keys = {key.id: key for key in inventory.keys}
    check(f"scan.{EXTENSIONS[output_format]}", rendered(report, output_format, keys))


@pytest.mark.parametrize("output_format", FORMATS)
def test_store_report(output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    report = stored(tmp_path, monkeypatch)
    check(f"store.{EXTENSIONS[output_format]}", rendered(report, output_format, {}))
