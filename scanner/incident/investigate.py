"""The incident scan: every scope source in full (git: every object and pull-request ref),
one after another so a failing source is reported while the others finish; copies dated
outside the window are dropped; each copy is told whether it is still present now."""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from connectors.git import GitScanOptions
from connectors.git_cli import GitError
from connectors.git_clone import clone_name, display_url, is_url, mirror_clone
from detectors.base import DetectorSet
from scanner import engine
from scanner.errors import ExitCode, KeysprawlError
from scanner.incident.plan import IncidentPlan
from scanner.incident.presence import RepositoryState, repository_state
from scanner.incident.scope import Scope
from scanner.incident.status import Presence, presence_of
from scanner.model import Finding, Kind, Problem
from scanner.sweep.cursors import plan as source_plan
from scanner.sweep.sources import Source
from scanner.targets import TargetOptions, connector_for

CLONING_KINDS = frozenset({"github", "gitlab"})  # sources that clone repositories to scan


@dataclass(frozen=True, slots=True)
class SourceRun:
    source: Source
    chunks: int
    bytes: int
    problems: tuple[Problem, ...]

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class Investigation:
    scope: Scope
    plan: IncidentPlan
    started: str
    finished: str = ""
    findings: list[Finding] = field(default_factory=list)
    runs: list[SourceRun] = field(default_factory=list)
    presence: dict[str, Presence] = field(default_factory=dict)  # by occurrence id
    outside_window: int = 0  # copies dropped because their date is outside the window
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for run in self.runs for problem in run.problems]

    @property
    def complete(self) -> bool:
        return all(run.complete for run in self.runs)

    @property
    def exposed(self) -> int:
        """Exposed inventory values (the bundle's revocation work)."""
        return sum(1 for finding in self.findings if finding.kind is Kind.EXPOSURE)

    @property
    def exit_code(self) -> ExitCode:
        """3 when a source failed (outranks findings), else 1 with exposures, else 0."""
        if not self.complete:
            return ExitCode.INCOMPLETE
        return ExitCode.FINDINGS if self.exposed else ExitCode.CLEAN


def investigate(
    scope: Scope,
    plan: IncidentPlan,
    *,
    jobs: int = 1,
    progress: engine.ProgressCallback | None = None,
) -> Investigation:
    found = Investigation(scope, plan, _now(), notes=list(plan.scan.notes))
    merged: dict[str, Finding] = {}
    for source in scope.sources:
        run, findings = _scan_source(found, source, jobs, progress)
        found.runs.append(run)
        for finding in findings:
            _merge(merged, finding)
    found.findings = sorted(merged.values(), key=lambda f: (f.key_id or "~", f.fingerprint))
    found.finished = _now()
    return found


def _scan_source(
    found: Investigation, source: Source, jobs: int, progress: engine.ProgressCallback | None
) -> tuple[SourceRun, list[Finding]]:
    with contextlib.ExitStack() as stack:
        try:
            target = _local_target(stack, source)
            clones = _clone_folder(stack, source)
            connector = connector_for(target, _options(found.scope, source, clones, jobs))
            plan = found.plan.scan
            result = engine.scan(
                [connector],
                detectors=plan.detectors,
                classifier=plan.classifier,
                jobs=jobs,
                progress=progress,
                suppressions=plan.suppressions,
            )
        except (KeysprawlError, GitError) as error:
            return _failed(source, str(error)), []
        except Exception as error:  # one broken source must not stop the others
            return _failed(source, f"failed ({type(error).__name__})"), []
        findings = _in_window(found, _renamed(result.findings, target, source))
        _note_presence(found, findings, _repositories(found, source, target, clones, findings))
    found.notes.extend(result.notes)
    stats = result.stats
    return SourceRun(source, stats.chunks, stats.bytes, tuple(result.problems)), findings


def _failed(source: Source, message: str) -> SourceRun:
    return SourceRun(source, 0, 0, (Problem(source.kind, display_url(source.name), message),))


