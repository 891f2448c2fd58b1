"""The nouns every layer shares: Location, Chunk, Match, Occurrence, Finding.

Plaintext never lives in these types: a Match carries a fingerprint and a masked preview, and a
Chunk's content is excluded from its repr so it cannot leak into a log or a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    """How a finding relates to the inventory (see DESIGN.md)."""

    EXPOSURE = "exposure"
    STALE = "stale"
    UNMANAGED = "unmanaged"
    ALLOWED = "allowed"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}

# Who can read a place (Location.visibility); None means the connector could not tell.
PUBLIC = "public"
VISIBILITIES = (PUBLIC, "internal", "private")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of content lives. `line`/`column` are 1-based and set only on occurrences.

    `visibility` says who can read the place: `public`, `internal` or `private`; None when the
    connector cannot tell (policy then treats it like private). It is not part of the address:
    a repository made public is the same place, now more urgent.
    """

    source: str
    path: str | None = None
    repo: str | None = None
    ref: str | None = None
    commit: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    url: str | None = None
    author: str | None = None
    date: str | None = None
    visibility: str | None = None

    def at(self, line: int, column: int) -> Location:
        return replace(self, line=line, column=column)

    def address(self) -> str:
        """A stable, position-free name for the place: moved lines keep the same address."""
        parts = [self.source, self.repo or "", self.path or "", self.field or "", self.url or ""]
        return ":".join(parts)

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "repo": self.repo,
            "ref": self.ref,
            "commit": self.commit,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "url": self.url,
            "author": self.author,
            "date": self.date,
            "visibility": self.visibility,
        }


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of content to scan and where it came from.

    `blob_id` content-addresses the data (a git object id, say) so that content seen in many
    places is matched once. `first_line` is the line number of the data's first line in the
    original file, for content that starts mid-file (a diff hunk). `encodings` names the
    file-level decoding that produced the data (`zip`, `utf-16le`), outermost first; every
    match in it carries them ahead of its own.

    `previous` names the blobs this content replaced (a file's versions in the parent
    commits): a value they already held was not introduced here and is not reported again.
    A `context` chunk is matched only so that a later chunk can name it in `previous` (the
    version before an incremental scan's first commit); it is never reported.

    `before` holds what the data replaced, line for line where it stood (the changed lines
    of a file's earlier version, one text per parent): only matches touching a line that
    `before` does not hold (as often) are reported (scanner.added_lines).

    `lines_before`, when set, counts the lines of the file before the data; `first_line`
    then counts from the data's start, and the engine moves the chunk and its matches to the
    file's lines only if something matched (a history scan's changed spans: counting for
    each of them cost ~5% of the scan's CPU time, and few match).
    """

    data: bytes = field(repr=False)
    location: Location
    blob_id: str | None = None
    first_line: int = 1
    encodings: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()
    context: bool = False
    before: tuple[bytes, ...] = field(default=(), repr=False)
    lines_before: Callable[[], int] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Matched:
    """A chunk and its matches. `size` is the length of the chunk's data: a chunk matched in
    a connector's own reader process arrives without its data (it was needed only there).
    Such a reader sends the chunks that matched nothing as one item that stands for
    `chunks` of them, `size` bytes in all."""

    chunk: Chunk
    matches: list[Match]
    size: int
    chunks: int = 1


@dataclass(frozen=True, slots=True)
class Match:
    """What a detector saw: a span of a chunk, identified by fingerprints, never by value.

    `fingerprints` holds the value's digest under every algorithm the inventory uses
    (`sha256:…`, and `hmac-sha256:…` when a pepper is configured), so classification can look
    each one up.
    """

    start: int
    end: int
    line: int
    column: int
    fingerprints: tuple[str, ...]
    preview: str
    rule_id: str | None = None
    encodings: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return self.fingerprints[0]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a finding's value was seen."""

    kind: Kind
    severity: Severity
    location: Location
    source: str
    encodings: tuple[str, ...] = ()
    rule_id: str | None = None
    due: str | None = None

    def occurrence_id(self, finding_id: str) -> str:
        # Without the line number: moving the code does not make a new occurrence.
        text = f"{finding_id}\0{self.location.address()}\0{self.location.commit or ''}"
        return "O-" + hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(slots=True)
class Finding:
    """One distinct secret value (one fingerprint) and every place it occurs."""

    fingerprint: str
    preview: str
    key_id: str | None = None
    owner: str | None = None
    rule_ids: list[str] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def finding_id(self) -> str:
        return "F-" + hashlib.sha256(self.fingerprint.encode()).hexdigest()[:16]

    @property
    def kind(self) -> Kind:
        """The most pressing kind among the occurrences."""
        order = [Kind.EXPOSURE, Kind.UNMANAGED, Kind.STALE, Kind.ALLOWED]
        kinds = {occurrence.kind for occurrence in self.occurrences}
        return next(kind for kind in order if kind in kinds)

    @property
    def severity(self) -> Severity:
        return max((o.severity for o in self.occurrences), key=lambda s: s.rank)

    @property
    def due(self) -> str | None:
        dues = [o.due for o in self.occurrences if o.due]
        return min(dues) if dues else None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that stopped part of a source from being scanned (exit code 3)."""

    source: str
    where: str
    message: str
