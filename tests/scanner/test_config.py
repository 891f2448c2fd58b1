"""keysprawl.toml: policy and store settings, with errors that name the line and key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scanner import config
from scanner.errors import ConfigError
from scanner.model import Severity
from scanner.policy import DEFAULT_DUE_AFTER


def test_no_file_means_the_documented_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    loaded = config.load()
    assert loaded.policy.due_after == DEFAULT_DUE_AFTER
    assert loaded.store_path is None


def test_policy_and_store_are_read(tmp_path: Path):
    text = """
[policy]
due_after = { critical = "2d", low = "12w" }
[policy.scope_severity]
"prod*" = "critical"
[store]
path = "state/ks.db"
[sources]
anything = "owned by the sweep"
"""
    loaded = config.parse(text, tmp_path / "keysprawl.toml")
    assert loaded.policy.due_after[Severity.CRITICAL] == timedelta(days=2)
    assert loaded.policy.due_after[Severity.LOW] == timedelta(weeks=12)
    assert loaded.policy.due_after[Severity.HIGH] == DEFAULT_DUE_AFTER[Severity.HIGH]
    assert loaded.policy.scope_severity == {"prod*": Severity.CRITICAL}
    assert loaded.store_path == tmp_path / "state" / "ks.db"
    assert loaded.document["sources"] == {"anything": "owned by the sweep"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[policy]\n\n[policy.due_after]\nhigh = "7x"\n', ":4: [policy.due_after] high"),
        ("[policy]\ndue_afer = {}\n", ":2: [policy] due_afer: unknown setting"),
        ('[policy.due_after]\nurgent = "1d"\n', ":2: [policy.due_after] urgent"),
        ('[policy.scope_severity]\n"prod*" = "severe"\n', "not a severity"),
        ("[store]\npath = 3\n", ":2: [store] path must be a non-empty string"),
        ("[policy\n", "malformed TOML"),
    ],
)
def test_bad_settings_name_line_and_key(text: str, expected: str, tmp_path: Path):
    with pytest.raises(ConfigError) as error:
        config.parse(text, tmp_path / "keysprawl.toml")
    assert expected in str(error.value)
    assert "keysprawl.toml" in str(error.value)


def test_a_named_config_must_exist(tmp_path: Path):
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(str(tmp_path / "missing.toml"))
