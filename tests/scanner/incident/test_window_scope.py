"""The incident's time window and scope file, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.incident.scope import load_scope
from scanner.incident.window import Window, WindowError


def test_window_bounds_are_inclusive_days_and_instants_compare_across_offsets() -> None:
    window = Window.parse("2026-10-01", "2026-10-31")
    assert window.holds("2026-10-01T00:00:00+00:00")
    assert window.holds("2026-10-31T23:59:59Z")
    assert not window.holds("2026-11-01T00:00:00+00:00")
    assert not window.holds("2026-09-30T23:59:59+00:00")
    assert window.holds("2026-09-30T22:00:00-05:00")  # 03:00 UTC on 1 October
    assert window.holds(None) and window.holds("not a date")  # undated copies stay
    assert Window.parse(None, None).unbounded


def test_window_rejects_words_and_reversed_bounds() -> None:
    with pytest.raises(WindowError) as error:
        Window.parse("yesterday", None)
    assert error.value.bound == "since"
    with pytest.raises(WindowError) as error:
        Window.parse("2026-11-02", "2026-11-01T12:00:00")
    assert error.value.bound == "until"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scope.toml"
    path.write_text(text)
    return path


def test_scope_sources_relative_to_the_file_and_command_line_overrides(tmp_path: Path) -> None:
    scope = load_scope(
        write(
            tmp_path,
            'name = "INC-1"\nsince = "2026-01-01"\nkeys = ["a"]\ninventory = "inv.toml"\n'
            '[[sources]]\nkind = "git"\npath = "repo"\n'
            '[[sources]]\nkind = "jira"\nurl = "https://jira.example"\njql = "project = X"\n',
        )
    )
    assert [s.kind for s in scope.sources] == ["git", "jira"]
    assert scope.sources[0].target == str(tmp_path / "repo")
    assert scope.inventory == tmp_path / "inv.toml" and scope.keys == ("a",)
    changed = scope.overridden(keys=None, since=None, until="2026-02-01")
    assert changed.keys == ("a",) and changed.window.since == scope.window.since
    assert changed.window.until is not None and changed.window.until.day == 1
    assert scope.overridden(keys=("b",), since=None, until=None).keys == ("b",)
    with pytest.raises(ConfigError, match="--until"):
        scope.overridden(keys=None, since=None, until="2025-01-01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "has no [[sources]]"),
        ('keys = "a"\n[[sources]]\nkind = "folder"\npath = "."\n', "scope.toml:1: keys"),
        ('builtin_rules = "no"\n[[sources]]\nkind = "folder"\npath = "."\n', ":1: builtin_rules"),
        ('[[sources]]\nkind = "svn"\n', "[[sources]] #1 kind"),
        ('until = 2026-01-01\n[[sources]]\nkind = "folder"\npath = "."\n', ":1: until"),
    ],
)
def test_scope_mistakes_name_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_scope(write(tmp_path, text))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_shipped_example_scope_parses() -> None:
    example = Path(__file__).parents[3] / "examples" / "incident-scope.toml"
    scope = load_scope(example)
    assert [s.kind for s in scope.sources] == ["git", "github", "gitlab", "jira", "folder"]
    assert scope.window.since is not None and scope.window.until is not None
