"""Whether each copy is still present now, and what that means per kind of place.

- `current`: in content as it is now: a working-tree or folder file; a service item (issue,
  comment, variable, ticket) as the service returns it today; or a file in git history whose
  path still holds the value at the tip of a ref (`refs` names those refs).
- `history`: only in git history a ref reaches (a commit message, or a file changed since):
  removing it means rewriting history.
- `unreachable`: only in objects no ref reaches (dangling commits and blobs): gone at the
  next garbage collection, unless someone fetched them before.
- `unknown`: git history whose repository could not be read again after the scan (its
  ref tips were not checked; the bundle's notes say why).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.git_unreachable import UNREACHABLE_FIELD
from scanner.incident.presence import RepositoryState
from scanner.model import Finding, Occurrence

CURRENT = "current"
HISTORY = "history"
UNREACHABLE = "unreachable"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Presence:
    state: str
    refs: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.state == CURRENT


def presence_of(
    finding: Finding, occurrence: Occurrence, repository: RepositoryState | None
) -> Presence:
    location = occurrence.location
    if occurrence.source != "git":
        return Presence(CURRENT)
    if location.field == UNREACHABLE_FIELD:
        return Presence(UNREACHABLE)
    if repository is None or location.repo != repository.name:
        return Presence(UNKNOWN)
    refs = repository.tips.get((finding.fingerprint, location.path or ""), ())
    if refs and location.field is None:
        return Presence(CURRENT, refs)
    return Presence(HISTORY if location.commit in repository.reachable else UNREACHABLE)
