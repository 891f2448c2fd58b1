"""A progress bar on stderr when it is a terminal; nothing otherwise. Only the CLI knows tqdm."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from scanner.engine import ProgressCallback
from scanner.model import Matched


@contextlib.contextmanager
def terminal_progress() -> Iterator[ProgressCallback | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    # The bar shows counts and sizes only: never a path fragment that could hold a value.
    with tqdm(unit="B", unit_scale=True, desc="scanning", leave=False, file=sys.stderr) as bar:

        def advance(item: Matched) -> None:
            bar.update(item.size)

        yield advance
