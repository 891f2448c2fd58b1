"""click parameter types and options shared by several commands."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.durations import InvalidDuration, parse_duration
from scanner.model import Kind
from scanner.policy import FailOn

F = TypeVar("F", bound=Callable[..., Any])
_SIZE = re.compile(r"^(\d+)([kKmMgG]?)[bB]?$")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class ByteSize(click.ParamType):  # type: ignore[type-arg]
    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found = _SIZE.match(str(value).strip())
        if not found:
            self.fail(f"{value!r} is not a size like 500K, 50M or 1G", param, ctx)
        return int(found.group(1)) * _SIZE_UNITS[found.group(2).lower()]


class Duration(click.ParamType):  # type: ignore[type-arg]
    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            parse_duration(str(value))
        except InvalidDuration as error:
            self.fail(str(error), param, ctx)
        return str(value)


class KindList(click.ParamType):  # type: ignore[type-arg]
    """A comma-separated list of finding kinds, e.g. `exposure,stale`."""

    name = "kinds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> frozenset[Kind]:
        if isinstance(value, frozenset):
            return value
        names = [name.strip() for name in str(value).split(",") if name.strip()]
        try:
            return frozenset(Kind(name) for name in names)
        except ValueError:
            self.fail(f"{value!r}: kinds are {', '.join(k.value for k in Kind)}", param, ctx)


def inventory_option(function: F) -> F:
    return click.option(
        "--inventory",
        "inventory_path",
        metavar="FILE",
        help="Inventory file (default: $KEYSPRAWL_INVENTORY, then ./keysprawl-inventory.toml).",
    )(function)


def rules_options(function: F) -> F:
    function = click.option(
        "--no-builtin-rules", is_flag=True, help="Use only the rules given with --rules."
    )(function)
    return click.option(
        "--rules",
        "rule_sources",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        metavar="PATH",
        help="Extra rules: a folder of rule files, a rule file or a gitleaks config (repeatable).",
    )(function)


class FailOnType(click.ParamType):  # type: ignore[type-arg]
    """`--fail-on`: kinds and/or one minimum severity, e.g. `exposure,stale` or `high`."""

    name = "kinds/severity"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> FailOn:
        if isinstance(value, FailOn):
            return value
        try:
            return FailOn.parse(str(value))
        except ValueError as error:
            self.fail(
                f"{error}: use kinds ({', '.join(k.value for k in Kind)}), one severity"
                " (critical, high, medium, low: that or worse) or none",
                param,
                ctx,
            )


def fail_on_option(function: F) -> F:
    return click.option(
        "--fail-on",
        type=FailOnType(),
        default="exposure,stale,unmanaged",
        show_default=True,
        help="Which findings make the exit code 1: kinds and/or a minimum severity.",
    )(function)


def exhaustive_option(function: F) -> F:
    return click.option(
        "--exhaustive",
        is_flag=True,
        help="Hash every window, also keys glued to other text (slow).",
    )(function)


def jobs_option(function: F) -> F:
    return click.option(
        "--jobs", "-j", type=click.IntRange(1), default=os.cpu_count() or 1, show_default="CPUs"
    )(function)


def report_options(formats: Sequence[str]) -> Callable[[F], F]:
    """`--format` and `--output` of the commands that render a report (`scan`, `report`)."""

    def decorate(function: F) -> F:
        function = click.option(
            "--output",
            type=click.Path(path_type=Path),
            help="Write the report here instead of stdout.",
        )(function)
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(formats),
            default="text",
            show_default=True,
        )(function)

    return decorate
