"""The scan engine: chunks from connectors, matches from detectors, findings from matches.

Content seen before (same `blob_id`) is not matched again: its earlier matches get the new
location. Large scans spread matching over worker processes; a small scan (the hook, a
single file) stays in-process, because starting workers costs more than it saves.
"""

from __future__ import annotations

import functools
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, groupby, islice
from typing import TYPE_CHECKING, cast

from connectors.base import Connector, MatchesWhereRead, MatchStage, Tally
from detectors.base import DetectorSet, DetectorSpec
from scanner.added_lines import on_added_lines
from scanner.classify import Classifier
from scanner.model import Chunk, Finding, Match, Matched, Occurrence, Problem
from scanner.suppress import Suppressions
from scanner.unpack import Unpacker

if TYPE_CHECKING:
    from concurrent.futures import Future

# Work is sent to processes in batches of about this many bytes.
BATCH_BYTES = 4 * 1024 * 1024
# Chunks handed to DetectorSet.find_each at a time when matching in this process.
_RUN = 64

ProgressCallback = Callable[[Matched], None]
# Told of each new occurrence as it is found (the state store writes it during the scan).
OccurrenceCallback = Callable[[Finding, Occurrence], None]
# Gives the DetectorSet for in-process matching; called only when there is content to match.
DetectorFactory = Callable[[], DetectorSet]


@dataclass(slots=True)
class ScanStats:
    chunks: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding]
    problems: list[Problem]
    stats: ScanStats
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


class FindingCollector:
    """Groups occurrences by fingerprint: one leaked key in 50 places is one finding."""

    def __init__(
        self,
        classifier: Classifier,
        on_occurrence: OccurrenceCallback | None = None,
        suppressions: Suppressions | None = None,
    ) -> None:
        self._classifier = classifier
        self._on_occurrence = on_occurrence
        self._suppressions = suppressions
        self._findings: dict[str, Finding] = {}
        self._seen: set[tuple[str, object]] = set()

    def add(self, chunk: Chunk, match: Match) -> None:
        occurrence, key, digest = self._classifier.occurrence(match, chunk.location)
        if self._suppressions and self._suppressions.suppressed(
            (digest, *match.fingerprints), occurrence
        ):
            return
        finding = self._findings.get(digest)
        if finding is None:
            finding = Finding(
                digest, match.preview, key.id if key else None, key.owner if key else None
            )
            self._findings[digest] = finding
        if match.rule_id and match.rule_id not in finding.rule_ids:
            finding.rule_ids.append(match.rule_id)
        place = (digest, occurrence.location)
        if place not in self._seen:
            self._seen.add(place)
            finding.occurrences.append(occurrence)
            if self._on_occurrence is not None:
                self._on_occurrence(finding, occurrence)

    def findings(self) -> list[Finding]:
        return sorted(
            self._findings.values(), key=lambda f: (f.key_id is None, f.key_id or "", f.fingerprint)
        )


def scan(
    connectors: Sequence[Connector],
    *,
    detectors: DetectorSpec,
    classifier: Classifier,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
    on_occurrence: OccurrenceCallback | None = None,
    suppressions: Suppressions | None = None,
    detector_set: DetectorFactory | None = None,  # default: detectors.build()
) -> ScanResult:
    """`detector_set` lets a caller reuse one built DetectorSet across scans (a sweep's
    thread, source after source); `detectors` is still what worker processes build from.

    With more than one job, a connector that reads in worker processes (git history) is
    given the matching to do there (`MatchesWhereRead`)."""
    started = time.perf_counter()
    tally = Tally()
    stats = ScanStats()
    collector = FindingCollector(classifier, on_occurrence, suppressions)
    if jobs > 1:
        stage = partial(match_stage, detectors)
        connectors = [_matching_where_read(connector, stage) for connector in connectors]
    chunks = Unpacker(tally).chunks(
        chain.from_iterable(connector.chunks(tally) for connector in connectors)
    )
    build = detector_set or detectors.build
    for item in _matched(chunks, detectors, build, jobs, tally.timeouts):
        chunk = item.chunk
        if chunk.context:
            continue
        stats.chunks += item.chunks
        stats.bytes += item.size
        for match in item.matches:
            collector.add(chunk, _with_encodings(match, chunk.encodings))
        if progress:
            progress(item)
    stats.seconds = time.perf_counter() - started
    stats.skipped = dict(tally.skipped)
    notes = list(tally.notes)
    if suppressions:
        notes.extend(suppressions.notes())
    problems = [*tally.problems, *_timeout_problems(tally.timeouts)]
    return ScanResult(collector.findings(), problems, stats, notes)


def _matching_where_read(connector: Connector, stage: MatchStage) -> Connector:
    return connector.matching(stage) if isinstance(connector, MatchesWhereRead) else connector


