"""What a developer sees when the pre-commit hook stops a commit: where, whose key, what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from scanner.engine import ScanResult
from scanner.inventory import InventoryKey
from scanner.model import Finding, Kind, Occurrence
from scanner.report.text import name, place

_WHAT = {
    Kind.EXPOSURE: "a current key of the inventory",
    Kind.STALE: "a rotated-away (old) key of the inventory",
    Kind.UNMANAGED: "a credential that is not in the inventory",
}


def render_hook(result: ScanResult, out: TextIO, keys: Mapping[str, InventoryKey]) -> None:
    reported = [(f, o) for f in result.findings for o in f.occurrences if o.kind in _WHAT]
    if reported:
        out.write(f"keysprawl: this change adds {len(reported)} copy(ies) of a key:\n")
    for finding, occurrence in reported:
        _copy(finding, occurrence, out, keys.get(finding.key_id or ""))
    if reported:
        out.write(
            "  To fix: remove the value from the change (edit the file, then `git add` it),\n"
            "  and read it at run time from the secret store instead.\n"
            "  If it was ever pushed or shared, treat it as exposed: it is due for revocation.\n"
        )
        if any(occurrence.kind is Kind.UNMANAGED for _, occurrence in reported):
            out.write(
                "  Not a credential (a test value, say)? Put `keysprawl:allow` in a comment on"
                " its line.\n"
            )
    for problem in result.problems:
        out.write(f"keysprawl: error: {problem.where}: {problem.message}\n")


def _copy(finding: Finding, occurrence: Occurrence, out: TextIO, key: InventoryKey | None) -> None:
    owner = finding.owner or "no owner recorded"
    out.write(f"  {place(occurrence.location)}  {finding.preview}  {name(finding)}")
    out.write(f" (owner: {owner})\n")
    out.write(f"    {_WHAT[occurrence.kind]}")
    if occurrence.kind is Kind.EXPOSURE and occurrence.due:
        out.write(f"; if already pushed, revoke by {occurrence.due}")
        if key is not None and key.revoke:
            out.write(f": {key.revoke}")
    out.write("\n")
