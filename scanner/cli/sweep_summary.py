"""The closing summary of `keysprawl sweep`: each thing said once.

One line for the sources, one for the exposures with the new ones listed under it (key id,
masked preview, owner, due date), then what tickets and reports did as counts: they never list
the exposures again.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.store.exposures import Exposure
from scanner.sweep.reports import WrittenReports
from scanner.sweep.runner import SweepSummary
from scanner.sweep.tickets import TicketOutcome


def summary_lines(summary: SweepSummary) -> Iterator[str]:
    yield _sources(summary)
    yield (
        f"exposures: {summary.new_exposures} new, {summary.open_exposures} open,"
        f" {summary.overdue_exposures} overdue"
    )
    yield from (_new(exposure) for exposure in summary.new)
    if summary.tickets is not None:
        yield _tickets(summary.tickets)
    if summary.reports is not None:
        yield _reports(summary.reports)
    if summary.tickets is not None:
        yield from (f"error: {message}" for message in summary.tickets.problems)
    for outcome in (outcome for outcome in summary.outcomes if not outcome.done):
        for problem in outcome.problems:
            yield f"error: {outcome.source}: {problem.where}: {problem.message}"


def _sources(summary: SweepSummary) -> str:
    done = sum(1 for outcome in summary.outcomes if outcome.done)
    chunks = sum(outcome.chunks for outcome in summary.outcomes)
    size = sum(outcome.bytes for outcome in summary.outcomes)
    return (
        f"sweep {summary.sweep_id}{' (resumed)' if summary.resumed else ''}: "
        f"{len(summary.outcomes)} sources ({done} done, {len(summary.outcomes) - done} failed), "
        f"{chunks} objects, {size / 1e6:.1f} MB"
    )


def _new(exposure: Exposure) -> str:
    # The stored preview is the masked form every other output shows; never the value.
    return (
        f"  new: {exposure.key_id} {exposure.preview} ({exposure.owner or 'no owner'},"
        f" {exposure.severity.value}, due {exposure.due or 'now'},"
        f" {len(exposure.locations)} place(s))"
    )


def _tickets(outcome: TicketOutcome) -> str:
    if outcome.dry_run:
        did = f"tickets (dry run): would file {outcome.filed}, comment on {outcome.commented}"
    else:
        did = (
            f"tickets: filed {outcome.filed}, found {outcome.found} already filed,"
            f" commented on {outcome.commented}"
        )
    if not outcome.unmapped:
        return did
    team = "teams" if len(outcome.unmapped) > 1 else "team"
    return f"{did}; not filed: no Jira project for {team} {', '.join(outcome.unmapped)}"


def _reports(written: WrittenReports) -> str:
    names = ", ".join(path.name for path in written.reports)
    worklists = len(written.worklists)
    return (
        f"reports: {names} in {written.folder}"
        f"; worklists for {worklists} team{'' if worklists == 1 else 's'} in"
        f" {written.folder / 'worklist'}"
    )
