"""A parallel scan (this process and worker processes sharing the batches) reports exactly
what an in-process scan reports, in the same order."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import detector_spec, random_key

from scanner import engine
from scanner.model import Chunk, Location


@pytest.mark.parametrize("jobs", [2, 3])
def test_batches_shared_with_workers_give_the_inline_results_in_order(
    monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(engine, "BATCH_BYTES", 1)  # one chunk a batch: many batches
    keys = [random_key(40) for _ in range(3)]
    spec = detector_spec(keys)
    chunks = [
        Chunk(
            f"filler {n}\n".encode() * 200 + f"K={keys[n % 3]}\n".encode() * (n % 4),
            Location("file", path=f"f{n:02d}.txt"),
        )
        for n in range(40)
    ]
    built: list[int] = []

    def build() -> engine.DetectorSet:
        built.append(1)
        return spec.build()

    expected = [spec.build().find(chunk.data) for chunk in chunks]
    timeouts: Counter[str] = Counter()
    shared = list(engine._in_processes(iter(chunks), spec, build, jobs, timeouts))
    assert [chunk for chunk, _ in shared] == chunks
    assert [matches for _, matches in shared] == expected
    assert sum(len(matches) for matches in expected) == sum(n % 4 for n in range(40))
    assert len(built) <= 1 and not timeouts  # this process builds its detectors at most once
