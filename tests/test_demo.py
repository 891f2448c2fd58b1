"""The README's first command: the demo shows real findings of every kind."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_keysprawl

DEMO = Path(__file__).parent.parent / "fixtures" / "demo"


def test_demo_scan_finds_exposures_and_a_stale_copy() -> None:
    result = run_keysprawl(
        "scan",
        DEMO / "tree",
        "--inventory",
        DEMO / "keysprawl-inventory.toml",
        "--format",
        "jsonl",
        "--include-allowed",
    )
    assert result.code == 1
    found = {
        (r["kind"], r["key_id"], r["location"]["path"])
        for r in map(json.loads, result.stdout.splitlines())
    }
    assert found == {
        ("exposure", "payments-webhook", ".env"),
        ("allowed", "payments-webhook", "deploy/ci-variables.yaml"),
        ("allowed", "deploy-token", "deploy/ci-variables.yaml"),
        ("stale", "payments-webhook", "notes/2026-05-incident.md"),
        ("exposure", "agent-tools-token", "src/support_agent.py"),
    }


def test_demo_inventory_audit_flags_the_person_owner() -> None:
    result = run_keysprawl("inventory", "audit", "--inventory", DEMO / "keysprawl-inventory.toml")
    assert (
        result.code == 1
        and "deploy-token: owner 'jane.doe@example.com' is a person" in result.stdout
    )