def match_stage(spec: DetectorSpec, chunks: Iterator[Chunk], tally: Tally) -> Iterator[Matched]:
    """What this engine does to chunks before collecting findings, for a connector's reader
    process: unpacking, repeats by blob id, matching (one DetectorSet per process)."""
    unpacked = Unpacker(tally).chunks(chunks)
    return _matched(unpacked, spec, partial(_process_detectors, spec), 1, tally.timeouts)


_process_built: tuple[DetectorSpec, DetectorSet] | None = None


def _process_detectors(spec: DetectorSpec) -> DetectorSet:
    global _process_built
    if _process_built is None or _process_built[0] is not spec:
        _process_built = spec, spec.build()
    return _process_built[1]


def _timeout_problems(timeouts: Counter[str]) -> list[Problem]:
    """A rule that ran out of time may have missed a match: the scan is incomplete (exit 3),
    so content crafted to stall a rule cannot make a scan read as clean."""
    return [
        Problem(
            "rules", rule, f"ran out of time on {count} item(s); its matches there may be missed"
        )
        for rule, count in sorted(timeouts.items())
    ]


def _with_encodings(match: Match, encodings: tuple[str, ...]) -> Match:
    """A match in unpacked content (an archive member, UTF-16) lists that decoding first."""
    return replace(match, encodings=encodings + match.encodings) if encodings else match


def _matched(
    chunks: Iterator[Chunk | Matched],
    spec: DetectorSpec,
    build: DetectorFactory,
    jobs: int,
    timeouts: Counter[str],
) -> Iterator[Matched]:
    """Each chunk with the matches it introduces; chunks that come matched pass as they are."""
    cache: dict[str, list[Match]] = {}  # only content that matched something
    fresh = _FreshOnly(chunks)
    detectors = functools.cache(build)  # built on first use only: an unchanged source needs none
    for matched_already, group in groupby(fresh, key=lambda item: isinstance(item, Matched)):
        if matched_already:
            yield from cast(Iterator[Matched], group)
            continue
        for chunk, matches in _matching(
            cast(Iterator[Chunk], group), spec, detectors, jobs, timeouts
        ):
            if chunk.before and matches:
                matches = on_added_lines(chunk.data, chunk.before, matches)
            if chunk.lines_before is not None and matches:
                chunk, matches = _on_file_lines(chunk, matches)
            if chunk.blob_id is not None and matches:
                cache[chunk.blob_id] = matches
            yield Matched(chunk, _introduced(matches, chunk.previous, cache), len(chunk.data))
    for chunk in fresh.repeats:
        matches = _introduced(cache.get(chunk.blob_id or "", []), chunk.previous, cache)
        yield Matched(chunk, matches, 0)


def _matching(
    chunks: Iterator[Chunk],
    spec: DetectorSpec,
    build: DetectorFactory,
    jobs: int,
    timeouts: Counter[str],
) -> Iterator[tuple[Chunk, list[Match]]]:
    if jobs <= 1:
        # No look-ahead: a chunk may hold more than its data (a history span keeps its
        # file's version for counting lines), and two batches of them held at once were
        # 180 MB of a history reader's memory (bench/RESULTS-git.md).
        return _inline(chunks, build(), timeouts)
    first = _take_batch(chunks)
    more = _take_batch(chunks)
    if not more:
        return _inline(first, build(), timeouts)
    return _in_processes(chain(first, more, chunks), spec, build, jobs, timeouts)


def _on_file_lines(chunk: Chunk, matches: list[Match]) -> tuple[Chunk, list[Match]]:
    """A chunk whose earlier lines were left uncounted (`Chunk.lines_before`), now that it
    matched: it and its matches numbered by the file's lines."""
    assert chunk.lines_before is not None
    lines = chunk.lines_before()
    moved = [replace(match, line=match.line + lines) for match in matches]
    return replace(chunk, first_line=chunk.first_line + lines, lines_before=None), moved


def _introduced(
    matches: list[Match], previous: tuple[str, ...], cache: dict[str, list[Match]]
) -> list[Match]:
    """The matches a new version adds: values the replaced versions held fewer times.

    A key that stays in a file edited 1,000 times is one copy, introduced once. Earlier
    versions come first in the stream (parents before children), so their matches are known.
    """
    if not previous or not matches:
        return matches
    before: Counter[str] = Counter()
    for blob in previous:
        counts = Counter(match.fingerprint for match in cache.get(blob, []))
        before |= counts  # a value in any parent was not introduced by this commit
    added = []
    for match in matches:
        if before[match.fingerprint] > 0:
            before[match.fingerprint] -= 1
        else:
            added.append(match)
    return added


