"""`keysprawl config check`: every mistake in keysprawl.toml, each with its line and key."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from scanner import config as config_module
from scanner import inventory as inventory_module
from scanner import setup
from scanner.errors import ConfigError
from scanner.sweep.settings import check_parts
from scanner.sweep.sources import SourceLines, parse_source


def check_config(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"cannot read config file {path}: {error}"]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [f"{path}: malformed TOML: {error}"]
    problems: list[str] = []
    try:
        config = config_module.parse(text, path)
    except ConfigError as error:
        problems.append(str(error))
        config = config_module.Config(path=path, document=document)
    problems += check_parts(config)
    problems += _failures(lambda: setup.config_allowlist(config))  # [services]: in check_parts
    problems += _source_problems(document, path, text)
    problems += _inventory_problems(document, path)
    return problems


def _failures(*checks: Callable[[], object]) -> list[str]:
    problems = []
    for check in checks:
        try:
            check()
        except ConfigError as error:
            problems.append(str(error))
    return problems


def _source_problems(document: dict[str, object], path: Path, text: str) -> list[str]:
    entries = document.get("sources", [])
    if not isinstance(entries, list):
        return [f"{path}: 'sources' must be an array of tables ([[sources]])"]
    where = SourceLines(path, text)
    problems = []
    for index, entry in enumerate(entries):
        try:
            parse_source(entry, index, path.parent, where)
        except ConfigError as error:
            problems.append(str(error))
    return problems


def _inventory_problems(document: dict[str, object], path: Path) -> list[str]:
    named = document.get("inventory")
    if not isinstance(named, str) or not named:
        return []
    try:
        inventory_module.load(path.parent / named)
    except ConfigError as error:
        return [str(error)]
    return []
