"""Severity from where a copy is and what the key reaches; --fail-on."""

from __future__ import annotations

from datetime import date

import pytest

from scanner.model import Kind, Severity
from scanner.policy import FailOn, Policy

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("kind", "visibility", "scope", "expected"),
    [
        (Kind.EXPOSURE, "public", None, Severity.CRITICAL),
        (Kind.EXPOSURE, "private", None, Severity.HIGH),
        (Kind.EXPOSURE, None, None, Severity.HIGH),  # unknown visibility: like private
        (Kind.EXPOSURE, "internal", "production-payments", Severity.CRITICAL),
        (Kind.EXPOSURE, "private", "test-sandbox", Severity.MEDIUM),
        (Kind.EXPOSURE, "public", "test-sandbox", Severity.CRITICAL),  # public wins
        (Kind.STALE, "public", None, Severity.MEDIUM),
        (Kind.STALE, "private", "production", Severity.LOW),
        (Kind.ALLOWED, "public", None, Severity.LOW),
    ],
)
def test_severity(kind: Kind, visibility: str | None, scope: str | None, expected: Severity):
    policy = Policy(
        TODAY, scope_severity={"production*": Severity.CRITICAL, "test*": Severity.MEDIUM}
    )
    assert policy.severity(kind, visibility=visibility, scope=scope) is expected


def test_only_exposures_are_due():
    policy = Policy(TODAY)
    assert policy.due(Kind.EXPOSURE, Severity.CRITICAL) == date(2026, 3, 2)
    assert policy.due(Kind.EXPOSURE, Severity.HIGH) == date(2026, 3, 8)
    assert policy.due(Kind.STALE, Severity.LOW) is None


def test_fail_on_kinds_and_minimum_severity():
    assert FailOn.parse("exposure").fails(Kind.EXPOSURE, Severity.LOW)
    assert not FailOn.parse("exposure").fails(Kind.STALE, Severity.CRITICAL)
    high = FailOn.parse("high")
    assert high.fails(Kind.EXPOSURE, Severity.CRITICAL)
    assert high.fails(Kind.UNMANAGED, Severity.HIGH)
    assert not high.fails(Kind.STALE, Severity.LOW)
    assert not high.fails(Kind.ALLOWED, Severity.CRITICAL)
    assert not FailOn.parse("none").fails(Kind.EXPOSURE, Severity.CRITICAL)
    assert FailOn.parse("stale,medium").fails(Kind.STALE, Severity.MEDIUM)
    with pytest.raises(ValueError, match="bogus"):
        FailOn.parse("exposure,bogus")
    with pytest.raises(ValueError):
        FailOn.parse("high,low")


def test_the_classifier_uses_visibility_and_scope():
    from scanner.classify import Classifier
    from scanner.inventory import parse
    from scanner.model import Location, Match

    digest = "sha256:" + "ab" * 32
    fingerprint = {"digest": digest, "length": 40, "charset": "alnum", "preview": "…wxyz"}
    inventory = parse({"keys": [{"id": "k", "scope": "test-lab", "fingerprints": [fingerprint]}]})
    classifier = Classifier(inventory, Policy(TODAY, scope_severity={"test*": Severity.MEDIUM}))
    match = Match(0, 40, 1, 1, (digest,), "…wxyz")
    public, _, _ = classifier.occurrence(match, Location("github-issue", visibility="public"))
    private, _, _ = classifier.occurrence(match, Location("github-issue", visibility="private"))
    assert (public.severity, public.due) == (Severity.CRITICAL, "2026-03-02")
    assert (private.severity, private.due) == (Severity.MEDIUM, "2026-03-31")
