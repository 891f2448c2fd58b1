"""The console entry point: start-up objects are left out of later collections, which run."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from scanner import entry


@pytest.fixture
def restored_collector() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.usefixtures("restored_collector")
@pytest.mark.parametrize("argv", [["keysprawl", "--version"], ["keysprawl", "hook", "--help"]])
def test_the_collector_runs_again_once_imports_are_done(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code in (0, None)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
