"""Revocation tickets: one Jira issue per open exposure, in the owning team's project.

Idempotent twice over: the store maps each exposure to its ticket, and every ticket carries a
label derived from the exposure (a digest, never the value), so a ticket created just before a
crash is found again instead of filed twice. New copies of an exposed key become a comment.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
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


@dataclass(frozen=True, slots=True)
class TicketOutcome:
    """What the tickets step did, or in a dry run would do: counts and team names only (the
    sweep's summary lists the exposures themselves, once)."""

    dry_run: bool = False
    filed: int = 0
    found: int = 0  # filed by a run that crashed before recording it
    commented: int = 0
    unmapped: tuple[str, ...] = ()  # teams with open exposures and no Jira project
    problems: tuple[str, ...] = ()


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


def dry_run(actions: list[TicketAction]) -> TicketOutcome:
    kinds = Counter(action.kind for action in actions)
    return TicketOutcome(
        dry_run=True,
        filed=kinds["create"],
        commented=kinds["comment"],
        unmapped=_unmapped_teams(actions),
    )


def file(
    store: Store, settings: TicketSettings, actions: list[TicketAction], log: Callable[[str], None]
) -> TicketOutcome:
    """Carry the actions out; a failure never stops the rest (each is one problem line)."""
    unmapped = _unmapped_teams(actions)
    for action in actions:
        if action.kind == "unmapped":
            log(action.describe())
    if not any(action.kind != "unmapped" for action in actions):
        return TicketOutcome(unmapped=unmapped)
    try:
        tracker = JiraTickets(
            TrackerSettings(
                settings.url, settings.token_env, settings.email_env, settings.issue_type
            )
        )
    except (TicketError, KeysprawlError) as error:  # cannot connect; a missing token
        return TicketOutcome(unmapped=unmapped, problems=(f"tickets: {error}",))
    done: Counter[str] = Counter()
    problems = []
    for action in (action for action in actions if action.kind != "unmapped"):
        try:
            done[_carry_out(store, tracker, action, log)] += 1
        except TicketError as error:
            problems.append(f"tickets: {action.exposure.key_id}: {error}")
    return TicketOutcome(
        filed=done["filed"],
        found=done["found"],
        commented=done["commented"],
        unmapped=unmapped,
        problems=tuple(problems),
    )


def _unmapped_teams(actions: list[TicketAction]) -> tuple[str, ...]:
    teams = (a.exposure.owner or "(none)" for a in actions if a.kind == "unmapped")
    return tuple(sorted(set(teams)))


def _carry_out(
    store: Store, tracker: JiraTickets, action: TicketAction, log: Callable[[str], None]
) -> str:
    """Files or comments; which of `filed`, `found` (already filed) or `commented` it did."""
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
        done = "found" if existing else "filed"
        log(f"{done} {key} for {action.exposure.key_id}")
        return done
    assert action.issue_key is not None
    tracker.comment(action.issue_key, _new_copies(places))
    _record(store, action.exposure, action.issue_key, places)
    log(f"commented on {action.issue_key}: {len(places)} new places of {action.exposure.key_id}")
    return "commented"


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
