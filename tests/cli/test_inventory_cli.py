"""`keysprawl inventory`: values in by stdin or env only; fingerprints out; audit discipline."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conftest import add_key, files_containing, random_key, run_keysprawl

PEM_BODY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def test_add_stores_only_a_fingerprint_and_preview(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    value = random_key(40, prefix="org_")
    add_key(inventory, "billing-api", value, "--approved", "deploy/*")
    entry = tomllib.loads(inventory.read_text())["keys"][0]
    assert entry["owner"] == "platform-team" and entry["approved"] == ["deploy/*"]
    (fingerprint,) = entry["fingerprints"]
    assert fingerprint["digest"].startswith("sha256:") and fingerprint["length"] == 40
    assert fingerprint["preview"] == f"org_…{value[-4:]}"
    assert files_containing(tmp_path, [value]) == []


def test_add_from_environment_variable(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    value = random_key(36)
    result = run_keysprawl(
        "inventory",
        "add",
        "ci-token",
        "--inventory",
        inventory,
        "--from-env",
        "MY_TOKEN",
        env={"MY_TOKEN": value},
    )
    assert result.code == 0, result.stderr
    assert value not in result.stdout + result.stderr
    assert files_containing(tmp_path, [value]) == []


def test_missing_environment_variable_is_a_usage_error(tmp_path: Path) -> None:
    result = run_keysprawl(
        "inventory", "add", "x", "--inventory", tmp_path / "i.toml", "--from-env", "NOPE_NOT_SET"
    )
    assert result.code == 2 and result.stderr.count("\n") == 1 and "NOPE_NOT_SET" in result.stderr


def test_pem_private_key_is_accepted_whole(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    body = random_key(1600, alphabet=PEM_BODY_ALPHABET)
    wrapped = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    pem = f"-----BEGIN PRIVATE KEY-----\n{wrapped}\n-----END PRIVATE KEY-----\n"
    add_key(inventory, "signing-key", pem)
    fingerprint = tomllib.loads(inventory.read_text())["keys"][0]["fingerprints"][0]
    assert fingerprint["charset"] == "pem"
    assert files_containing(tmp_path, [body[:64], body[-64:]]) == []
    (tmp_path / "leak.json").write_text(json.dumps({"private_key": "x"}) + "\n" + pem)
    result = run_keysprawl(
        "scan", tmp_path / "leak.json", "--inventory", inventory, "--format", "jsonl"
    )
    assert result.code == 1 and json.loads(result.stdout)["key_id"] == "signing-key"


def test_multiline_non_pem_and_short_values_are_refused(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    for value in ("line-one-aaaaaaaa\nline-two-bbbbbbbb", "short", ""):
        result = run_keysprawl("inventory", "add", "k", "--inventory", inventory, stdin=value)
        assert result.code == 2, result
        assert "Traceback" not in result.stderr
    assert not inventory.exists()


def test_rotate_keeps_the_old_value_as_retired_and_revoke_marks_the_key(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    inventory.write_text("# reviewed by the security team\nversion = 1\n")
    old, new = random_key(40), random_key(40)
    add_key(inventory, "webhook", old)
    assert (
        run_keysprawl("inventory", "rotate", "webhook", "--inventory", inventory, stdin=new).code
        == 0
    )
    text = inventory.read_text()
    assert text.startswith("# reviewed by the security team")
    entry = tomllib.loads(text)["keys"][0]
    assert [("retired" in fp) for fp in entry["fingerprints"]] == [True, False]
    same = run_keysprawl("inventory", "rotate", "webhook", "--inventory", inventory, stdin=new)
    assert same.code == 2 and "new one" in same.stderr
    assert run_keysprawl("inventory", "revoke", "webhook", "--inventory", inventory).code == 0
    assert tomllib.loads(inventory.read_text())["keys"][0]["status"] == "revoked"
    assert files_containing(tmp_path, [old, new]) == []


def test_duplicate_add_and_unknown_key_are_usage_errors(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "a", random_key())
    again = run_keysprawl("inventory", "add", "a", "--inventory", inventory, stdin=random_key())
    assert again.code == 2 and "already" in again.stderr
    missing = run_keysprawl("inventory", "revoke", "nope", "--inventory", inventory)
    assert missing.code == 2 and "no key 'nope'" in missing.stderr


def test_an_unknown_key_id_is_reported_before_the_value_is_read_or_checked(
    tmp_path: Path,
) -> None:
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "a", random_key())
    before = inventory.read_text()
    short, multiline = random_key(6), f"{random_key(12)}\n{random_key(12)}"
    attempts = [
        ((), short),  # too short
        ((), multiline),  # several lines, not PEM
        ((), ""),  # no value at all
        (("--from-env", "UNSET_VARIABLE"), ""),  # a variable that is not set
    ]
    for extra, value in attempts:
        result = run_keysprawl(
            "inventory", "rotate", "nope", "--inventory", inventory, *extra, stdin=value
        )
        assert result.code == 2, result
        assert result.stderr.count("\n") == 1 and "no key 'nope'" in result.stderr, result
        for line in value.splitlines():  # the value, or any line of it, is never echoed
            assert line not in result.stdout + result.stderr
    taken = run_keysprawl("inventory", "add", "a", "--inventory", inventory, stdin=short)
    assert taken.code == 2 and "already" in taken.stderr and short not in taken.stderr
    assert inventory.read_text() == before


def test_list_text_and_json(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    value = random_key(40)
    add_key(inventory, "svc-key", value)
    text = run_keysprawl("inventory", "list", "--inventory", inventory)
    assert "svc-key" in text.stdout and "platform-team" in text.stdout
    listed = json.loads(
        run_keysprawl("inventory", "list", "--inventory", inventory, "--format", "json").stdout
    )
    assert listed[0]["id"] == "svc-key" and value not in json.dumps(listed)


def test_inventory_path_from_environment_and_default_file(tmp_path: Path) -> None:
    add_key(tmp_path / "keysprawl-inventory.toml", "a", random_key())
    assert "a " in run_keysprawl("inventory", "list", cwd=tmp_path).stdout
    other = tmp_path / "other.toml"
    add_key(other, "b", random_key())
    assert (
        "b " in run_keysprawl("inventory", "list", env={"KEYSPRAWL_INVENTORY": str(other)}).stdout
    )


def test_malformed_inventory_names_the_line(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    inventory.write_text('version = 1\n[[keys]]\nid = "a"\nowner = \n')
    result = run_keysprawl("inventory", "list", "--inventory", inventory)
    assert result.code == 2
    assert "line 4" in result.stderr and result.stderr.count("\n") == 1


def test_missing_inventory_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_keysprawl("inventory", "list", "--inventory", tmp_path / "absent.toml")
    assert result.code == 2 and "inventory not found" in result.stderr


def test_schema_errors_are_one_line(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    inventory.write_text(
        'version = 1\n[[keys]]\nid = "a"\n[[keys.fingerprints]]\ndigest = "md5:abc"\n'
    )
    result = run_keysprawl("scan", tmp_path, "--inventory", inventory)
    assert result.code == 2 and "digest" in result.stderr and "Traceback" not in result.stderr


def test_audit_flags_each_lifecycle_problem(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    shared = random_key()
    add_key(inventory, "good", random_key())
    add_key(inventory, "dup-a", shared)
    text = inventory.read_text()
    text += (
        '\n[[keys]]\nid = "bare"\nowner = "alice@example.com"\ncreated = 2020-01-01\n'
        'rotate_every = "90d"\nlegacy_note = "x"\n'
        '\n[[keys]]\nid = "bob-owned"\nowner = "Bob Smith"\npurpose = "p"\nscope = "s"\n'
        'rotate_every = "1y"\nrevoke = "r"\ncreated = 2026-01-01\n'
    )
    dup = tomllib.loads(text)["keys"][1]["fingerprints"][0]
    text += f'[[keys.fingerprints]]\ndigest = "{dup["digest"]}"\nlength = 40\ncharset = "alnum"\n'
    inventory.write_text(text)
    people = tmp_path / "people.txt"
    people.write_text("# staff\nbob smith\n")
    result = run_keysprawl("inventory", "audit", "--inventory", inventory, "--people", people)
    assert result.code == 1
    out = result.stdout
    for expected in [
        "bare: missing purpose",
        "bare: missing scope",
        "bare: missing revoke",
        "bare: owner 'alice@example.com' is a person",
        "bare: unknown field 'legacy_note'",
        "bare: rotation overdue",
        "bob-owned: owner 'Bob Smith' is a person",
        "keys bob-owned, dup-a",
    ]:
        assert expected in out, expected
    assert "good:" not in out


def test_clean_audit_exits_zero(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "good", random_key())
    assert run_keysprawl("inventory", "audit", "--inventory", inventory).code == 0


def test_keyed_fingerprints_need_a_pepper(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    value = random_key(40)
    pepper = {"KEYSPRAWL_PEPPER": "team-pepper"}
    add_key(inventory, "low-entropy", value, "--keyed", env=pepper)
    assert "hmac-sha256:" in inventory.read_text()
    (tmp_path / "a.env").write_text(f"K={value}\n")
    found = run_keysprawl("scan", tmp_path / "a.env", "--inventory", inventory, env=pepper)
    assert found.code == 1 and "low-entropy" in found.stdout
    no_pepper = run_keysprawl("scan", tmp_path / "a.env", "--inventory", inventory)
    assert no_pepper.code == 2 and "KEYSPRAWL_PEPPER" in no_pepper.stderr
