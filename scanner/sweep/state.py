"""The sweep's rows in the state store: sweeps, their sources, and per-source cursors.

A sweep killed at any point leaves its row `running`; the next sweep resumes it, skipping the
sources already marked done, so finished sources are not scanned again. A source's cursor
and its `done` mark are written in one transaction with nothing else pending, so a cursor
never runs ahead of the findings it vouches for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Problem
from scanner.store.store import Store, timestamp


@dataclass(frozen=True, slots=True)
class SweepRow:
    id: int
    exposures_before: int
    resumed: bool
    done: frozenset[str]


def begin_or_resume(store: Store) -> SweepRow:
    with store.transaction() as db:
        row = db.execute(
            "SELECT id, exposures_before FROM sweeps WHERE status = 'running'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is not None:
            done = db.execute(
                "SELECT source FROM sweep_sources WHERE sweep_id = ? AND status = 'done'",
                (row["id"],),
            ).fetchall()
            db.execute("UPDATE sweeps SET pid = ? WHERE id = ?", (os.getpid(), row["id"]))
            names = frozenset(r["source"] for r in done)
            return SweepRow(row["id"], row["exposures_before"], True, names)
        before = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM exposures").fetchone()[0])
        cursor = db.execute(
            "INSERT INTO sweeps (started, status, pid, exposures_before)"
            " VALUES (?, 'running', ?, ?)",
            (timestamp(), os.getpid(), before),
        )
        return SweepRow(int(cursor.lastrowid or 0), before, False, frozenset())


def cursors(store: Store) -> dict[str, dict[str, Any]]:
    """Every source's cursor, by source name."""
    rows = store.db.execute("SELECT source, cursor FROM cursors").fetchall()
    return {row["source"]: json.loads(row["cursor"]) for row in rows}


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source: str
    done: bool
    attempts: int
    chunks: int = 0
    bytes: int = 0
    problems: tuple[Problem, ...] = ()
    # Set when nothing was new since its cursor (not scanned): the cursor to keep.
    cursor: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def unchanged(self) -> bool:
        return self.cursor is not None


def record_source(
    store: Store, sweep_id: int, outcome: SourceOutcome, cursor: dict[str, Any] | None
) -> None:
    record_sources(store, sweep_id, [(outcome, cursor)])


def record_sources(
    store: Store,
    sweep_id: int,
    outcomes: Sequence[tuple[SourceOutcome, dict[str, Any] | None]],
) -> None:
    """Each outcome, and the cursor of each done one that has one, in one transaction."""
    if not outcomes:
        return
    now = timestamp()
    with store.transaction() as db:
        for outcome, cursor in outcomes:
            db.execute(
                "INSERT OR REPLACE INTO sweep_sources (sweep_id, source, status, attempts,"
                " finished, chunks, bytes, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sweep_id,
                    outcome.source,
                    "done" if outcome.done else "failed",
                    outcome.attempts,
                    now,
                    outcome.chunks,
                    outcome.bytes,
                    _errors(outcome.problems),
                ),
            )
            if outcome.done and cursor is not None:
                db.execute(
                    "INSERT OR REPLACE INTO cursors (source, cursor, updated) VALUES (?, ?, ?)",
                    (outcome.source, json.dumps(cursor, sort_keys=True), now),
                )


def _errors(problems: Sequence[Problem]) -> str:
    return json.dumps(
        [{"source": p.source, "where": p.where, "message": p.message} for p in problems]
    )


def finish(store: Store, sweep_id: int, outcomes: Sequence[SourceOutcome]) -> None:
    status = "complete" if all(o.done for o in outcomes) else "incomplete"
    with store.transaction() as db:
        db.execute(
            "UPDATE sweeps SET status = ?, finished = ? WHERE id = ?",
            (status, timestamp(), sweep_id),
        )


def previous_outcomes(store: Store, sweep_id: int, names: frozenset[str]) -> list[SourceOutcome]:
    """Sources a resumed sweep finished before it was killed, as outcomes for the summary."""
    rows = store.db.execute(
        "SELECT source, attempts, chunks, bytes FROM sweep_sources"
        " WHERE sweep_id = ? AND status = 'done'",
        (sweep_id,),
    ).fetchall()
    return [
        SourceOutcome(r["source"], True, r["attempts"], r["chunks"], r["bytes"])
        for r in rows
        if r["source"] in names
    ]
