"""Where a key of a TOML file is (keysprawl.toml, an incident scope file), for error messages.

`KeyLines(path, text)(table, key)` gives `FILE:LINE: [TABLE] KEY` (`table=None`: a top-level
key). TOML has many spellings; this finds the usual ones: `key = …` under a `[table]` header,
a key that is itself a table at its `[table.key]` header, and, failing those, a line naming
both the key and its table's last part (an inline table `github = { url = 5 }`, a dotted key
`services.github.url = 5`). Best effort: without a line the message names the file and key.
"""

from __future__ import annotations

import re
from pathlib import Path

_HEADER = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")


class KeyLines:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self._lines = text.splitlines()

    def __call__(self, table: str | None, key: str) -> str:
        name = f"[{table}] {key}" if table else key
        number = self.line(table, key)
        return f"{self.path}:{number}: {name}" if number else f"{self.path}: {name}"

    def line(self, table: str | None, key: str) -> int | None:
        return self._under_header(table, key) or self._inline(table, key)

    def _under_header(self, table: str | None, key: str) -> int | None:
        current: str | None = None
        nested = f"{table}.{key}" if table else key
        assignment = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number, line in enumerate(self._lines, 1):
            header = _HEADER.match(line)
            if header:
                current = header.group(1)
                if current == nested:
                    return number
            elif current == table and assignment.match(line):
                return number
        return None

    def _inline(self, table: str | None, key: str) -> int | None:
        words = [key] + ([table.rsplit(".", 1)[-1]] if table else [])
        patterns = [re.compile(rf"\b{re.escape(word)}\b") for word in words]
        for number, line in enumerate(self._lines, 1):
            if all(pattern.search(line) for pattern in patterns):
                return number
        return None
