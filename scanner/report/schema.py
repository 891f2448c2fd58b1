"""The JSON Schema of `--format json`, shipped in the package (scanner/schemas/)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

REPORT_SCHEMA = "report.schema.json"


def report_schema() -> dict[str, Any]:
    text = resources.files("scanner").joinpath("schemas", REPORT_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
