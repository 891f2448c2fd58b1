"""Writing a report to stdout or --output (the exit code it earns: `scanner.cli.outcome`)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from scanner.clock import timestamp, today_utc
from scanner.engine import ScanResult
from scanner.errors import UsageError
from scanner.inventory import InventoryKey
from scanner.model import Kind
from scanner.report import render as formats
from scanner.report.document import Report
from scanner.report.text import render_text

FORMATS = formats.FORMATS
NO_COLOR_ENV = "NO_COLOR"
DEFAULT_FAIL_ON = frozenset({Kind.EXPOSURE, Kind.STALE, Kind.UNMANAGED})


@contextlib.contextmanager
def opened_output(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8") as stream:
            yield stream
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


def render(
    result: ScanResult, output_format: str, out: TextIO, keys: Mapping[str, InventoryKey]
) -> None:
    report = Report.from_scan(result, keys, generated=timestamp(), today=today_utc())
    render_report(report, output_format, out, keys)


def render_report(
    report: Report, output_format: str, out: TextIO, keys: Mapping[str, InventoryKey]
) -> None:
    if output_format == "text":
        render_text(report, out, keys, color=wants_color(out))
    else:
        formats.renderer(output_format)(report, out)


def wants_color(out: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return out.isatty() and not os.environ.get(NO_COLOR_ENV)
