"""Suppression: baselines and path allowlists drop unmanaged occurrences only."""

from __future__ import annotations

from scanner.model import Kind, Location, Occurrence, Severity
from scanner.suppress import Suppressions


def _occurrence(kind: Kind, path: str, rule_id: str | None = "github-pat") -> Occurrence:
    location = Location("file", path=path, line=3, column=1)
    return Occurrence(kind, Severity.HIGH, location, "file", rule_id=rule_id)


def test_a_rule_path_allowlist_applies_to_that_rule_only() -> None:
    suppressions = Suppressions(rule_paths={"github-pat": (r"(^|/)fixtures/",)})
    assert suppressions.suppressed(("sha256:a",), _occurrence(Kind.UNMANAGED, "tests/fixtures/x"))
    assert not suppressions.suppressed(
        ("sha256:a",), _occurrence(Kind.UNMANAGED, "tests/fixtures/x", rule_id="jwt")
    )
    assert suppressions.notes() == ["1 unmanaged occurrence(s) suppressed by allowlisted path"]


def test_inventory_keys_are_never_suppressed() -> None:
    suppressions = Suppressions(baseline=frozenset({("sha256:a", "app/x.py")}), paths=(r"^app/",))
    for kind in (Kind.EXPOSURE, Kind.STALE, Kind.ALLOWED):
        assert not suppressions.suppressed(("sha256:a",), _occurrence(kind, "app/x.py"))
    assert suppressions.suppressed(("sha256:a",), _occurrence(Kind.UNMANAGED, "app/x.py"))


def test_the_baseline_matches_any_of_the_match_fingerprints_at_the_same_path() -> None:
    suppressions = Suppressions(baseline=frozenset({("hmac-sha256:b", "app/x.py")}))
    occurrence = _occurrence(Kind.UNMANAGED, "app/x.py")
    assert suppressions.suppressed(("sha256:a", "hmac-sha256:b"), occurrence)
    assert not suppressions.suppressed(("sha256:a",), occurrence)
    assert not suppressions.suppressed(
        ("hmac-sha256:b",), _occurrence(Kind.UNMANAGED, "app/other.py")
    )
