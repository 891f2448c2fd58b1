"""The built-in rules: their own examples, synthetic secrets in many syntaxes, both paths."""

from __future__ import annotations

import json
import secrets
import time

import pytest

from detectors.base import DetectorSpec
from detectors.hyperscan_db import hyperscan_available
from detectors.rule_check import check_rule_set
from detectors.rule_engine import RuleMatcher, single_line
from detectors.rule_examples import expand
from detectors.rule_loader import load_sources
from detectors.rule_model import Rule, RuleSet
from rules import RULES_DIR
from scanner.fingerprint import Fingerprinter

BUILTIN = load_sources([RULES_DIR]).rule_set
PATHS = [False, True] if hyperscan_available() else [False]
# Self-identifying formats: a prefix or structure says what they are, whatever the name.
FORMAT_RULES = [
    r for r in BUILTIN.rules if r.sample and "context" not in r.tags and single_line(r.regex)
]
PEM_RULES = [r for r in BUILTIN.rules if r.sample and not single_line(r.regex)]


@pytest.fixture(scope="module", params=PATHS, ids=lambda a: "hyperscan" if a else "pure")
def matcher(request: pytest.FixtureRequest) -> RuleMatcher:
    return RuleMatcher(BUILTIN, fingerprinter=Fingerprinter(), accelerate=request.param)


def test_every_builtin_rule_passes_its_examples_on_both_paths() -> None:
    assert check_rule_set(BUILTIN) == []


def test_the_builtin_set_covers_the_required_providers() -> None:
    ids = {rule.id for rule in BUILTIN.rules}
    assert len(ids) >= 80
    required = {
        "aws-access-key-id", "aws-secret-access-key", "gcp-api-key", "gcp-service-account-key",
        "azure-storage-account-key", "azure-ad-client-secret", "github-pat",
        "github-fine-grained-pat", "gitlab-pat", "gitlab-deploy-token",
        "gitlab-runner-registration-token", "gitlab-ci-job-token", "gitlab-feed-token",
        "gitlab-pipeline-trigger-token", "slack-bot-token", "slack-webhook-url",
        "stripe-live-secret-key", "twilio-api-key", "sendgrid-api-key", "mailgun-api-key",
        "openai-api-key", "anthropic-api-key", "huggingface-access-token", "npm-access-token",
        "pypi-upload-token", "dockerhub-pat", "atlassian-api-token", "shopify-access-token",
        "square-access-token", "databricks-token", "heroku-api-key", "digitalocean-pat",
        "private-key-rsa", "private-key-ec", "private-key-openssh", "private-key-pgp",
        "private-key-pkcs8", "private-key-pkcs8-encrypted", "jwt", "url-credentials",
        "generic-secret-assignment",
    }  # fmt: skip
    assert required <= ids
    assert all(rule.examples for rule in BUILTIN.rules)


def _syntaxes(value: str) -> dict[str, str]:
    name = "service_credential"
    return {
        "json": json.dumps({"service": {name: value, "enabled": True}}, indent=2),
        "yaml": f"service:\n  {name}: {value}\n  quoted: '{value}'\n",
        "ini": f"[service]\n{name} = {value}\n",
        "shell": f'export SERVICE_CREDENTIAL="{value}"\necho done\n',
        "python": f'CONFIG = {{\n    "{name}": "{value}",  # set by ops\n}}\n',
        "markdown": f"Log in with `{value}` (rotated monthly)\n",
    }


@pytest.mark.parametrize("rule", FORMAT_RULES, ids=lambda r: r.id)
def test_a_synthetic_secret_is_found_exactly_in_every_syntax(
    rule: Rule, matcher: RuleMatcher
) -> None:
    assert rule.sample is not None
    value = expand(rule.sample)
    for syntax, text in _syntaxes(value).items():
        data = text.encode()
        spans = {(m.rule_id, data[m.start : m.end].decode()) for m in matcher.find(data)}
        assert any(found == value for _, found in spans), (syntax, rule.id)


@pytest.mark.parametrize("rule", PEM_RULES, ids=lambda r: r.id)
def test_a_private_key_block_is_found_wrapped_indented_and_escaped(
    rule: Rule, matcher: RuleMatcher
) -> None:
    assert rule.sample is not None
    block = expand(rule.sample)
    indented = "key: |\n" + "".join(f"  {line}\n" for line in block.splitlines())
    escaped = json.dumps({"private_key": block + "\n"})
    for text in (block, indented, escaped, "before\n" + block + "\nafter"):
        assert rule.id in {m.rule_id for m in matcher.find(text.encode())}


def _mixed_corpus() -> bytes:
    parts = [secrets.token_bytes(2000).hex().encode()]
    for rule in BUILTIN.rules:
        for template in (*rule.examples, *rule.negative_examples):
            parts.append(expand(template).encode())
        if rule.sample:
            parts.extend(text.encode() for text in _syntaxes(expand(rule.sample)).values())
    return b"\n".join(parts)


def test_pure_and_hyperscan_paths_report_identical_matches() -> None:
    if not hyperscan_available():
        pytest.skip("the accelerator is not installed here")
    data = _mixed_corpus()
    found = [
        sorted(RuleMatcher(BUILTIN, fingerprinter=Fingerprinter(), accelerate=a).find(data),
               key=lambda m: (m.start, m.end, m.rule_id or ""))
        for a in (False, True)
    ]  # fmt: skip
    assert found[0] == found[1] and len(found[0]) > len(BUILTIN.rules)


def test_a_pathological_input_times_out_instead_of_hanging() -> None:
    slow = Rule(id="slow", description="catastrophic backtracking", regex=r"((?:a|aa)+b)")
    for accelerate in PATHS:
        matcher = RuleMatcher(
            RuleSet((slow,)), fingerprinter=Fingerprinter(), accelerate=accelerate, timeout=0.2
        )
        started = time.perf_counter()
        # The line can match (Hyperscan lets it through) but backtracks for ages first.
        assert matcher.find(b"a" * 60 + b"x ab\n") == []
        assert time.perf_counter() - started < 5
        assert matcher.timeouts["slow"] == 1


def test_matches_carry_fingerprints_a_masked_preview_and_line_numbers() -> None:
    value = expand("ghp_{{alnum:36}}")
    detectors = DetectorSpec((), pepper=b"pepper", rules=BUILTIN).build()
    (match,) = detectors.find(f"a = 1\n  token: {value}\n".encode(), first_line=10)
    assert (match.line, match.column, match.rule_id) == (11, 10, "github-pat")
    assert [fp.split(":")[0] for fp in match.fingerprints] == ["sha256", "hmac-sha256"]
    assert value not in match.preview and match.preview.endswith(value[-4:])


def test_inline_allow_comments_suppress_a_rule_match() -> None:
    value = expand("ghp_{{alnum:36}}")
    matcher = DetectorSpec((), rules=BUILTIN).build()
    assert matcher.find(f'token = "{value}"  # keysprawl:allow\n'.encode()) == []
    assert matcher.find(f'token = "{value}"  // gitleaks:allow\n'.encode()) == []
    assert len(matcher.find(f'token = "{value}"\n# keysprawl:allow\n'.encode())) == 1
