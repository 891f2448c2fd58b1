"""The sweep's part of keysprawl.toml: inventory, sources, `[sweep]`, `[reports]`, `[tickets]`.

inventory = "keysprawl-inventory.toml"     # relative to this file
[sweep]
concurrency = 4          # sources scanned at once
retries = 2              # attempts after the first, for a failing source
max_file_size = "50M"
[reports]
dir = "reports"          # relative to this file
formats = ["json", "html", "sarif", "markdown"]
[tickets]                # optional: a Jira issue per newly exposed key
url = "https://jira.example.com"
token_env = "JIRA_TOKEN"
email_env = "JIRA_EMAIL" # set for Jira Cloud
issue_type = "Task"
projects = { "payments-platform" = "PAY" }   # owning team -> Jira project
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import service_config
from scanner.config import Config
from scanner.config_lines import KeyLines
from scanner.errors import ConfigError
from scanner.sweep.sources import Source, SourceLines, parse_sources

TOP_LEVEL = frozenset(
    {
        "inventory",
        "sources",
        "sweep",
        "reports",
        "tickets",
        "store",
        "policy",
        "rules",
        "baseline",
        "allowlist",
        "services",  # base URLs, token variables, HTTP policy: scanner.service_config
    }
)
_SWEEP_KEYS = frozenset({"concurrency", "retries", "retry_delay", "max_file_size"})
_REPORT_KEYS = frozenset({"dir", "formats"})
_TICKET_KEYS = frozenset({"url", "token_env", "email_env", "issue_type", "projects"})
REPORT_FORMATS = ("json", "jsonl", "sarif", "html", "markdown", "csv")
_SIZE = re.compile(r"^(\d+)([kKmMgG]?)[bB]?$")


@dataclass(frozen=True, slots=True)
class TicketSettings:
    url: str
    projects: Mapping[str, str]
    token_env: str = "JIRA_TOKEN"
    email_env: str | None = None
    issue_type: str = "Task"


@dataclass(frozen=True, slots=True)
class SweepSettings:
    config_path: Path
    inventory: Path | None
    sources: tuple[Source, ...]
    concurrency: int = 4
    retries: int = 2
    retry_delay: float = 5.0  # seconds before the first retry; doubled for each next one
    max_file_size: int = 50 * 1024 * 1024
    report_dir: Path | None = None
    report_formats: tuple[str, ...] = ("json", "html", "sarif")
    tickets: TicketSettings | None = None
    rules: tuple[Path, ...] = ()  # extra rule folders or files, beside the built-in rules
    baseline: Path | None = None


def sweep_settings(config: Config) -> SweepSettings:
    """Everything the sweep needs; the first mistake raises ConfigError (see `check_parts`)."""
    if config.path is None:
        raise ConfigError("the sweep needs a config file: --config FILE or $KEYSPRAWL_CONFIG")
    text = config.path.read_text(encoding="utf-8")
    document, base = config.document, config.path.parent
    where = KeyLines(config.path, text)
    check_top_level(document, where)
    sweep = _table(document, "sweep", _SWEEP_KEYS, where)
    reports = _table(document, "reports", _REPORT_KEYS, where)
    inventory = _string(document, "inventory", None, where)
    return SweepSettings(
        config_path=config.path,
        inventory=base / inventory if inventory else None,
        sources=tuple(parse_sources(document, base, SourceLines(config.path, text))),
        concurrency=_positive(sweep, "concurrency", "sweep", where, 4),
        retries=_positive(sweep, "retries", "sweep", where, 2, minimum=0),
        retry_delay=_seconds(sweep, "retry_delay", where),
        max_file_size=_size(sweep, where),
        report_dir=base / reports["dir"] if _string(reports, "dir", "reports", where) else None,
        report_formats=_formats(reports, where),
        tickets=_tickets(document, where),
        rules=tuple(base / name for name in _paths(document, "rules", where)),
        baseline=base / baseline
        if (baseline := _string(document, "baseline", None, where))
        else None,
    )


def check_top_level(document: Mapping[str, Any], where: KeyLines) -> None:
    for key in document:
        if key not in TOP_LEVEL:
            expected = ", ".join(sorted(TOP_LEVEL))
            raise ConfigError(f"{where(None, key)}: unknown setting (expected {expected})")


def check_parts(config: Config) -> list[str]:
    """Every mistake in the sweep's settings, one message each (for `config check`)."""
    assert config.path is not None
    text = config.path.read_text(encoding="utf-8")
    document, where = config.document, KeyLines(config.path, text)
    checks = [
        lambda: check_top_level(document, where),
        lambda: _string(document, "inventory", None, where),
        lambda: _positive(
            _table(document, "sweep", _SWEEP_KEYS, where), "concurrency", "sweep", where, 4
        ),
        lambda: _positive(
            _table(document, "sweep", _SWEEP_KEYS, where), "retries", "sweep", where, 2, 0
        ),
        lambda: _size(_table(document, "sweep", _SWEEP_KEYS, where), where),
        lambda: _seconds(_table(document, "sweep", _SWEEP_KEYS, where), "retry_delay", where),
        lambda: _formats(_table(document, "reports", _REPORT_KEYS, where), where),
        lambda: _string(_table(document, "reports", _REPORT_KEYS, where), "dir", "reports", where),
        lambda: _tickets(document, where),
        lambda: _paths(document, "rules", where),
        lambda: _string(document, "baseline", None, where),
        lambda: service_config.service_options(document, config.path),
    ]
    problems = [message for check in checks if (message := _failure(check))]
    return list(dict.fromkeys(problems))


