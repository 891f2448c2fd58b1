"""A fixed scan for golden files: the same values, places and dates every run.

The key values are generated from a fixed seed at test time (never committed), so every
report is byte-identical from run to run while no plaintext sits in the repository.
"""

from __future__ import annotations

import contextlib
import random
import string
from dataclasses import replace
from datetime import date
from pathlib import Path

from connectors.filesystem import FilesystemConnector
from detectors.base import DetectorSpec
from scanner import engine, setup
from scanner.config import PolicyConfig
from scanner.engine import ScanResult
from scanner.fingerprint import Fingerprinter, normalize, preview
from scanner.inventory import Inventory, parse
from scanner.model import Severity
from scanner.report.document import Report

TODAY = date(2026, 3, 1)
GENERATED = "2026-03-01T12:00:00Z"
POLICY = PolicyConfig(scope_severity={"production*": Severity.CRITICAL})


def values() -> dict[str, str]:
    chooser = random.Random(20260301)
    alphabet = string.ascii_letters + string.digits
    return {
        name: "".join(chooser.choice(alphabet) for _ in range(40))
        for name in ("webhook", "deploy_old", "deploy_new", "agent")
    }


def _fingerprint(value: str, **extra: str) -> dict[str, object]:
    normalized = normalize(value.encode())
    return {
        "digest": Fingerprinter(None).digest(normalized),
        "length": len(normalized),
        "charset": "alnum",
        "preview": preview(normalized),
        **extra,
    }


def inventory(keys: dict[str, str]) -> Inventory:
    common = {"rotate_every": "90d", "status": "active"}
    return parse(
        {
            "keys": [
                {
                    "id": "payments-webhook",
                    "owner": "payments-platform",
                    "purpose": "signs payment webhooks",
                    "scope": "production-payments",
                    "revoke": "https://runbooks.example/payments-webhook",
                    "fingerprints": [_fingerprint(keys["webhook"])],
                    **common,
                },
                {
                    "id": "deploy-token",
                    "owner": "platform-ci",
                    "purpose": "deploys services",
                    "scope": "staging",
                    "revoke": "keysprawl-runbook deploy-token",
                    "approved": ["ci/*.yaml"],
                    "fingerprints": [
                        _fingerprint(keys["deploy_old"], retired="2026-02-01"),
                        _fingerprint(keys["deploy_new"]),
                    ],
                    **common,
                },
                {
                    "id": "support-agent",
                    "owner": "support-tools",
                    "purpose": "AI agent tool calls",
                    "scope": "internal-tools",
                    "revoke": "https://runbooks.example/agent",
                    "fingerprints": [_fingerprint(keys["agent"])],
                    **common,
                },
            ]
        }
    )


def build_tree(root: Path, keys: dict[str, str]) -> Path:
    files = {
        "src/config.env": f"WEBHOOK_SECRET={keys['webhook']}\n",
        "docs/setup notes.md": f"# setup\n\nuse `{keys['webhook']}` for now | temp\n",
        "old/deploy.sh": f"#!/bin/sh\nexport TOKEN={keys['deploy_old']}\n",
        "ci/vars.yaml": f"token: {keys['deploy_new']}\n",
        "agents/support.py": f'AGENT_KEY = "{keys["agent"]}"\n',
        "README.md": "nothing here\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def scan(root: Path, inv: Inventory) -> ScanResult:
    spec: DetectorSpec = setup.detector_spec(inv, setup.MatchingOptions(accelerate=False))
    # Scanned by its folder name, as a user would from its parent: locations name the folder
    # ("tree"), not the temporary path, so golden files stay fixed.
    with contextlib.chdir(root.parent):
        result = engine.scan(
            [FilesystemConnector(Path(root.name))],
            detectors=spec,
            classifier=setup.classifier(inv, TODAY, config=POLICY),
        )
    result.stats.seconds = 0.0
    return result


def scan_report(root: Path) -> tuple[Report, ScanResult, Inventory, dict[str, str]]:
    keys = values()
    inv = inventory(keys)
    result = scan(build_tree(root, keys), inv)
    report = Report.from_scan(result, {k.id: k for k in inv.keys}, generated=GENERATED, today=TODAY)
    return report, result, inv, keys


def with_generated(report: Report) -> Report:
    return replace(report, generated=GENERATED)
