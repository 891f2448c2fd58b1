"""The sweep: every configured source, incrementally, in parallel, into the state store.

Sources run on a bounded pool of threads (services wait on the network; each source's own
matching stays in its thread). Each source gets its own store connection and is retried with
a growing delay when it fails; a source that still fails is reported and the others finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from connectors.services import ServiceOptions
from scanner import engine, service_config
from scanner.clock import today_utc
from scanner.errors import KeysprawlError
from scanner.model import Problem
from scanner.setup import ScanPlan
from scanner.store import exposures as exposure_store
from scanner.store.exposures import Exposure
from scanner.store.store import Store
from scanner.store.writer import StoreWriter
from scanner.store.writes import OPEN
from scanner.sweep import state, tickets
from scanner.sweep.cursors import Plan, detection_stamp, plan
from scanner.sweep.detector_sets import ThreadDetectors
from scanner.sweep.reports import WrittenReports, write_reports
from scanner.sweep.settings import SweepSettings
from scanner.sweep.sources import Source
from scanner.sweep.tickets import TicketOutcome
from scanner.targets import TargetOptions, connector_for

# Called with a source's name; returns the engine's per-chunk progress callback (or None).
ProgressFactory = Callable[[str], engine.ProgressCallback | None]
LogLine = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SweepContext:
    settings: SweepSettings
    plan: ScanPlan  # inventory, detectors (keys, rules), classifier, suppressions
    store_path: Path
    full: bool = False
    dry_run: bool = False  # tickets: say what would be filed, file nothing
    services: ServiceOptions = field(default_factory=ServiceOptions)  # [services] defaults
    progress: ProgressFactory = lambda _name: None
    log: LogLine = lambda _line: None
    detector_sets: ThreadDetectors = field(default_factory=ThreadDetectors)


@dataclass(slots=True)
class SweepSummary:
    sweep_id: int
    resumed: bool
    outcomes: list[state.SourceOutcome] = field(default_factory=list)
    new: list[Exposure] = field(default_factory=list)  # opened by this sweep, most urgent first
    open_exposures: int = 0
    overdue_exposures: int = 0
    reports: WrittenReports | None = None
    tickets: TicketOutcome | None = None  # None: no [tickets] configured

    @property
    def new_exposures(self) -> int:
        return len(self.new)

    @property
    def problems(self) -> list[Problem]:
        return [
            problem for outcome in self.outcomes if not outcome.done for problem in outcome.problems
        ]

    @property
    def complete(self) -> bool:
        ticket_problems = self.tickets is not None and self.tickets.problems
        return all(outcome.done for outcome in self.outcomes) and not ticket_problems


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every source of one sweep uses, worked out once (not once a source)."""

    context: SweepContext
    sweep_id: int
    cursors: dict[str, dict[str, Any]]
    stamp: str  # of the inventory's fingerprints
    options: TargetOptions


def sweep(context: SweepContext) -> SweepSummary:
    with Store.open(context.store_path) as store:
        row = state.begin_or_resume(store)
        # Once a sweep: close the exposures of keys the inventory now says are revoked or
        # rotated, also when no source has anything new to read.
        with store.transaction() as db:
            exposure_store.sync_inventory(db, context.plan.inventory)
        cursors = state.cursors(store)
    if row.resumed:
        context.log(f"resuming sweep {row.id}: {len(row.done)} sources already done")
    pending = [source for source in context.settings.sources if source.name not in row.done]
    # Services first: they wait on the network, which overlaps the local repositories' checks.
    pending.sort(key=lambda source: not source.service)
    stamp = detection_stamp(context.plan.inventory, context.plan.detectors)
    shared = _Shared(context, row.id, cursors, stamp, _base_options(context))
    with ThreadPoolExecutor(max_workers=context.settings.concurrency) as pool:
        outcomes = list(pool.map(lambda source: _sweep_source(shared, source), pending))
    with Store.open(context.store_path) as store:
        # Unchanged sources in one transaction; a kill before it only means checking them again.
        state.record_sources(store, row.id, [(o, o.cursor) for o in outcomes if o.unchanged])
        configured = frozenset(source.name for source in context.settings.sources)
        finished_before = state.previous_outcomes(store, row.id, row.done & configured)
        summary = SweepSummary(row.id, row.resumed, finished_before + outcomes)
        state.finish(store, row.id, summary.outcomes)
        _count_exposures(store, summary, row.exposures_before)
        _tickets(context, store, summary)
        if context.settings.report_dir is not None:
            summary.reports = write_reports(
                store,
                context.settings.report_dir,
                context.settings.report_formats,
                summary.problems,
                today=today_utc(),
            )
    return summary


