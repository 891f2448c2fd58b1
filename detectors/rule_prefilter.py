"""Which rules can match a piece of content, found in one pass by Hyperscan.

Every rule's regex is compiled in prefilter mode (`HS_FLAG_PREFILTER`): Hyperscan may report
a match where the exact regex would not, never the reverse, so a rule it does not report
cannot match and its regex need not run. A single-line rule's regex then runs only on the
lines where Hyperscan saw it end; a rule that may span lines (a PEM block) is reported once
(`HS_FLAG_SINGLEMATCH`) and searches the whole content. A rule Hyperscan cannot compile is
simply always a candidate. Compiling takes a fraction of a second; the
serialized database is cached on disk, so the hook and each worker process load it in
microseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from detectors.hyperscan_db import compile_block
from scanner.cache import read_cached, write_cached

_FORMAT = b"keysprawl-hsdb-1\n"
_BOUNDED_REPEAT = re.compile(r"\{(\d+),(\d+)\}")
_LONGEST_BOUNDED_REPEAT = 256


class HyperscanPrefilter:
    """`candidates(data)` maps each rule that may match to the regions its regex must search:
    the lines holding a prefilter match for a single-line rule (every match of such a rule ends
    at a reported offset and lies on that offset's line), the whole content otherwise."""

    def __init__(self, rules: Sequence[PrefilterRule], *, cache: bool = True) -> None:
        import hyperscan  # deferred: costs milliseconds the pure path should not pay

        key = _cache_key(getattr(hyperscan, "__version__", ""), rules)
        loaded = _load_cached(hyperscan, key) if cache else None
        if loaded is None:
            loaded = _compile(hyperscan, rules)
            if cache:
                _store_cached(hyperscan, key, *loaded)
        self._database, uncompiled = loaded
        count = len(rules)
        self.always: frozenset[int] = frozenset(i for i in uncompiled if i < count)
        # Rules whose keywords this database looks for (the others are checked in Python).
        self.keywords_checked: frozenset[int] = frozenset(
            i for i, rule in enumerate(rules) if rule.keywords and count + i not in uncompiled
        )
        self._single_line = tuple(rule.single_line for rule in rules)
        self._scratch: Any = hyperscan.Scratch(self._database) if self._database else None

    def candidates(self, data: bytes) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
        """The rules that may match, with their regions, and the rules whose keywords occur."""
        whole = [(0, len(data))]
        found: dict[int, list[tuple[int, int]]] = {rule: whole for rule in self.always}
        keywords: set[int] = set()
        if self._database is None:
            return found, keywords
        single_line, count = self._single_line, len(self._single_line)
        rfind, find = data.rfind, data.find

        def on_match(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            if rule >= count:
                keywords.add(rule - count)
                return
            regions = found.get(rule)
            if not single_line[rule]:
                found[rule] = whole
            elif regions is None or regions[-1][1] < to:
                # Hits arrive in order of their end: a hit inside the last line is known.
                end = find(b"\n", to)
                line = (rfind(b"\n", 0, max(to - 1, 0)) + 1, len(data) if end < 0 else end)
                if regions is None:
                    found[rule] = [line]
                else:
                    regions.append(line)

        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return found, keywords


@dataclass(frozen=True, slots=True)
class PrefilterRule:
    expression: str
    single_line: bool
    keywords: tuple[str, ...] = ()


def _flags(hyperscan: Any, single_line: bool) -> int:
    # A multi-line rule searches the whole content: its first hit is all that matters.
    flags = hyperscan.HS_FLAG_PREFILTER
    return int(flags if single_line else flags | hyperscan.HS_FLAG_SINGLEMATCH)


def widened(expression: str) -> str:
    """The expression with long bounded repeats made unbounded: `{64,16384}` costs Hyperscan
    seconds to compile (or fails), `{64,}` milliseconds, and a prefilter may match more."""
    return _BOUNDED_REPEAT.sub(_unbound, expression)


def _unbound(found: re.Match[str]) -> str:
    low, high = int(found.group(1)), int(found.group(2))
    return found.group(0) if high <= _LONGEST_BOUNDED_REPEAT else f"{{{low},}}"


def _patterns(hyperscan: Any, rules: Sequence[PrefilterRule]) -> dict[int, tuple[bytes, int]]:
    """Pattern id to (expression, flags): rule i's regex is id i, its keywords id n + i (one
    caseless literal alternation, reported once per content)."""
    patterns = {
        i: (widened(rule.expression).encode(), _flags(hyperscan, rule.single_line))
        for i, rule in enumerate(rules)
    }
    keyword_flags = int(hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH)
    for i, rule in enumerate(rules):
        if rule.keywords:
            alternation = "|".join(re.escape(keyword) for keyword in rule.keywords)
            patterns[len(rules) + i] = (alternation.encode(), keyword_flags)
    return patterns


def _compile(hyperscan: Any, rules: Sequence[PrefilterRule]) -> tuple[Any, list[int]]:
    by_id = _patterns(hyperscan, rules)
    ids = sorted(by_id)
    patterns = [by_id[i][0] for i in ids]
    flags = [by_id[i][1] for i in ids]
    try:
        return compile_block(hyperscan, patterns, ids, flags), []
    except hyperscan.error:
        pass
    # Hyperscan does not say which expression failed: find them one by one.
    failed = [i for i in ids if not _compiles(hyperscan, *by_id[i])]
    kept = [i for i in ids if i not in set(failed)]
    if not kept:
        return None, failed
    database = compile_block(
        hyperscan, [by_id[i][0] for i in kept], kept, [by_id[i][1] for i in kept]
    )
    return database, failed


def _compiles(hyperscan: Any, pattern: bytes, flags: int) -> bool:
    try:
        compile_block(hyperscan, [pattern], [0], [flags])
    except hyperscan.error:
        return False
    return True


def _cache_key(version: str, rules: Sequence[PrefilterRule]) -> str:
    described = [[r.expression, r.single_line, list(r.keywords)] for r in rules]
    text = json.dumps([_FORMAT.decode(), version, described])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _load_cached(hyperscan: Any, key: str) -> tuple[Any, list[int]] | None:
    raw = read_cached(f"rules-{key}.hsdb")
    if raw is None or not raw.startswith(_FORMAT):
        return None
    header, _, body = raw[len(_FORMAT) :].partition(b"\n")
    try:
        failed = [int(i) for i in json.loads(header)]
        database = hyperscan.loadb(body, hyperscan.HS_MODE_BLOCK) if body else None
    except (ValueError, hyperscan.error):
        return None  # a damaged cache only costs a recompile
    return database, failed


def _store_cached(hyperscan: Any, key: str, database: Any, failed: list[int]) -> None:
    body = hyperscan.dumpb(database) if database is not None else b""
    write_cached(f"rules-{key}.hsdb", _FORMAT + json.dumps(failed).encode() + b"\n" + body)
