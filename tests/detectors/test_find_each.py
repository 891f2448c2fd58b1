"""DetectorSet.find_each matches small contents together and answers exactly as `find` does
for each one: rules, inventory keys, decoded (base64) copies, private key blocks, keys at a
content's very start and end, line numbers, and contents that must not be joined."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest
from conftest import detector_spec, random_key

from detectors import base
from detectors.rule_engine import anchored
from detectors.rule_examples import expand
from detectors.rule_loader import load_sources
from rules import RULES_DIR

BUILTIN = load_sources([RULES_DIR]).rule_set
SAMPLES = [expand(rule.sample) for rule in BUILTIN.rules if rule.sample][:40]


def _contents(keys: list[str], rng: random.Random) -> list[tuple[bytes, int]]:
    pieces: list[str] = []
    for n in range(300):
        kind = rng.randrange(8)
        key = rng.choice(keys)
        if kind == 0:
            pieces.append(key)  # the whole content is the key: no byte before or after
        elif kind == 1:
            pieces.append(f"token = {base64.b64encode(key.encode()).decode()}")
        elif kind == 2:
            pieces.append(rng.choice(SAMPLES))
        elif kind == 3:
            pieces.append(f"line {n}\n" * rng.randrange(1, 30) + f"x = {key}\n")
        elif kind == 4:
            pieces.append(json.dumps({"nbformat": 4, "cells": [{"source": [key]}]}))
        elif kind == 5:
            pieces.append(f"commit {n}: nothing here")
        elif kind == 6:
            pieces.append("".join(random_key(60) + "\n" for _ in range(rng.randrange(200))))
        else:
            pieces.append(f"{key}\0binary-ish {n}")
    return [(piece.encode(), rng.randrange(1, 500)) for piece in pieces]


@pytest.mark.parametrize("seed", range(3))
def test_find_each_answers_as_find_does_for_each_content(seed: int) -> None:
    rng = random.Random(seed)
    keys = [random_key(40) for _ in range(5)]
    detectors = detector_spec(keys, BUILTIN).build()
    contents = _contents(keys, rng)

    each = detectors.find_each(contents)
    one_by_one = [detectors.find(data, first_line=line) for data, line in contents]

    assert each == one_by_one
    assert sum(map(len, one_by_one)) > 150  # keys, decoded keys and rule samples were found


def test_contents_are_joined_and_matched_alone_only_where_something_matched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = [random_key(40)]
    detectors = detector_spec(keys, BUILTIN).build()
    calls: list[int] = []
    find = detectors.find

    def counted(data: bytes, *, first_line: int = 1) -> list[object]:
        calls.append(len(data))
        return find(data, first_line=first_line)  # type: ignore[return-value]

    monkeypatch.setattr(detectors, "find", counted)
    contents = [(f"message {n}".encode(), 1) for n in range(100)]
    contents[37] = (f"key = {keys[0]}".encode(), 9)
    found = detectors.find_each(contents)
    assert [n for n, matches in enumerate(found) if matches] == [37]
    assert found[37][0].line == 9
    assert len(calls) < 20  # a few joined groups, then content 37 alone


def test_an_anchored_rule_turns_joining_off(tmp_path: Path) -> None:
    rules = tmp_path / "anchored.toml"
    rules.write_text(
        'schema = "keysprawl-rules/1"\n[[rules]]\nid = "whole"\ndescription = "d"\n'
        "regex = '''^(zz[a-z]{20})$'''\nseverity = \"high\"\n"
    )
    rule_set = load_sources([rules]).rule_set
    detectors = detector_spec([], rule_set).build()
    contents = [(b"zz" + b"q" * 20, 1), (b"zzabcdefghijklmnopqrst", 1), (b"other", 1)]
    assert [len(m) for m in detectors.find_each(contents)] == [1, 1, 0]
    assert not detectors._joins


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^abc", True),
        (r"abc$", True),
        (r"\Aabc", True),
        (r"a\\$", True),
        (r"[^a]b", False),
        (r"a[$^]b", False),
        (r"x\$", False),
        (r"(?m)^machine (\S+)$", False),
    ],
)
def test_anchored_patterns_are_recognised(pattern: str, expected: bool) -> None:
    assert anchored(pattern) is expected


def test_a_rule_that_runs_out_of_time_sends_its_group_to_be_matched_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    detectors = detector_spec([random_key(40)], BUILTIN).build()
    contents = [(f"message {n}".encode(), 1) for n in range(10)]
    counts = iter([0, 1] + [1] * 20)  # the joined run adds a timeout

    monkeypatch.setattr(type(detectors), "timeouts", property(lambda self: {"r": next(counts)}))
    alone: list[bytes] = []
    find = detectors.find

    def recorded(data: bytes, *, first_line: int = 1) -> list[object]:
        alone.append(data)
        return find(data, first_line=first_line)  # type: ignore[return-value]

    monkeypatch.setattr(detectors, "find", recorded)
    assert detectors.find_each(contents) == [[] for _ in contents]
    assert alone[1:] == [data for data, _ in contents]
    assert base._SEPARATOR in alone[0]
