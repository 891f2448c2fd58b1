"""A chunk that carries what it replaced (`Chunk.before`) reports only matches on new lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from conftest import detector_spec, random_key

from scanner.added_lines import added_mask, lines_of, on_added_lines
from scanner.classify import Classifier
from scanner.inventory import Inventory
from scanner.model import Chunk, Location
from scanner.policy import Policy


def test_added_mask_counts_copies_and_needs_a_line_new_to_every_parent() -> None:
    assert added_mask([b"a", b"b", b"a"], [[b"a"]]) == [False, True, True]
    assert added_mask([b"x", b"y"], [[b"x"], [b"y"]]) == [False, False]
    assert added_mask([b"x", b"y"], [[b"x"], [b"x", b"z"]]) == [False, True]
    assert added_mask([b"q"], []) == [True]
    assert lines_of(b"a\nb\n") == [b"a", b"b"] and lines_of(b"a\nb") == [b"a", b"b"]


def test_only_matches_on_added_lines_are_reported() -> None:
    kept_before, added, copied = random_key(40), random_key(40), random_key(40)
    spec = detector_spec([kept_before, added, copied])
    data = (
        f"x = {kept_before}\n"  # was there before: not introduced here
        f"y = {added}\n"  # new
        f"z = {copied}\nz = {copied}\n"  # one copy was there, the second is new
    ).encode()
    before = (f"x = {kept_before}\nz = {copied}\n".encode(),)
    matches = spec.build().find(data, first_line=10)
    kept = on_added_lines(data, before, matches)
    assert len(matches) == 4
    assert sorted(match.line for match in kept) == [11, 13]


def test_the_engine_applies_before_to_inline_and_parallel_matching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scanner import engine

    monkeypatch.setattr(engine, "BATCH_BYTES", 1)  # one chunk a batch: workers get some

    old, new = random_key(40), random_key(40)
    spec = detector_spec([old, new])
    chunks = [
        Chunk(
            f"a = {old}\nb = {new}\n".encode() * 1000,
            Location("git", path=f"f{n}.txt", commit="c"),
            first_line=5,
            before=(f"a = {old}\n".encode() * 1000,),
        )
        for n in range(3)
    ]

    class Source:
        def chunks(self, tally: object) -> list[Chunk]:
            return chunks

    classifier = Classifier(Inventory(None, ()), Policy(date.today()))
    for jobs in (1, 2):
        result = engine.scan([Source()], detectors=spec, classifier=classifier, jobs=jobs)
        lines = sorted(o.location.line for f in result.findings for o in f.occurrences)
        # Per file: the 1,000 copies of `new` are new, the copies of `old` were there.
        assert len(result.findings) == 1 and len(lines) == 3000, jobs


def test_lines_before_a_chunk_are_counted_only_when_it_matched() -> None:
    """`Chunk.lines_before`: a changed span numbered from 1 is moved to the file's lines once
    something matched in it; a span without a match never counts them."""
    from scanner import engine

    key = random_key(40)
    spec = detector_spec([key])
    asked: list[str] = []

    def counted(name: str, lines: int) -> Callable[[], int]:
        def count() -> int:
            asked.append(name)
            return lines

        return count

    chunks = [
        Chunk(b"nothing here\n", Location("git", path="a.txt"), lines_before=counted("a", 7)),
        Chunk(
            f"one\nkey = {key}\n".encode(),
            Location("git", path="b.txt"),
            lines_before=counted("b", 40),
        ),
    ]

    class Source:
        def chunks(self, tally: object) -> list[Chunk]:
            return chunks

    classifier = Classifier(Inventory(None, ()), Policy(date.today()))
    result = engine.scan([Source()], detectors=spec, classifier=classifier)

    [finding] = result.findings
    assert [(o.location.path, o.location.line) for o in finding.occurrences] == [("b.txt", 42)]
    assert asked == ["b"]
