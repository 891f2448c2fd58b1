"""The state store in-process: schema, permissions, upserts, exposures, transitions, run log."""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from scanner.inventory import Inventory, parse
from scanner.model import Finding, Kind, Location, Occurrence, Problem, Severity
from scanner.store import exposures, runs, schema
from scanner.store.findings import stored_findings
from scanner.store.store import Store
from scanner.store.writer import StoreWriter

DIGEST = "sha256:" + "ab" * 32
OLD_DIGEST = "sha256:" + "cd" * 32


def inventory(*, status: str = "active", retired: str | None = None) -> Inventory:
    current = {"digest": DIGEST, "length": 40, "charset": "alnum", "preview": "…wxyz"}
    if retired:
        current["retired"] = retired
    key = {
        "id": "pay",
        "owner": "payments",
        "purpose": "webhook",
        "scope": "prod",
        "revoke": "https://runbooks.example/pay",
        "status": status,
        "fingerprints": [current],
    }
    if status == "revoked":
        key["revoked"] = "2026-02-01"
    return parse({"keys": [key]})


def finding(path: str, line: int = 1, *, kind: Kind = Kind.EXPOSURE, due: str | None = None):
    occurrence = Occurrence(
        kind=kind,
        severity=Severity.HIGH,
        location=Location("file", path=path, line=line, column=3),
        source="file",
        due=due or ("2026-03-08" if kind is Kind.EXPOSURE else None),
    )
    return Finding(DIGEST, "…wxyz", "pay", "payments", occurrences=[occurrence]), occurrence


def write(store: Store, *places: tuple[str, int], kind: Kind = Kind.EXPOSURE, **kw) -> None:
    writer = StoreWriter(store, kw.pop("inv", inventory()), command="scan", sources=["src"])
    for path, line in places:
        writer.add(*finding(path, line, kind=kind, **kw))
    writer.finish(chunks=len(places), size=10, findings=1, problems=[])


def test_created_owner_only_at_the_current_schema(tmp_path: Path):
    path = tmp_path / "state" / "ks.db"
    with Store.open(path) as store:
        assert schema.version(store.db) == schema.SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_store_from_a_newer_keysprawl_is_refused(tmp_path: Path):
    path = tmp_path / "ks.db"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    with pytest.raises(schema.NewerStoreError, match="newer than this keysprawl supports"):
        Store.open(path)


def test_not_a_store_is_a_config_error(tmp_path: Path):
    path = tmp_path / "ks.db"
    path.write_text("not sqlite at all, just some text long enough to be a header" * 20)
    with pytest.raises(Exception, match="not a usable keysprawl store"):
        Store.open(path)