class _FreshOnly:
    """Passes on chunks whose content was not seen; keeps the repeats for the end."""

    def __init__(self, chunks: Iterator[Chunk | Matched]) -> None:
        self._chunks = chunks
        self._seen: set[str] = set()
        self.repeats: list[Chunk] = []

    def __iter__(self) -> Iterator[Chunk | Matched]:
        return self

    def __next__(self) -> Chunk | Matched:
        for chunk in self._chunks:
            if isinstance(chunk, Matched) or chunk.blob_id is None:
                return chunk
            if chunk.blob_id in self._seen:
                # Only the location is kept: the data was matched once already.
                self.repeats.append(replace(chunk, data=b""))
                continue
            self._seen.add(chunk.blob_id)
            return chunk
        raise StopIteration


def _take_batch(chunks: Iterator[Chunk]) -> list[Chunk]:
    batch: list[Chunk] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk.data)
        if size >= BATCH_BYTES:
            break
    return batch


def _batches(chunks: Iterator[Chunk]) -> Iterator[list[Chunk]]:
    while batch := _take_batch(chunks):
        yield batch


def _inline(
    chunks: Iterable[Chunk], detectors: DetectorSet, timeouts: Counter[str]
) -> Iterator[tuple[Chunk, list[Match]]]:
    before = detectors.timeouts  # a reused set counts earlier scans' timeouts too
    for group in _runs(chunks):
        found = detectors.find_each([(chunk.data, chunk.first_line) for chunk in group])
        yield from zip(group, found, strict=True)
    timeouts.update(detectors.timeouts - before)


def _runs(chunks: Iterable[Chunk]) -> Iterator[list[Chunk]]:
    """Consecutive chunks, a few at a time: DetectorSet.find_each matches small ones
    together, and results still stream."""
    iterator = iter(chunks)
    while run := list(islice(iterator, _RUN)):
        yield run


_worker_detectors: DetectorSet | None = None


def _start_worker(spec: DetectorSpec) -> None:
    global _worker_detectors
    _worker_detectors = spec.build()


BatchResult = tuple[list[list[Match]], Counter[str]]


def _find_in_batch(batch: list[tuple[bytes, int]]) -> BatchResult:
    assert _worker_detectors is not None
    return _find_all(_worker_detectors, batch)


def _find_all(detectors: DetectorSet, batch: list[tuple[bytes, int]]) -> BatchResult:
    """A batch's matches, and the rules that ran out of time on it."""
    before = detectors.timeouts
    found = detectors.find_each(batch)
    return found, detectors.timeouts - before


def _in_processes(
    chunks: Iterator[Chunk],
    spec: DetectorSpec,
    build: DetectorFactory,
    jobs: int,
    timeouts: Counter[str],
) -> Iterator[tuple[Chunk, list[Match]]]:
    """`jobs - 1` worker processes and this one share the batches.

    This process reads the content anyway; matching some of it here saves starting, building
    and feeding one more worker, and keeps `jobs` processes busy on `jobs` CPUs rather than
    `jobs + 1`. A batch goes to the workers while fewer than two per worker are queued or
    running, else it is matched here: a slow worker gets less. Results keep the input order.
    """
    # Imported here: the pre-commit hook never starts workers and should not pay for them.
    from concurrent.futures import ProcessPoolExecutor

    workers = jobs - 1
    here = functools.cache(build)  # this process's detectors, built when first needed
    pending: deque[tuple[list[Chunk], Future[BatchResult] | _Done]] = deque()
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(spec,)) as pool:
        for batch in _batches(chunks):
            work = [(chunk.data, chunk.first_line) for chunk in batch]
            if _running(pending) < 2 * workers:
                pending.append((batch, pool.submit(_find_in_batch, work)))
            else:
                pending.append((batch, _Done(_find_all(here(), work))))
            # Ready results leave in order; a bounded backlog keeps memory flat.
            while pending and (pending[0][1].done() or len(pending) > 4 * jobs):
                yield from _collect(*pending.popleft(), timeouts)
        while pending:
            yield from _collect(*pending.popleft(), timeouts)


@dataclass(frozen=True, slots=True)
class _Done:
    """A batch matched in this process, answering like a finished Future."""

    value: BatchResult

    def done(self) -> bool:
        return True

    def result(self) -> BatchResult:
        return self.value


def _running(pending: deque[tuple[list[Chunk], Future[BatchResult] | _Done]]) -> int:
    return sum(1 for _, result in pending if not result.done())


def _collect(
    batch: list[Chunk], result: Future[BatchResult] | _Done, timeouts: Counter[str]
) -> Iterator[tuple[Chunk, list[Match]]]:
    found, timed_out = result.result()
    timeouts.update(timed_out)
    yield from zip(batch, found, strict=True)
