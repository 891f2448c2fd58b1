"""What a source's cursor says was already covered, and how the next scan skips it.

- git: the tip of every ref at the start of the last complete scan; the next scan reads only
  commits not reachable from those tips, and of the working tree only files that differ from
  HEAD. When the tips and the working tree's digest are both as the cursor says, there is
  nothing to read and the source is not scanned at all (scanner.sweep.git_state).
- GitHub, GitLab, Jira: the time the last complete scan started; the next asks the service
  for what was updated since.
- folders: read whole every time (no history to skip).

Every cursor carries a stamp of what the scan searched for: the inventory's fingerprints, the
rules (each one's id, pattern and gates) and the decoding depth. A key added or rotated, a new
or changed rule (an upgrade, a rules folder) means old content was never searched for it, so a
stamp that differs forces a full scan of that source, once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from connectors.services import ServiceOptions
from detectors.base import DetectorSpec
from detectors.rule_model import Rule
from scanner.inventory import Inventory
from scanner.sweep.git_state import git_state
from scanner.sweep.sources import Source
from scanner.targets import TargetOptions


def detection_stamp(inventory: Inventory, detectors: DetectorSpec) -> str:
    """What the scans searched for; allowlists and baselines only hide findings, so they are
    not in it (changing them needs no rescan)."""
    digests = sorted(fingerprint.digest for _, fingerprint in inventory.fingerprints())
    rules = sorted(_rule_line(rule) for rule in detectors.rules.rules)
    text = "\n".join([*digests, "--rules--", *rules, f"--decode-depth {detectors.decode_depth}"])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _rule_line(rule: Rule) -> str:
    gates = (rule.secret_group, sorted(rule.keywords), rule.entropy)
    return f"{rule.id}\0{rule.regex}\0{gates!r}"


@dataclass(frozen=True, slots=True)
class Plan:
    """How to scan one source this time, and the cursor to keep if the scan completes."""

    options: TargetOptions
    next_cursor: dict[str, Any]
    incremental: bool
    unchanged: bool = False  # nothing new since the cursor: no scan needed


def plan(
    source: Source, previous: dict[str, Any] | None, stamp: str, base: TargetOptions, *, full: bool
) -> Plan:
    usable = previous if previous and previous.get("stamp") == stamp and not full else None
    started = datetime.now(UTC)
    if source.kind == "git":
        now = git_state(source.target, usable)
        exclude = tuple(sorted(set(usable["tips"].values()))) if usable and "tips" in usable else ()
        branch = source.settings.get("branch")
        git = replace(
            base.git,
            exclude=exclude,
            worktree_changes_only=bool(exclude),  # unchanged files are HEAD's, read before
            branches=(branch,) if branch else base.git.branches,
        )
        cursor = {"stamp": stamp, **now.cursor()}
        unchanged = usable is not None and now.same_as(usable)
        return Plan(replace(base, git=git), cursor, bool(exclude), unchanged)
    if source.service:
        since = (
            datetime.fromisoformat(usable["updated_since"])
            if usable and "updated_since" in usable
            else None
        )
        services = replace(_service_options(source, base.services), updated_since=since)
        next_cursor = {"stamp": stamp, "updated_since": started.isoformat()}
        return Plan(replace(base, services=services), next_cursor, since is not None)
    return Plan(base, {"stamp": stamp}, False)


def _service_options(source: Source, base: ServiceOptions) -> ServiceOptions:
    settings = source.settings
    if source.kind == "github":
        return replace(
            base,
            github_url=settings.get("url") or base.github_url,
            github_token_env=settings.get("token_env") or base.github_token_env,
        )
    if source.kind == "gitlab":
        return replace(
            base,
            gitlab_url=settings.get("url") or base.gitlab_url,
            gitlab_token_env=settings.get("token_env") or base.gitlab_token_env,
        )
    return replace(
        base,
        jira_url=settings.get("url") or base.jira_url,
        jira_token_env=settings.get("token_env") or base.jira_token_env,
        jira_email_env=settings.get("email_env") or base.jira_email_env,
    )
