"""Rule files shipped with keysprawl (data; see the TOML files beside this module)."""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).parent
