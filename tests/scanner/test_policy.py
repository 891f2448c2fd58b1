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