def _sweep_source(shared: _Shared, source: Source) -> state.SourceOutcome:
    context = shared.context
    previous = shared.cursors.get(source.name)
    source_plan = plan(source, previous, shared.stamp, shared.options, full=context.full)
    if source_plan.unchanged:  # nothing to write until the end
        context.log(f"{source.name}: unchanged since the last sweep, nothing to read")
        # The same tips and tree; the new cursor may add what the old one lacked (a refs
        # digest that was racy then).
        return state.SourceOutcome(source.name, True, 1, cursor=source_plan.next_cursor)
    with Store.open(context.store_path) as store:
        return _with_retries(shared, store, source, source_plan)


def _with_retries(
    shared: _Shared, store: Store, source: Source, source_plan: Plan
) -> state.SourceOutcome:
    context = shared.context
    problems: tuple[Problem, ...] = ()
    attempts = 0
    while attempts <= context.settings.retries:
        attempts += 1
        if attempts > 1:
            context.log(f"{source.name}: incomplete ({_first(problems)}); retrying")
            time.sleep(context.settings.retry_delay * 2 ** (attempts - 2))
        try:
            outcome = _attempt(shared, store, source, source_plan, attempts)
        except KeysprawlError as error:  # a configuration problem: retrying will not help
            problems = (Problem(source.kind, source.name, str(error)),)
            break
        if outcome.done:
            return outcome
        problems = outcome.problems
    outcome = state.SourceOutcome(source.name, False, attempts, problems=problems)
    state.record_source(store, shared.sweep_id, outcome, None)
    context.log(f"{source.name}: failed after {attempts} attempts: {_first(problems)}")
    return outcome


def _attempt(
    shared: _Shared, store: Store, source: Source, source_plan: Plan, attempt: int
) -> state.SourceOutcome:
    """One scan of the source; the plan (ref tips, updated-since) is the one made before the
    first attempt, so a retry reads at least what the cursor it will keep excludes."""
    context = shared.context
    result = _scan(context, store, source, source_plan.options, incremental=source_plan.incremental)
    stats = result.stats
    outcome = state.SourceOutcome(
        source.name, result.complete, attempt, stats.chunks, stats.bytes, tuple(result.problems)
    )
    if outcome.done:
        state.record_source(store, shared.sweep_id, outcome, source_plan.next_cursor)
        context.log(f"{source.name}: done, {stats.chunks} objects, {stats.bytes} bytes")
    return outcome


def _first(problems: tuple[Problem, ...]) -> str:
    return problems[0].message if problems else "no detail"


def _base_options(context: SweepContext) -> TargetOptions:
    # [services] of the config, and the inventory's approved github-secret: places.
    places = service_config.secret_places(context.plan.inventory)
    services = replace(context.services, secret_places=places)
    return TargetOptions(max_file_size=context.settings.max_file_size, services=services)


def _scan(
    context: SweepContext,
    store: Store,
    source: Source,
    options: TargetOptions,
    *,
    incremental: bool,
) -> engine.ScanResult:
    context.log(f"{source.name}: scanning ({'since the last sweep' if incremental else 'in full'})")
    connector = connector_for(source.target, options)
    writer = StoreWriter(
        store, context.plan.inventory, command="sweep", sources=[source.name], sync=False
    )
    progress = context.progress(source.name)

    def advance(chunk: Any) -> None:
        writer.checkpoint()
        if progress is not None:
            progress(chunk)

    try:
        result = engine.scan(
            [connector],
            detectors=context.plan.detectors,
            classifier=context.plan.classifier,
            suppressions=context.plan.suppressions,
            jobs=1,
            progress=advance,
            on_occurrence=writer.add,
            detector_set=lambda: context.detector_sets.get(context.plan.detectors),
        )
    except BaseException:
        writer.abandon()
        raise
    writer.finish(
        chunks=result.stats.chunks,
        size=result.stats.bytes,
        findings=len(result.findings),
        problems=result.problems,
    )
    return result


def _tickets(context: SweepContext, store: Store, summary: SweepSummary) -> None:
    settings = context.settings.tickets
    if settings is None:
        return
    actions = tickets.planned(store, settings, today_utc())
    if context.dry_run:
        summary.tickets = tickets.dry_run(actions)
        return
    summary.tickets = tickets.file(store, settings, actions, context.log)


def _count_exposures(store: Store, summary: SweepSummary, exposures_before: int) -> None:
    today = today_utc()
    listed = exposure_store.listed(store, today=today)
    # Opened since the sweep began, also before a kill this run resumed.
    summary.new = [e for e in listed if e.id > exposures_before]
    summary.open_exposures = sum(1 for e in listed if e.status == OPEN)
    summary.overdue_exposures = sum(1 for e in listed if e.state(today) == exposure_store.OVERDUE)
