"""Writing a scan into the store while it runs, in small transactions.

The engine hands over each new occurrence as it is found; the writer records it in an open
transaction and commits at chunk boundaries every `commit_every` seconds or every
`COMMIT_BATCH` occurrences, whichever comes first. A scan killed
mid-run therefore keeps everything up to its last commit, and the next run re-finds the rest:
records are upserts, so nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from scanner.inventory import Inventory
from scanner.model import Finding, Occurrence, Problem
from scanner.store import exposures, runs, writes
from scanner.store.store import Store, timestamp

COMMIT_BATCH = 256


class StoreWriter:
    def __init__(
        self,
        store: Store,
        inventory: Inventory,
        *,
        command: str,
        sources: Sequence[str],
        commit_every: float = 0.25,
        sync: bool = True,  # False: the caller synced the inventory (a sweep, once)
    ) -> None:
        self._store = store
        self.path = store.path
        self._keys = {key.id: key for key in inventory.keys}
        self._commit_every = commit_every
        self._last_commit = time.monotonic()
        self._occurrences = 0
        self._new = 0
        self._pending = 0
        self._memo = writes.Memo()
        if sync:
            with store.transaction() as db:
                exposures.sync_inventory(db, inventory)
        self.run_id = runs.start(store, command, sources)

    def add(self, finding: Finding, occurrence: Occurrence) -> None:
        if not self._store.db.in_transaction:
            self._store.begin()
        key = self._keys.get(finding.key_id or "")
        now = timestamp()
        if writes.record(self._store.db, self.run_id, finding, occurrence, key, now, self._memo):
            self._new += 1
        self._occurrences += 1
        self._pending += 1

    def checkpoint(self) -> None:
        """Called between chunks: commit what is pending if it has waited long enough."""
        waited = time.monotonic() - self._last_commit
        if self._pending >= COMMIT_BATCH or (self._pending and waited >= self._commit_every):
            self._commit()

    def finish(
        self, *, chunks: int, size: int, findings: int, problems: Sequence[Problem]
    ) -> runs.RunCounts:
        self._commit()
        counts = runs.RunCounts(chunks, size, findings, self._occurrences, self._new)
        runs.finish(self._store, self.run_id, counts=counts, problems=problems)
        return counts

    def stored_dues(self) -> dict[tuple[str, str], str]:
        """(fingerprint, occurrence id) → due date, as stored for this run's copies.

        A copy found again keeps the due date set when it was first found, so the scan's
        report should say that date, not one counted from today.
        """
        rows = self._store.db.execute(
            "SELECT fingerprint, occurrence_id, due FROM occurrences"
            " WHERE last_run = ? AND due IS NOT NULL",
            (self.run_id,),
        )
        return {(row["fingerprint"], row["occurrence_id"]): row["due"] for row in rows}

    def abandon(self) -> None:
        """An error ended the scan: keep what was committed, drop the half-written batch."""
        self._store.rollback()
        self._memo = writes.Memo()

    def _commit(self) -> None:
        if self._store.db.in_transaction:
            self._store.commit()
        self._last_commit = time.monotonic()
        self._pending = 0
