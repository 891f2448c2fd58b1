"""Rules end to end: `rules check|list`, unmanaged findings, classification, suppression."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import add_key, random_key, run_keysprawl


def _jsonl(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_rules_check_passes_on_the_builtin_rules_and_list_shows_them() -> None:
    checked = run_keysprawl("rules", "check")
    assert checked.code == 0 and checked.stdout.startswith("ok: ")
    listed = run_keysprawl("rules", "list", "--format", "json")
    ids = {rule["id"] for rule in json.loads(listed.stdout)}
    assert listed.code == 0 and len(ids) >= 80 and "github-pat" in ids


def test_rules_check_reports_each_broken_rule_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'schema = "keysprawl-rules/1"\n'
        "[[rules]]\n"
        'id = "broken-regex"\n'
        'description = "does not compile"\n'
        "regex = '''(unclosed'''\n"
        "examples = ['x']\n"
        "[[rules]]\n"
        'id = "wrong-example"\n'
        'description = "its example does not match"\n'
        "regex = '''(zz_[0-9]{8})'''\n"
        "examples = ['zz_{{digits:4}}']\n"
        "negative_examples = ['zz_{{digits:8}}']\n"
    )
    result = run_keysprawl("rules", "check", "--no-builtin-rules", "--rules", tmp_path)
    lines = result.stderr.splitlines()
    assert result.code == 2 and "Traceback" not in result.stderr
    assert any(line.startswith("broken-regex: regex does not compile") for line in lines)
    assert "wrong-example: example 1 does not match" in lines
    assert "wrong-example: negative example 1 matches" in lines


def test_without_an_inventory_scan_reports_unmanaged_credentials_masked(tmp_path: Path) -> None:
    token = random_key(40, prefix="ghp_")
    stripe = random_key(40, prefix="sk_live_")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "settings.py").write_text(f'TOKEN = "{token}"\nPAY = "{stripe}"\n')
    result = run_keysprawl("scan", "app", "--format", "jsonl", cwd=tmp_path)
    records = _jsonl(result.stdout)
    assert result.code == 1
    assert {(r["kind"], r["rule_id"], r["severity"]) for r in records} == {
        ("unmanaged", "github-pat", "high"),
        ("unmanaged", "stripe-live-secret-key", "critical"),
    }
    assert token not in result.stdout + result.stderr and stripe not in result.stdout
    text = run_keysprawl("scan", "app", cwd=tmp_path)
    assert "reporting credentials of known formats only" in text.stdout
    assert token not in text.stdout and token[-4:] in text.stdout


def test_an_inventory_key_matched_by_a_rule_is_that_key_once(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    token = random_key(40, prefix="ghp_")
    add_key(inventory, "ci-token", token)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.env").write_text(f"GITHUB_TOKEN={token}\nAGAIN={token}\n")
    result = run_keysprawl("scan", tmp_path / "src", "--inventory", inventory, "--format", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["kind"] == "exposure" and finding["key_id"] == "ci-token"
    assert finding["rule_ids"] == ["github-pat"]
    assert [o["location"]["line"] for o in finding["occurrences"]] == [1, 2]
    assert all(o["rule_id"] == "github-pat" for o in finding["occurrences"])


def test_inline_allow_and_allowlisted_paths_suppress_unmanaged_only(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    owned = random_key(40, prefix="ghp_")
    add_key(inventory, "ci-token", owned)
    stranger = random_key(40, prefix="ghp_")
    (tmp_path / "src" / "vendor").mkdir(parents=True)
    (tmp_path / "src" / "a.py").write_text(
        f'A = "{stranger}"  # keysprawl:allow\nB = "{owned}"  # keysprawl:allow\n'
    )
    (tmp_path / "src" / "vendor" / "lib.py").write_text(f'C = "{stranger}"\n')
    (tmp_path / "keysprawl.toml").write_text("[allowlist]\npaths = ['''^vendor/''']\n")
    result = run_keysprawl(
        "scan", "src", "--inventory", inventory, "--format", "jsonl", cwd=tmp_path
    )
    records = _jsonl(result.stdout)
    # The organization's own key is still reported: a comment cannot hide it.
    assert [(r["kind"], r["key_id"]) for r in records] == [("exposure", "ci-token")]


def test_the_configs_line_allowlist_hides_matches_beside_the_builtin_rules(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    fixture, real = random_key(40, prefix="ghp_"), random_key(40, prefix="ghp_")
    (tmp_path / "src" / "a.py").write_text(f'A = "{fixture}"  # fixture\nB = "{real}"\n')
    (tmp_path / "keysprawl.toml").write_text(
        "[allowlist]\nregex_target = \"line\"\nregexes = ['''#\\s*fixture$''']\n"
    )
    result = run_keysprawl("scan", "src", "--format", "jsonl", cwd=tmp_path)
    assert result.code == 1
    assert [r["location"]["line"] for r in _jsonl(result.stdout)] == [2]


def test_a_baseline_suppresses_known_findings_without_line_numbers(tmp_path: Path) -> None:
    old = random_key(40, prefix="ghp_")
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "a.py"
    source.write_text(f'OLD = "{old}"\n')
    created = run_keysprawl("baseline", "create", "src", cwd=tmp_path)
    assert created.code == 0 and "1 entries" in created.stdout
    baseline = (tmp_path / ".keysprawl-baseline.json").read_text()
    assert old not in baseline and '"line"' not in baseline
    # Moving the secret down the file does not re-open it; a new secret fails the scan.
    new = random_key(40, prefix="ghp_")
    source.write_text(f'# moved\n\nOLD = "{old}"\nNEW = "{new}"\n')
    scanned = run_keysprawl(
        "scan", "src", "--baseline", ".keysprawl-baseline.json", "--format", "jsonl", cwd=tmp_path
    )
    records = _jsonl(scanned.stdout)
    assert scanned.code == 1 and [r["location"]["line"] for r in records] == [4]
    updated = run_keysprawl("baseline", "update", "src", cwd=tmp_path)
    assert "2 entries (1 added, 0 removed)" in updated.stdout
    clean = run_keysprawl("scan", "src", "--baseline", ".keysprawl-baseline.json", cwd=tmp_path)
    assert clean.code == 0 and "2 unmanaged occurrence(s) suppressed by baseline" in clean.stdout


def test_a_gitleaks_config_can_be_given_as_extra_rules(tmp_path: Path) -> None:
    config = tmp_path / ".gitleaks.toml"
    config.write_text(
        "[[rules]]\n"
        'id = "acme-internal"\n'
        "regex = '''acme_live_([a-z0-9]{24})'''\n"
        'keywords = ["acme_live_"]\n'
    )
    value = random_key(24, alphabet="abcdefghijklmnopqrstuvwxyz0123456789")
    (tmp_path / "x.cfg").write_text(f"key = acme_live_{value}\n")
    result = run_keysprawl(
        "scan", tmp_path / "x.cfg", "--rules", config, "--no-builtin-rules", "--format", "jsonl"
    )
    assert [r["rule_id"] for r in _jsonl(result.stdout)] == ["acme-internal"]
    assert value not in result.stdout


def test_a_pathological_line_cannot_hang_a_scan(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "slow.toml").write_text(
        'schema = "keysprawl-rules/1"\n'
        "[[rules]]\n"
        'id = "backtracks"\n'
        'description = "catastrophic backtracking on long runs of a"\n'
        "regex = '''((?:a|aa)+b)'''\n"
        "examples = ['ab']\n"
    )
    (tmp_path / "input.txt").write_text("a" * 80 + "x ab\n")
    result = run_keysprawl(
        "scan", tmp_path / "input.txt", "--rules", tmp_path / "rules", "--no-builtin-rules"
    )
    # Exit 3: the rule may have missed a match there, so the scan cannot read as clean.
    assert result.code == 3, result.stderr
    assert "error: rules backtracks: ran out of time on 1 item(s)" in result.stdout
