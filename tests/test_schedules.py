"""The schedule examples parse, and every keysprawl command they run exists with those options."""

from __future__ import annotations

import configparser
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from scanner.cli.main import cli

SCHEDULES = Path(__file__).parent.parent / "examples" / "schedules"


def keysprawl_invocations(script: str) -> Iterator[list[str]]:
    for segment in script.replace("\n", " ").split("&&"):
        words = shlex.split(segment)
        if words and (words[0] == "keysprawl" or words[0].endswith("/keysprawl")):
            yield words[1:]


def assert_command_exists(args: list[str]) -> None:
    command: click.Command = cli
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        sub = command.get_command(click.Context(command), args[0])
        assert sub is not None, f"no command {args[0]!r}"
        command, args = sub, args[1:]
    assert not isinstance(command, click.Group), f"{command.name} needs a subcommand"
    declared = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for word in args:
        if word.startswith("--"):
            assert word.split("=")[0] in declared, f"{command.name} has no option {word}"


def commands_in(path: Path) -> list[list[str]]:
    text = path.read_text()
    if path.suffix in (".service", ".timer"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(text)
        lines = [
            value
            for section in parser.sections()
            for key, value in parser[section].items()
            if key.startswith("execstart")
        ]
        return [args for line in lines for args in keysprawl_invocations(line)]
    scripts: list[str] = []
    _collect_scripts(yaml.safe_load(text), scripts)
    return [args for script in scripts for args in keysprawl_invocations(script)]


def _collect_scripts(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "args", "command") and value is not None:
                out.extend([value] if isinstance(value, str) else [str(v) for v in value])
            else:
                _collect_scripts(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_scripts(item, out)


@pytest.mark.parametrize(
    "name",
    ["github-actions.yml", "gitlab-ci.yml", "keysprawl-sweep.service", "kubernetes-cronjob.yaml"],
)
def test_schedule_runs_existing_commands(name: str) -> None:
    invocations = commands_in(SCHEDULES / name)
    assert ["sweep", "--config"] in [args[:2] for args in invocations]
    for args in invocations:
        assert_command_exists(args)


def test_timer_and_cron_schedules_are_well_formed() -> None:
    timer = configparser.ConfigParser()
    timer.read_string((SCHEDULES / "keysprawl-sweep.timer").read_text())
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    cronjob = yaml.safe_load((SCHEDULES / "kubernetes-cronjob.yaml").read_text())
    assert cronjob["kind"] == "CronJob" and len(cronjob["spec"]["schedule"].split()) == 5
    workflow = yaml.safe_load((SCHEDULES / "github-actions.yml").read_text())
    assert len(workflow[True]["schedule"][0]["cron"].split()) == 5  # YAML reads `on:` as True


def test_a_wrong_command_is_caught() -> None:
    with pytest.raises(AssertionError):
        assert_command_exists(["sweep", "--no-such-option"])
    with pytest.raises(AssertionError):
        assert_command_exists(["no-such-command"])


def test_the_example_config_is_valid(tmp_path: Path) -> None:
    from scanner.sweep.check import check_config

    example = (SCHEDULES.parent / "keysprawl.toml").read_text()
    (tmp_path / "keysprawl.toml").write_text(example)
    (tmp_path / "keysprawl-inventory.toml").write_text("version = 1\n")
    assert check_config(tmp_path / "keysprawl.toml") == []