def _note_presence(
    found: Investigation, findings: list[Finding], repositories: Mapping[str, RepositoryState]
) -> None:
    for finding in findings:
        for occurrence in finding.occurrences:
            oid = occurrence.occurrence_id(finding.finding_id)
            repository = repositories.get(occurrence.location.repo or "")
            found.presence[oid] = presence_of(finding, occurrence, repository)


def _local_target(stack: contextlib.ExitStack, source: Source) -> str:
    """A git URL is mirror-cloned here (not by the connector) so that, after the scan, the
    clone is still there to tell which copies are present at its ref tips."""
    if source.kind == "git" and is_url(source.target):
        return str(stack.enter_context(mirror_clone(source.target)))
    return source.target


def _clone_folder(stack: contextlib.ExitStack, source: Source) -> Path | None:
    """Where a GitHub/GitLab source's repository clones stay until their tips are read."""
    if source.kind not in CLONING_KINDS:
        return None
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="keysprawl-incident-")))


def _options(scope: Scope, source: Source, clones: Path | None, jobs: int) -> TargetOptions:
    if source.kind == "git":  # every ref and object, whatever `branch` the sweep reads
        git = GitScanOptions(all_objects=True, workers=jobs)
        return TargetOptions(git=git, require_git=True)
    options = source_plan(source, None, "", TargetOptions(), full=True).options
    # Services are asked only for items updated since the window opened; older ones are
    # outside it anyway (an item's date is its last update). Their repositories: every object.
    services = replace(options.services, updated_since=scope.window.since)
    kept = str(clones) if clones is not None else None
    git = replace(options.git, all_objects=True, keep_clones=kept, workers=jobs)
    return replace(options, git=git, services=services)


def _renamed(findings: list[Finding], target: str, source: Source) -> list[Finding]:
    if target == source.target:
        return findings
    shown = display_url(source.target)
    for finding in findings:
        finding.occurrences = [
            replace(o, location=replace(o.location, repo=shown)) if o.location.repo == target else o
            for o in finding.occurrences
        ]
    return findings


def _in_window(found: Investigation, findings: list[Finding]) -> list[Finding]:
    window = found.scope.window
    kept = []
    for finding in findings:
        inside = [o for o in finding.occurrences if window.holds(o.location.date)]
        found.outside_window += len(finding.occurrences) - len(inside)
        if inside:
            finding.occurrences = inside
            kept.append(finding)
    return kept


def _repositories(
    found: Investigation, source: Source, target: str, clones: Path | None, findings: list[Finding]
) -> dict[str, RepositoryState]:
    """For each repository this scan holds on disk (the source itself, or the clones a
    GitHub/GitLab source made): what refs reach, what their tips hold."""
    paths: dict[str, list[str]] = defaultdict(list)
    for finding in findings:
        for o in finding.occurrences:
            if o.source == "git" and o.location.repo and o.location.path and o.location.commit:
                paths[o.location.repo].append(o.location.path)
    if source.kind == "git":
        shown = display_url(source.target) if target != source.target else target
        places = {shown: Path(target)}
    elif clones is not None:
        places = {name: clones / clone_name(name) for name in paths}
    else:
        return {}
    detectors = found.plan.scan.detectors.build()  # once for all the source's repositories
    states = (
        _state(found, name, place, paths.get(name, []), detectors) for name, place in places.items()
    )
    return {state.name: state for state in states if state is not None}


def _state(
    found: Investigation, name: str, repository: Path, paths: list[str], detectors: DetectorSet
) -> RepositoryState | None:
    if not repository.exists():
        return None  # its clone failed: the scan reported that already
    try:
        return repository_state(name, repository, paths, detectors, TargetOptions().max_file_size)
    except GitError as error:
        found.notes.append(f"{name}: could not tell which copies are still present ({error})")
        return None


def _merge(merged: dict[str, Finding], finding: Finding) -> None:
    known = merged.get(finding.fingerprint)
    if known is None:
        merged[finding.fingerprint] = finding
        return
    known.occurrences.extend(finding.occurrences)
    known.rule_ids.extend(r for r in finding.rule_ids if r not in known.rule_ids)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
