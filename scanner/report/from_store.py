"""A report from the state store: its exposures as the worklist, its findings as evidence."""

from __future__ import annotations

from datetime import date

from scanner.report.document import Report, WorkItem
from scanner.store import exposures, findings
from scanner.store.exposures import Exposure
from scanner.store.store import Store


def store_report(
    store: Store,
    *,
    today: date,
    generated: str,
    owner: str | None = None,
    status: str | None = exposures.OPEN,
) -> Report:
    """`status` None for every exposure, else one of exposures.STATUSES."""
    listed = exposures.listed(store, today=today, owner=owner, status=status)
    return Report(
        findings=findings.stored_findings(store, owner=owner),
        worklist=[from_exposure(exposure, today) for exposure in listed],
        generated=generated,
        origin="store",
        first_seen=findings.first_seen(store),
    )


def from_exposure(exposure: Exposure, today: date) -> WorkItem:
    """A state store exposure as a worklist item."""
    return WorkItem(
        key_id=exposure.key_id,
        owner=exposure.owner,
        purpose=exposure.purpose,
        scope=exposure.scope,
        revoke=exposure.revoke,
        fingerprint=exposure.fingerprint,
        preview=exposure.preview,
        severity=exposure.severity,
        state=exposure.state(today),
        first_seen=exposure.first_seen,
        due=exposure.due,
        locations=exposure.locations,
        closed_at=exposure.closed_at,
        closed_reason=exposure.closed_reason,
    )
