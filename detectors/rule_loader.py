"""Reading rule files: keysprawl's own format, and gitleaks configurations.

A keysprawl rule file says `schema = "keysprawl-rules/1"` and is validated strictly (an unknown
key is an error: a typo must not silently disable an allowlist). Any other TOML file is read as
a gitleaks configuration, a widely used format: `[[rules]]` with `regex`, `secretGroup`,
`keywords`, `entropy`, `tags` and allowlists map onto the same rules; what has no equivalent
(path-only rules, `extend`) is skipped with a warning rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.rule_model import FIRST_GROUP, Allowlist, Rule, RuleSet
from scanner.cache import parsed_toml
from scanner.errors import ConfigError
from scanner.model import Severity

SCHEMA = "keysprawl-rules/1"
_RULE_KEYS = frozenset(
    {
        "id",
        "description",
        "regex",
        "secret_group",
        "keywords",
        "entropy",
        "severity",
        "tags",
        "allowlist",
        "allowlists",
        "examples",
        "negative_examples",
        "sample",
    }
)
_ALLOWLIST_KEYS = frozenset({"regexes", "stopwords", "paths", "regex_target", "description"})
_REGEX_TARGETS = ("secret", "match", "line")


@dataclass(frozen=True, slots=True)
class LoadedRules:
    rule_set: RuleSet
    warnings: tuple[str, ...] = ()


def load_sources(sources: Iterable[Path]) -> LoadedRules:
    """Rules from folders (every `*.toml` inside, sorted) and single files, ids unique."""
    rules: list[Rule] = []
    allowlists: list[Allowlist] = []
    warnings: list[str] = []
    for path in _rule_files(sources):
        document = _read(path)
        if document.get("schema") == SCHEMA:
            file_rules, file_allowlists = parse_keysprawl(document, path)
        else:
            file_rules, file_allowlists, notes = parse_gitleaks(document, path)
            warnings.extend(notes)
        rules.extend(file_rules)
        allowlists.extend(file_allowlists)
    _check_unique(rules)
    # Specific rules first: when two rules match one value, the specific rule names it.
    ordered = tuple(sorted(rules, key=lambda rule: rule.generic))
    return LoadedRules(RuleSet(ordered, tuple(allowlists)), tuple(warnings))


def _rule_files(sources: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(source.glob("*.toml")))
        elif source.is_file():
            files.append(source)
        else:
            raise ConfigError(f"rules not found: {source}")
    return files


def _read(path: Path) -> dict[str, Any]:
    """The parsed TOML (cached as JSON by the file's digest: see `parsed_toml`)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read rules {path}: {error.strerror}") from None
    return parsed_toml(raw, "rulefile", lambda data: _parse_toml(data, path))


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    import tomllib  # deferred: the hook reads the cached JSON copy and never needs it

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: malformed TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _check_unique(rules: list[Rule]) -> None:
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(
                f"rule id {rule.id!r} is defined twice ({seen[rule.id]}, {rule.source})"
            )
        seen[rule.id] = rule.source


# keysprawl format ---------------------------------------------------------------------------


def parse_keysprawl(
    document: Mapping[str, Any], path: Path
) -> tuple[list[Rule], tuple[Allowlist, ...]]:
    unknown = set(document) - {"schema", "rules", "allowlist"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level keys: {', '.join(sorted(unknown))}")
    entries = document.get("rules", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'rules' must be an array of tables ([[rules]])")
    rules = [_keysprawl_rule(entry, index, path) for index, entry in enumerate(entries, 1)]
    glob = document.get("allowlist", {})
    return rules, (parse_allowlist(glob, f"{path}: [allowlist]"),) if glob else ()


def _keysprawl_rule(entry: object, index: int, path: Path) -> Rule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: rule #{index} must be a table")
    rule_id = entry.get("id")
    where = f"{path}: rule {rule_id!r}" if isinstance(rule_id, str) else f"{path}: rule #{index}"
    unknown = set(entry) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")
    for required in ("id", "description", "regex"):
        _require_text(entry, required, where)
    allowlists = _rule_allowlists(entry, where)
    return Rule(
        id=entry["id"],
        description=entry["description"],
        regex=entry["regex"],
        secret_group=_integer(entry, "secret_group", where, default=1),
        keywords=tuple(k.lower() for k in _texts(entry, "keywords", where)),
        entropy=_number(entry, "entropy", where),
        severity=_severity(entry, where),
        tags=_texts(entry, "tags", where),
        allowlists=allowlists,
        examples=_texts(entry, "examples", where),
        negative_examples=_texts(entry, "negative_examples", where),
        sample=entry.get("sample") if isinstance(entry.get("sample"), str) else None,
        source=str(path),
    )


def _rule_allowlists(entry: Mapping[str, Any], where: str) -> tuple[Allowlist, ...]:
    found = []
    if "allowlist" in entry:
        found.append(parse_allowlist(entry["allowlist"], f"{where}: allowlist"))
    for number, table in enumerate(entry.get("allowlists", []), 1):
        found.append(parse_allowlist(table, f"{where}: allowlists #{number}"))
    return tuple(found)


def parse_allowlist(table: object, where: str) -> Allowlist:
    """A keysprawl allowlist table (a rule's, a rule file's or the config's `[allowlist]`)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(table) - _ALLOWLIST_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")
    target = table.get("regex_target", "secret")
    if target not in _REGEX_TARGETS:
        raise ConfigError(f"{where}: regex_target must be one of {', '.join(_REGEX_TARGETS)}")
    return Allowlist(
        regexes=_texts(table, "regexes", where),
        stopwords=tuple(s.lower() for s in _texts(table, "stopwords", where)),
        paths=_texts(table, "paths", where),
        regex_target=target,
    )


def _require_text(entry: Mapping[str, Any], name: str, where: str) -> None:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{name}' must be a non-empty string")


def _texts(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{name}' must be a list of strings")
    return tuple(value)


def _integer(entry: Mapping[str, Any], name: str, where: str, *, default: int) -> int:
    value = entry.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}: '{name}' must be a non-negative integer")
    return value


def _number(entry: Mapping[str, Any], name: str, where: str) -> float | None:
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 8:
        raise ConfigError(f"{where}: '{name}' must be a number of bits between 0 and 8")
    return float(value)


def _severity(entry: Mapping[str, Any], where: str) -> Severity:
    value = entry.get("severity", Severity.HIGH.value)
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{where}: severity must be one of {names}") from None


# gitleaks format ----------------------------------------------------------------------------


def parse_gitleaks(
    document: Mapping[str, Any], path: Path
) -> tuple[list[Rule], tuple[Allowlist, ...], list[str]]:
    warnings: list[str] = []
    if "extend" in document:
        warnings.append(f"{path}: 'extend' is not supported; only this file's rules are used")
    rules: list[Rule] = []
    for index, entry in enumerate(document.get("rules", []), 1):
        rule = _gitleaks_rule(entry, index, path, warnings)
        if rule is not None:
            rules.append(rule)
    tables = list(document.get("allowlists", []))
    if isinstance(document.get("allowlist"), dict):
        tables.append(document["allowlist"])
    found = tuple(_gitleaks_allowlist(table, f"{path}: global allowlist") for table in tables)
    return rules, found, warnings


def _gitleaks_rule(entry: object, index: int, path: Path, warnings: list[str]) -> Rule | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ConfigError(f"{path}: rule #{index} needs an 'id'")
    where = f"{path}: rule {entry['id']!r}"
    if not isinstance(entry.get("regex"), str):
        warnings.append(f"{where}: skipped (path-only rules are not supported)")
        return None
    if "path" in entry:
        warnings.append(f"{where}: skipped (rules restricted to a path are not supported)")
        return None
    tables = list(entry.get("allowlists", []))
    if isinstance(entry.get("allowlist"), dict):
        tables.append(entry["allowlist"])
    return Rule(
        id=entry["id"],
        description=str(entry.get("description", entry["id"])),
        regex=_from_re2(entry["regex"]),
        secret_group=_gitleaks_group(entry, where),
        keywords=tuple(k.lower() for k in _texts(entry, "keywords", where)),
        entropy=_number(entry, "entropy", where),
        severity=Severity.HIGH,
        tags=_texts(entry, "tags", where),
        allowlists=tuple(_gitleaks_allowlist(table, f"{where}: allowlist") for table in tables),
        source=str(path),
        imported=True,
    )


def _gitleaks_group(entry: Mapping[str, Any], where: str) -> int:
    """gitleaks takes `secretGroup`, else the first group that matched, else the whole match."""
    explicit = _integer(entry, "secretGroup", where, default=0)
    if explicit:
        return explicit
    import regex  # deferred: only gitleaks imports need the group count here

    try:
        groups = regex.compile(_from_re2(entry["regex"])).groups
    except regex.error:
        return 0  # reported by `rules check`
    return FIRST_GROUP if groups else 0


def _gitleaks_allowlist(table: object, where: str) -> Allowlist:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    target = table.get("regexTarget", "secret")
    return Allowlist(
        regexes=tuple(_from_re2(r) for r in _texts(table, "regexes", where)),
        stopwords=tuple(s.lower() for s in _texts(table, "stopwords", where)),
        paths=tuple(_from_re2(p) for p in _texts(table, "paths", where)),
        regex_target=target if target in _REGEX_TARGETS else "secret",
    )


def _from_re2(pattern: str) -> str:
    """RE2 spellings Python's `regex` reads differently."""
    return pattern.replace(r"\z", r"\Z")
