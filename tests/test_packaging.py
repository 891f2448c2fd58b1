"""What a plain (non-editable) `pip install .` ships: every package of the source tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_is_declared_for_installation() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(settings["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("scanner", "detectors", "connectors")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - declared == set(), "packages a wheel would leave out"
    assert "rules" in declared and "rules" in settings["package-data"]
