"""Revocation tickets: one Jira issue per open exposure, in the owning team's project.

Idempotent twice over: the store maps each exposure to its ticket, and every ticket carries a
label derived from the exposure (a digest, never the value), so a ticket created just before a
crash is found again instead of filed twice. New copies of an exposed key become a comment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from connectors.jira_tickets import JiraTickets, TicketError
from connectors.jira_tickets import TicketSettings as TrackerSettings
from scanner.errors import KeysprawlError
from scanner.model import Location
from scanner.report.text import place
from scanner.store import exposures as exposure_store
from scanner.store.exposures import Exposure
from scanner.store.store import Store, timestamp
from scanner.store.writes import OPEN
from scanner.sweep.settings import TicketSettings


@dataclass(frozen=True, slots=True)
class TicketAction:
    kind: str  # create | comment | unmapped
    exposure: Exposure
    project: str | None
    issue_key: str | None
    new_places: tuple[str, ...]

    def describe(self) -> str:
        key = self.exposure.key_id
        if self.kind == "create":
            return f"create a ticket in {self.project} for {key} ({len(self.new_places)} places)"
        if self.kind == "comment":
            return f"comment on {self.issue_key}: {len(self.new_places)} new places of {key}"
        return f"no Jira project for team {self.exposure.owner or '(none)'}: {key} not filed"


def ticket_label(exposure: Exposure) -> str:
    digest = hashlib.sha256(f"{exposure.key_id}\0{exposure.fingerprint}".encode()).hexdigest()
    return f"keysprawl-{digest[:16]}"


def planned(store: Store, settings: TicketSettings, today: date) -> list[TicketAction]:
    return list(_actions(store, settings, today))


def _actions(store: Store, settings: TicketSettings, today: date) -> Iterator[TicketAction]:
    for exposure in exposure_store.listed(store, today=today, status=OPEN):
        places = tuple(dict.fromkeys(_place(location) for location in exposure.locations))
        row = store.db.execute(
            "SELECT issue_key, reported FROM tickets WHERE exposure_id = ?", (exposure.id,)
        ).fetchone()
        if row is not None:
            new = tuple(p for p in places if p not in set(json.loads(row["reported"])))
            if new:
                yield TicketAction("comment", exposure, None, row["issue_key"], new)
            continue
        project = settings.projects.get(exposure.owner or "")
        yield TicketAction("create" if project else "unmapped", exposure, project, None, places)


def file(
    store: Store, settings: TicketSettings, actions: list[TicketAction], log: Callable[[str], None]
) -> list[str]:
    """Carry the actions out; the problems, one line each (a failure never stops the rest)."""
    if not any(action.kind != "unmapped" for action in actions):
        return []
    try:
        tracker = JiraTickets(
            TrackerSettings(
                settings.url, settings.token_env, settings.email_env, settings.issue_type
            )
        )
    except (TicketError, KeysprawlError) as error:  # cannot connect; a missing token
        return [f"tickets: {error}"]
    problems = []
    for action in actions:
        try:
            _carry_out(store, tracker, action, log)
        except TicketError as error:
            problems.append(f"tickets: {action.exposure.key_id}: {error}")
    return problems


def _carry_out(
    store: Store, tracker: JiraTickets, action: TicketAction, log: Callable[[str], None]
) -> None:
    if action.kind == "unmapped":
        log(action.describe())
        return
    places = action.new_places
    if action.kind == "create":
        label = ticket_label(action.exposure)
        existing = tracker.find(label)  # filed by a run that crashed before recording it
        assert action.project is not None
        key = existing or tracker.create(
            action.project,
            _summary(action.exposure),
            _description(action.exposure, places),
            [label, "keysprawl"],
        )
        _record(store, action.exposure, key, places)
        log(f"{'found' if existing else 'filed'} {key} for {action.exposure.key_id}")
        return
    assert action.issue_key is not None
    tracker.comment(action.issue_key, _new_copies(places))
    _record(store, action.exposure, action.issue_key, places)
    log(f"commented on {action.issue_key}: {len(places)} new places of {action.exposure.key_id}")


def _record(store: Store, exposure: Exposure, key: str, places: tuple[str, ...]) -> None:
    with store.transaction() as db:
        row = db.execute(
            "SELECT reported FROM tickets WHERE exposure_id = ?", (exposure.id,)
        ).fetchone()
        reported = json.loads(row["reported"]) if row else []
        merged = list(dict.fromkeys([*reported, *places]))
        db.execute(
            "INSERT OR REPLACE INTO tickets (exposure_id, issue_key, reported, updated)"
            " VALUES (?, ?, ?, ?)",
            (exposure.id, key, json.dumps(merged), timestamp()),
        )


def _place(location: Location) -> str:
    where = place(location)
    return f"{where} <{location.url}>" if location.url and location.url not in where else where


def _summary(exposure: Exposure) -> str:
    return f"Revoke {exposure.key_id} ({exposure.preview}): exposed, due {exposure.due or 'now'}"


def _description(exposure: Exposure, places: tuple[str, ...]) -> str:
    lines = [
        f"The organization key {exposure.key_id} was found outside the places it may live.",
        "",
        f"Key: {exposure.key_id} ({exposure.preview}, {exposure.fingerprint[:23]}…)",
        f"Owner: {exposure.owner or '(none)'}",
        f"Purpose: {exposure.purpose or '(none)'}",
        f"Scope: {exposure.scope or '(none)'}",
        f"Severity: {exposure.severity.value}",
        f"First seen: {exposure.first_seen}",
        f"Revoke by: {exposure.due or 'now'}",
        f"Revocation path: {exposure.revoke or '(none recorded)'}",
        "",
        "Found in:",
        *(f"- {where}" for where in places),
        "",
        "Revoke and rotate the key, then remove the copies. Filed by keysprawl; the key's value"
        " is never included.",
    ]
    return "\n".join(lines)


def _new_copies(places: tuple[str, ...]) -> str:
    return "\n".join(
        ["keysprawl found new copies of this key:", *(f"- {where}" for where in places)]
    )