def _failure(check: Callable[[], object]) -> str | None:
    try:
        check()
    except ConfigError as error:
        return str(error)
    return None


def _table(
    document: Mapping[str, Any], name: str, allowed: frozenset[str], where: KeyLines
) -> Mapping[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where(None, name)}: must be a table ([{name}])")
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{where(name, key)}: unknown setting (expected {', '.join(sorted(allowed))})"
            )
    return table


def _string(table: Mapping[str, Any], key: str, name: str | None, where: KeyLines) -> str | None:
    value = table.get(key)
    if value is None or (isinstance(value, str) and value):
        return value
    raise ConfigError(f"{where(name, key)}: must be a non-empty string")


def _paths(document: Mapping[str, Any], key: str, where: KeyLines) -> list[str]:
    value = document.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where(None, key)}: must be a list of paths")
    return value


def _positive(
    table: Mapping[str, Any], key: str, name: str, where: KeyLines, default: int, minimum: int = 1
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where(name, key)}: must be an integer ≥ {minimum}")
    return value


def _seconds(table: Mapping[str, Any], key: str, where: KeyLines) -> float:
    value = table.get(key, 5.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where('sweep', key)}: must be a number of seconds ≥ 0")
    return float(value)


def _size(table: Mapping[str, Any], where: KeyLines) -> int:
    value = table.get("max_file_size", "50M")
    found = _SIZE.match(str(value))
    if not found:
        raise ConfigError(f"{where('sweep', 'max_file_size')}: {value!r} is not a size like 50M")
    return (
        int(found.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[found.group(2).lower()]
    )


def _formats(table: Mapping[str, Any], where: KeyLines) -> tuple[str, ...]:
    formats = table.get("formats", ["json", "html", "sarif"])
    if not isinstance(formats, list) or not all(f in REPORT_FORMATS for f in formats):
        raise ConfigError(f"{where('reports', 'formats')}: a list of {', '.join(REPORT_FORMATS)}")
    return tuple(formats)


def _tickets(document: Mapping[str, Any], where: KeyLines) -> TicketSettings | None:
    table = _table(document, "tickets", _TICKET_KEYS, where)
    if not table:
        return None
    url = _string(table, "url", "tickets", where)
    projects = table.get("projects", {})
    if not url:
        raise ConfigError(f"{where('tickets', 'url')}: [tickets] needs the Jira url")
    if not isinstance(projects, dict) or not all(isinstance(v, str) for v in projects.values()):
        raise ConfigError(f'{where("tickets", "projects")}: a table of team = "PROJECT"')
    return TicketSettings(
        url=url,
        projects=dict(projects),
        token_env=_string(table, "token_env", "tickets", where) or "JIRA_TOKEN",
        email_env=_string(table, "email_env", "tickets", where),
        issue_type=_string(table, "issue_type", "tickets", where) or "Task",
    )
