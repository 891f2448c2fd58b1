"""A click group that imports a subcommand's module only when that subcommand is used.

Each command module brings its own parts (the state store, service clients, incident
tables, tomlkit for inventory edits); importing every one of them cost each `keysprawl scan`
tens of milliseconds before it read a byte. `--help` still lists every command: listing
loads them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

Loader = Callable[[], click.Command]


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: Mapping[str, Loader], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loader = self._lazy.pop(cmd_name, None)
        if loader is not None:
            self.add_command(loader(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in self._lazy:
            # A mistyped name: click suggests close ones from the loaded commands.
            for name in list(self._lazy):
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)
