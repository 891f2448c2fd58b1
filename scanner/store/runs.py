"""The log of runs: when, what sources, what was found, what went wrong."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from connectors.git_clone import display_url
from scanner.model import Problem
from scanner.store.store import Store, json_list, timestamp

RUNNING = "running"
COMPLETE = "complete"
INCOMPLETE = "incomplete"
INTERRUPTED = "interrupted"  # the process died before finishing (killed, crashed)


@dataclass(frozen=True, slots=True)
class RunCounts:
    chunks: int = 0
    bytes: int = 0
    findings: int = 0
    occurrences: int = 0
    new_occurrences: int = 0


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    command: str
    sources: tuple[str, ...]
    started: str
    finished: str | None
    status: str
    counts: RunCounts
    errors: tuple[Problem, ...]


def start(store: Store, command: str, sources: Sequence[str]) -> int:
    with store.transaction() as db:
        _mark_interrupted(db)
        cursor = db.execute(
            "INSERT INTO runs (command, sources, started, status, pid) VALUES (?, ?, ?, ?, ?)",
            (command, json_list(_shown(sources)), timestamp(), RUNNING, os.getpid()),
        )
        return int(cursor.lastrowid or 0)


def _shown(sources: Sequence[str]) -> list[str]:
    """The sources as the run log may keep them: a clone URL without its user name or token."""
    return [display_url(source) for source in sources]


def finish(store: Store, run_id: int, *, counts: RunCounts, problems: Sequence[Problem]) -> None:
    errors = [{"source": p.source, "where": p.where, "message": p.message} for p in problems]
    with store.transaction() as db:
        db.execute(
            "UPDATE runs SET finished = ?, status = ?, chunks = ?, bytes = ?, findings = ?,"
            " occurrences = ?, new_occurrences = ?, errors = ? WHERE id = ?",
            (
                timestamp(),
                INCOMPLETE if problems else COMPLETE,
                counts.chunks,
                counts.bytes,
                counts.findings,
                counts.occurrences,
                counts.new_occurrences,
                json_list(errors),
                run_id,
            ),
        )


def _mark_interrupted(db: sqlite3.Connection) -> None:
    """Runs still `running` whose process is gone were killed: say so in the log."""
    for row in db.execute("SELECT id, pid FROM runs WHERE status = ?", (RUNNING,)).fetchall():
        if not _alive(row["pid"]):
            db.execute("UPDATE runs SET status = ? WHERE id = ?", (INTERRUPTED, row["id"]))


def _alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recent(store: Store, limit: int = 20) -> list[Run]:
    rows = store.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [
        Run(
            id=row["id"],
            command=row["command"],
            sources=tuple(json.loads(row["sources"])),
            started=row["started"],
            finished=row["finished"],
            status=row["status"],
            counts=RunCounts(
                row["chunks"],
                row["bytes"],
                row["findings"],
                row["occurrences"],
                row["new_occurrences"],
            ),
            errors=tuple(Problem(**error) for error in json.loads(row["errors"])),
        )
        for row in rows
    ]