def test_refinding_a_copy_never_duplicates_it(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        write(store, ("a.env", 1), ("b.txt", 4))
        write(store, ("a.env", 7), ("b.txt", 4))  # a.env's copy moved lines: the same place
        count = store.db.execute("SELECT count(*) FROM occurrences").fetchone()[0]
        [exposure] = exposures.listed(store, today=date(2026, 3, 1))
        [log_second, log_first] = runs.recent(store)
    assert count == 2
    assert [loc.path for loc in exposure.locations] == ["a.env", "b.txt"]
    assert exposure.locations[0].line == 7
    assert (log_first.counts.new_occurrences, log_second.counts.new_occurrences) == (2, 0)
    assert log_second.status == runs.COMPLETE


def test_the_due_date_is_kept_from_the_first_finding(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        write(store, ("a.env", 1), due="2026-03-08")
        write(store, ("a.env", 1), due="2026-04-30")  # found again later: due stays
        write(store, ("public.md", 1), due="2026-03-05")  # a more urgent copy: due moves up
        [exposure] = exposures.listed(store, today=date(2026, 3, 1))
    assert exposure.due == "2026-03-05"
    assert exposure.state(date(2026, 3, 5)) == exposures.OPEN
    assert exposure.state(date(2026, 3, 6)) == exposures.OVERDUE


def test_closing_then_a_new_exposure_of_the_same_value_is_a_new_record(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        write(store, ("a.env", 1))
        assert exposures.close(store, "pay", exposures.REVOKED, "2026-03-02T10:00:00Z") == 1
        assert exposures.close(store, "pay", exposures.REVOKED, "2026-03-02T10:00:00Z") == 0
        write(store, ("a.env", 1), kind=Kind.STALE, inv=inventory(status="revoked"))
        [closed] = exposures.listed(store, today=date(2026, 3, 1), status="closed")
        opened = exposures.listed(store, today=date(2026, 3, 1), status="open")
        [found] = stored_findings(store)
    assert (closed.closed_reason, closed.closed_at) == ("revoked", "2026-03-02T10:00:00Z")
    assert opened == []
    assert [o.kind for o in found.occurrences] == [Kind.STALE]


def test_a_hand_edited_rotation_closes_the_exposure_at_the_next_run(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        write(store, ("a.env", 1))
        StoreWriter(store, inventory(retired="2026-02-20"), command="scan", sources=[])
        [exposure] = exposures.listed(store, today=date(2026, 3, 1))
    assert (exposure.status, exposure.closed_reason) == ("closed", "rotated")
    assert exposure.closed_at == "2026-02-20"


def test_owner_filter(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        write(store, ("a.env", 1))
        assert exposures.listed(store, today=date(2026, 3, 1), owner="payments")
        assert not exposures.listed(store, today=date(2026, 3, 1), owner="someone-else")


def test_an_uncommitted_batch_is_lost_and_the_run_is_marked_interrupted(tmp_path: Path):
    path = tmp_path / "ks.db"
    store = Store.open(path)
    writer = StoreWriter(store, inventory(), command="scan", sources=["src"], commit_every=0)
    writer.add(*finding("a.env"))
    writer.checkpoint()  # committed
    writer.add(*finding("b.env"))  # in flight when the process "dies"
    store.db.close()  # no commit: what a kill does to the open transaction
    # the dead process: make its pid one that cannot be alive
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET pid = 2147483647")
    with Store.open(path) as store:
        write(store, ("b.env", 1))
        paths = [r[0] for r in store.db.execute("SELECT location FROM occurrences")]
        statuses = [run.status for run in runs.recent(store)]
    assert len(paths) == 2
    assert statuses == [runs.COMPLETE, runs.INTERRUPTED]


def test_problems_are_logged_with_the_run(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        writer = StoreWriter(store, inventory(), command="scan", sources=["src", "-"])
        writer.finish(chunks=0, size=0, findings=0, problems=[Problem("file", "x", "denied")])
        [run] = runs.recent(store)
    assert run.status == runs.INCOMPLETE
    assert run.sources == ("src", "-")
    assert run.errors == (Problem("file", "x", "denied"),)


def test_a_more_urgent_copy_later_in_the_same_run_updates_the_exposure(tmp_path: Path):
    with Store.open(tmp_path / "ks.db") as store:
        writer = StoreWriter(store, inventory(), command="scan", sources=["src"])
        for index in range(3):
            writer.add(*finding(f"private-{index}.env", due="2026-03-08"))
        public_finding, public = finding("public.md", due="2026-03-02")
        writer.add(public_finding, replace(public, severity=Severity.CRITICAL))
        writer.add(*finding("later.env", due="2026-03-09"))
        writer.finish(chunks=5, size=5, findings=1, problems=[])
        [exposure] = exposures.listed(store, today=date(2026, 3, 1))
    assert (exposure.severity, exposure.due) == (Severity.CRITICAL, "2026-03-02")
    assert len(exposure.locations) == 5


def test_an_older_store_is_upgraded_one_version_at_a_time_keeping_its_data(tmp_path: Path):
    path = tmp_path / "ks.db"
    db = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO findings VALUES ('F-1', ?, '…wxyz', 'pay', NULL, '[]', 't', 't')",
               (DIGEST,))  # fmt: skip
    db.close()
    with Store.open(path) as store:
        assert schema.version(store.db) == schema.SCHEMA_VERSION
        assert store.db.execute("SELECT key_id FROM findings").fetchone()[0] == "pay"


def test_a_failing_migration_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "ks.db"

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk full, say")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    with pytest.raises(Exception, match="disk full"):
        Store.open(path)
    with sqlite3.connect(path) as db:
        assert schema.version(db) == 1
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables and "findings" in tables


def test_an_existing_store_readable_by_others_is_narrowed(tmp_path: Path):
    path = tmp_path / "ks.db"
    Store.open(path).close()
    path.chmod(0o644)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
