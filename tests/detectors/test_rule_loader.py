"""Reading rule files: strict keysprawl schema, and gitleaks configurations."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import random_key

from detectors.base import DetectorSpec
from detectors.rule_loader import load_sources
from detectors.rule_model import FIRST_GROUP
from scanner.errors import ConfigError
from scanner.model import Severity

RULE = """
schema = "keysprawl-rules/1"
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''(acme_[a-z0-9]{24})'''
keywords = ["ACME_"]
severity = "critical"
examples = ['x = acme_{{lower:24}}']
"""


def _write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_keysprawl_rule_file_loads_with_its_fields(tmp_path: Path) -> None:
    loaded = load_sources([_write(tmp_path, RULE)])
    (rule,) = loaded.rule_set.rules
    assert (rule.id, rule.severity, rule.keywords, rule.secret_group) == (
        "acme-token",
        Severity.CRITICAL,
        ("acme_",),
        1,
    )
    assert loaded.rule_set.severities() == {"acme-token": Severity.CRITICAL}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("keywords = [", "keyword = ["), "unknown keys: keyword"),
        (('severity = "critical"', 'severity = "urgent"'), "severity must be one of"),
        (('id = "acme-token"\n', ""), "'id' must be a non-empty string"),
        (("regex = '''", "entropy = 9\nregex = '''"), "'entropy' must be a number"),
        (("[[rules]]", "[[rulez]]"), "unknown top-level keys: rulez"),
        (("[[rules]]", "[[rules"), "malformed TOML"),
    ],
)
def test_schema_errors_name_the_file_and_rule(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, RULE.replace(*change))
    with pytest.raises(ConfigError, match=message) as error:
        load_sources([path])
    assert str(path) in str(error.value)


def test_rule_ids_are_unique_across_files(tmp_path: Path) -> None:
    _write(tmp_path, RULE, "a.toml")
    _write(tmp_path, RULE, "b.toml")
    with pytest.raises(ConfigError, match="'acme-token' is defined twice"):
        load_sources([tmp_path])


GITLEAKS = r"""
title = "team gitleaks config"
[[rules]]
id = "acme-key"
description = "ACME key"
regex = '''(?i)acme[\w.-]{0,20}\s*=\s*["']?([a-z0-9]{32})(?:["'\s]|$)'''
secretGroup = 1
entropy = 3.0
keywords = ["Acme"]
tags = ["internal"]
[[rules.allowlists]]
stopwords = ["deadbeef"]
regexTarget = "line"
regexes = ['''test_fixture''']

[[rules]]
id = "one-group"
regex = '''zz-([0-9]{12})'''

[[rules]]
id = "only-paths"
path = '''\.pem$'''

[allowlist]
paths = ['''^vendor/''']
"""


def test_a_gitleaks_config_maps_onto_rules(tmp_path: Path) -> None:
    loaded = load_sources([_write(tmp_path, GITLEAKS, "gitleaks.toml")])
    rules = {rule.id: rule for rule in loaded.rule_set.rules}
    assert set(rules) == {"acme-key", "one-group"}
    assert any("only-paths" in warning for warning in loaded.warnings)
    acme = rules["acme-key"]
    assert (acme.secret_group, acme.entropy, acme.keywords, acme.tags) == (
        1,
        3.0,
        ("acme",),
        ("internal",),
    )
    assert acme.allowlists[0].regex_target == "line"
    assert rules["one-group"].secret_group == FIRST_GROUP  # gitleaks: the first group that matched
    assert loaded.rule_set.allowlist_paths == ("^vendor/",)


def test_imported_gitleaks_rules_match_and_honour_their_allowlists(tmp_path: Path) -> None:
    rule_set = load_sources([_write(tmp_path, GITLEAKS, "gitleaks.toml")]).rule_set
    for accelerate in (False, True):
        detectors = DetectorSpec((), accelerate=accelerate, rules=rule_set).build()
        value = "k3y9q7x2m5v8b1n4c6z0a7s2d9f3g5h1"
        found = detectors.find(f'ACME_KEY = "{value}"\nother = zz-123456789012\n'.encode())
        assert [(m.rule_id, m.line) for m in found] == [("acme-key", 1), ("one-group", 2)]
        assert detectors.find(f'acme_key = "{value}"  # test_fixture\n'.encode()) == []
        assert detectors.find(b'acme_key = "00deadbeef00aaaaaaaaaaaaaaaaaaaa"\n') == []


# Shapes of the rules in gitleaks' own default configuration: a mid-pattern `(?i)`, scoped
# `(?-i:...)`, two alternative capture groups, `\x60`, a rule-level allowlist.
GITLEAKS_DEFAULT_STYLE = r"""
[[rules]]
id = "adobe-client-secret"
regex = '''\b(p8e-(?i)[a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)'''
entropy = 2
keywords = ["p8e-"]

[[rules]]
id = "atlassian-api-token"
regex = '''(?i)[\w.-]{0,50}?(?:(?-i:JIRA|[Jj]ira))(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{20}[a-f0-9]{4})(?:[\x60'"\s;]|\\[nr]|$)|\b(ATATT3[A-Za-z0-9_\-=]{186})(?:[\x60'"\s;]|\\[nr]|$)'''
entropy = 3.5
keywords = ["jira", "atatt3"]

[[rules]]
id = "aws-access-token"
regex = '''\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b'''
keywords = ["akia"]
[[rules.allowlists]]
regexes = ['''.+EXAMPLE$''']
"""


def test_gitleaks_default_style_rules_extract_the_first_matching_group(tmp_path: Path) -> None:
    rule_set = load_sources([_write(tmp_path, GITLEAKS_DEFAULT_STYLE, "gl.toml")]).rule_set
    adobe = "p8e-" + random_key(32)
    jira = random_key(20, alphabet="abcdefghijklmnopqrstuvwxyz0123456789") + "0a1f"
    atlassian = "ATATT3" + random_key(186)
    aws = "AKIA" + random_key(16, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    text = f"s: {adobe}\njira_token={jira}\nX_JIRA={atlassian}\nid={aws}\nid=AKIA{'X' * 9}EXAMPLE\n"
    for accelerate in (False, True):
        found = DetectorSpec((), accelerate=accelerate, rules=rule_set).build().find(text.encode())
        values = [text.encode()[m.start : m.end].decode() for m in found]
        assert sorted(values) == sorted([adobe, jira, atlassian, aws])


# A global allowlist whose regexes look at the line (a fixture marker after the value), and
# one with the default target whose regex fits only the bare secret: each must keep its own.
LINE_ALLOWLIST = """
[allowlist]
regex_target = "line"
regexes = ['''#\\s*fixture''']
"""
SECRET_ALLOWLIST = """
schema = "keysprawl-rules/1"
[allowlist]
regexes = ['''^acme_0{24}$''']
"""


def _global_allowlist_hides(rule_set_path: list[Path]) -> None:
    rule_set = load_sources(rule_set_path).rule_set
    for accelerate in (False, True):
        detectors = DetectorSpec((), accelerate=accelerate, rules=rule_set).build()
        value = "acme_" + random_key(24, alphabet="abcdefghijklmnopqrstuvwxyz")
        assert len(detectors.find(f"x = {value}\n".encode())) == 1
        assert detectors.find(f"x = {value}  # fixture\n".encode()) == []  # the line target
        assert detectors.find(b"x = acme_" + b"0" * 24 + b"\n") == []  # the secret target


def test_global_allowlists_of_several_rule_files_keep_their_regex_targets(
    tmp_path: Path,
) -> None:
    rules = _write(tmp_path, RULE + LINE_ALLOWLIST, "a.toml")
    other = _write(tmp_path, SECRET_ALLOWLIST, "b.toml")
    _global_allowlist_hides([rules, other])


GITLEAKS_GLOBALS = r"""
[[rules]]
id = "acme-token"
regex = '''(acme_[a-z0-9]{24})'''
keywords = ["acme_"]

[allowlist]
regexTarget = "line"
regexes = ['''#\s*fixture''']

[[allowlists]]
regexes = ['''^acme_0{24}$''']
"""


def test_global_allowlists_of_a_gitleaks_config_keep_their_regex_targets(
    tmp_path: Path,
) -> None:
    _global_allowlist_hides([_write(tmp_path, GITLEAKS_GLOBALS, "gitleaks.toml")])
