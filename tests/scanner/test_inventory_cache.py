"""The validated inventory cache: same inventory as parsing, rebuilt on any change or damage."""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import pytest
from conftest import add_key, files_containing, random_key, run_keysprawl

from scanner import inventory, inventory_cache
from scanner.errors import ConfigError

INVENTORY = """\
version = 1
owner_team = "kept as an unknown top-level field"

[[keys]]
id = "billing-api"
owner = "payments"
purpose = "charges"
scope = "production"
provider = "stripe"
created = 2025-01-31
rotated = 2026-02-01
rotate_every = "90d"
revoke = "https://example.test/revoke"
approved = ["deploy/*.enc.yaml", "gitlab-variable:acme/*:STRIPE_KEY"]
status = "revoked"
revoked = 2026-03-01
ticket = "SEC-1"

[[keys.fingerprints]]
digest = "sha256:{digest_a}"
length = 40
charset = "alnum"
preview = "org_…abcd"
added = 2025-01-31
retired = 2026-02-01

[[keys.fingerprints]]
digest = "sha256:{digest_b}"
length = 32
charset = "base64"
preview = "…ef01"

[[keys]]
id = "ci-token"

[[keys.fingerprints]]
digest = "sha256:{digest_c}"
length = 36
charset = "alnum"
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KEYSPRAWL_CACHE_DIR", str(folder))
    return folder


def write_inventory(path: Path, owner: str = "payments") -> Path:
    digests = {f"digest_{n}": hashlib.sha256(n.encode()).hexdigest() for n in "abc"}
    path.write_text(INVENTORY.format(**digests).replace('"payments"', f'"{owner}"'))
    return path


def parsed(path: Path) -> inventory.Inventory:
    return inventory.parse(inventory._parse_toml(path.read_bytes(), path), path)


def no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(raw: bytes, path: Path) -> None:
        raise AssertionError("parsed the TOML although the cache holds it")

    monkeypatch.setattr(inventory, "_parse_toml", fail)


def test_cached_inventory_equals_the_parsed_one(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_inventory(tmp_path / "inv.toml")
    expected = parsed(path)
    assert inventory.load(path) == expected  # parses, writes the cache
    assert len(list(cache.glob("inventory-rows-*.json"))) == 1
    no_toml(monkeypatch)
    loaded = inventory.load(path)
    assert loaded == expected
    assert loaded.keys[0].fingerprints[0].retired is not None  # dates come back as dates
    assert loaded.unknown_fields == ("owner_team",) and loaded.keys[0].unknown_fields == ("ticket",)
    assert gc.isenabled()  # the collector, paused while loading, runs again


def test_a_changed_inventory_file_is_read_again(tmp_path: Path, cache: Path) -> None:
    path = write_inventory(tmp_path / "inv.toml")
    assert inventory.load(path).keys[0].owner == "payments"
    write_inventory(path, owner="platform")
    assert inventory.load(path).keys[0].owner == "platform"
    assert len(list(cache.glob("inventory-rows-*.json"))) == 2


def test_another_validator_version_does_not_use_the_rows(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_inventory(tmp_path / "inv.toml")
    inventory.load(path)
    monkeypatch.setattr(inventory_cache, "_VALIDATOR", b"an upgraded scanner.inventory")
    assert inventory_cache.read(path.read_bytes(), path) is None
    assert inventory.load(path) == parsed(path)
    assert len(list(cache.glob("inventory-rows-*.json"))) == 2


def test_the_path_comes_from_the_caller_not_the_cache(tmp_path: Path, cache: Path) -> None:
    first = write_inventory(tmp_path / "one.toml")
    second = write_inventory(tmp_path / "two.toml")
    assert inventory.load(first).path == first
    assert inventory.load(second).path == second


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b'{"layout": [], "keys": [], "unknown_fields": []}',
        b'{"keys": [["only-an-id"]]}',
        b"[1, 2, 3]",
    ],
)
def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, cache: Path, damage: bytes) -> None:
    path = write_inventory(tmp_path / "inv.toml")
    expected = inventory.load(path)
    (cached,) = cache.glob("inventory-rows-*.json")
    cached.write_bytes(damage)
    assert inventory.load(path) == expected
    assert cached.read_bytes() != damage  # rewritten


def test_an_invalid_inventory_is_never_cached(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "inv.toml"
    path.write_text('[[keys]]\nid = "x"\nstatus = "lost"\n')
    for _ in range(2):
        with pytest.raises(ConfigError, match="'status' must be one of"):
            inventory.load(path)
    assert not list(cache.glob("inventory-rows-*.json"))


def test_caching_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYSPRAWL_CACHE_DIR", "")
    path = write_inventory(tmp_path / "inv.toml")
    assert inventory.load(path) == parsed(path)
    assert inventory_cache.read(path.read_bytes(), path) is None


def test_the_cache_holds_no_key_value(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = tmp_path / "inv.toml"
    values = [random_key(40), random_key(32)]
    for number, value in enumerate(values):
        add_key(path, f"key-{number}", value, env={"KEYSPRAWL_CACHE_DIR": str(cache)})
    (tmp_path / "app.py").write_text(f'token = "{values[0]}"\n')
    scanned = run_keysprawl(
        "scan", tmp_path / "app.py", "--inventory", path, env={"KEYSPRAWL_CACHE_DIR": str(cache)}
    )
    assert scanned.code == 1, scanned.stderr
    assert list(cache.glob("inventory-rows-*.json"))
    assert files_containing(cache, values) == []
