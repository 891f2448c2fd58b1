"""A report from the state store: its exposures as the worklist, its findings as evidence."""

from __future__ import annotations

from datetime import date

from scanner.report.document import Report, from_exposure
from scanner.store import exposures, findings
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
