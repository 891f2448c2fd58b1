"""The fingerprint matcher finds inventory keys by digest in every common syntax, and nothing else."""

from __future__ import annotations

import pytest
from conftest import ALNUM, random_key

from detectors.fingerprint_matcher import FingerprintMatcher, Target
from detectors.hyperscan_db import hyperscan_available
from scanner.charsets import charset_of
from scanner.fingerprint import Fingerprinter, normalize, preview, preview_tail

BACKENDS = [False, True] if hyperscan_available() else [False]
# (accelerate, tails): each finder, with the windows narrowed by the keys' tails or not.
FINDERS = [(accelerate, tails) for accelerate in BACKENDS for tails in (True, False)]


def target_for(
    value: str, fingerprinter: Fingerprinter | None = None, keyed: bool = False, tail: bool = True
) -> Target:
    """The target the scan builds from an inventory entry: with the tail its preview keeps
    (or none, as for a fingerprint imported without a preview)."""
    normalized = normalize(value.encode())
    fingerprinter = fingerprinter or Fingerprinter()
    digest = fingerprinter.digest(normalized, "hmac-sha256" if keyed else "sha256")
    kept = preview_tail(preview(normalized)) if tail else b""
    return Target(digest, len(normalized), charset_of(normalized), kept)


def find(
    text: str,
    *values: str,
    accelerate: bool = True,
    exhaustive: bool = False,
    tails: bool = True,
) -> list[tuple[int, int]]:
    matcher = FingerprintMatcher(
        [target_for(v, tail=tails) for v in values],
        fingerprinter=Fingerprinter(),
        accelerate=accelerate,
        exhaustive=exhaustive,
    )
    return [(m.line, m.column) for m in matcher.find(text.encode())]


SYNTAXES = [
    "API_KEY={key}",
    'token = "{key}"',
    "token: '{key}'",
    "secret: {key}",
    '{{"key": "{key}", "other": 1}}',
    "export SERVICE_TOKEN={key}",
    "url = https://user:{key}@db.internal:5432/app",
    "https://api.example.com/v1?key={key}&page=2",
    "Authorization: Bearer {key}",
    "{key}",
    "curl -H 'X-Api-Key: {key}' https://x",
    "password=({key})",
]


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
@pytest.mark.parametrize("syntax", SYNTAXES)
def test_finds_a_key_in_common_syntaxes(syntax: str, accelerate: bool, tails: bool) -> None:
    key = random_key(40)
    text = "first line\n" + syntax.format(key=key) + "\nlast line"
    column = syntax.format(key=key).index(key) + 1
    assert find(text, key, accelerate=accelerate, tails=tails) == [(2, column)]


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
@pytest.mark.parametrize("length", [32, 40, 48, 64])
def test_finds_org_internal_keys_without_a_format(
    length: int, accelerate: bool, tails: bool
) -> None:
    keys = [random_key(length, alphabet=ALNUM + "_-") for _ in range(3)]
    text = "\n".join(f"KEY_{n}={key}" for n, key in enumerate(keys))
    assert find(text, *keys, accelerate=accelerate, tails=tails) == [(1, 7), (2, 7), (3, 7)]


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
def test_near_miss_is_not_reported(accelerate: bool, tails: bool) -> None:
    key = random_key(40)
    changed = key[:20] + ("A" if key[20] != "A" else "B") + key[21:]
    assert find(f"API_KEY={changed}", key, accelerate=accelerate, tails=tails) == []


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
@pytest.mark.parametrize("glue", ["{key}x", "x{key}", "{key}_suffix", "prefix-{key}", "{key}{key}"])
def test_longer_token_containing_the_key_is_not_reported(
    glue: str, accelerate: bool, tails: bool
) -> None:
    key = random_key(40)
    assert find("TOKEN=" + glue.format(key=key), key, accelerate=accelerate, tails=tails) == []


def test_exhaustive_mode_finds_keys_glued_to_other_text() -> None:
    key = random_key(40)
    assert find(f"TOKEN=abc{key}def", key, exhaustive=True) == [(1, 10)]


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
def test_base64_key_with_padding_after_an_equals_sign(accelerate: bool, tails: bool) -> None:
    key = random_key(42, alphabet=ALNUM + "+/") + "=="
    assert find(f"KEY={key}\n  key: {key}", key, accelerate=accelerate, tails=tails) == [
        (1, 5),
        (2, 8),
    ]


@pytest.mark.parametrize(("accelerate", "tails"), FINDERS)
def test_printable_password_with_punctuation(accelerate: bool, tails: bool) -> None:
    key = "c0rrect:h0rse@b4ttery!st4ple#" + random_key(8)
    text = f'DB_PASSWORD="{key}"\nurl=postgres://app:{key}@db/app'
    assert find(text, key, accelerate=accelerate, tails=tails) == [(1, 14), (2, 20)]


@pytest.mark.parametrize("accelerate", BACKENDS)
def test_columns_count_characters_after_multibyte_text(accelerate: bool) -> None:
    key = random_key(32)
    assert find(f"clé «secrète» = {key}", key, accelerate=accelerate) == [(1, 17)]


@pytest.mark.parametrize("accelerate", BACKENDS)
def test_invalid_utf8_does_not_stop_matching(accelerate: bool) -> None:
    key = random_key(32)
    data = b"\xff\xfe\xc3(\nKEY=" + key.encode() + b"\n\x80\x81"
    matcher = FingerprintMatcher(
        [target_for(key)], fingerprinter=Fingerprinter(), accelerate=accelerate
    )
    assert [(m.line, m.column) for m in matcher.find(data)] == [(2, 5)]


def test_both_backends_find_the_same_windows_on_noisy_text() -> None:
    if not hyperscan_available():
        pytest.skip("hyperscan is not installed")
    keys = [random_key(n, alphabet=ALNUM + "_-+/=") for n in (24, 36, 40, 44)]
    noise = " ".join(random_key(n, alphabet=ALNUM + "_-+/=.:@") for n in range(10, 70))
    text = "\n".join(
        f"{noise} {k}={keys[i % 4]} {noise}" for i, k in enumerate(["a", "b", "c", "d"] * 5)
    )
    assert find(text, *keys, accelerate=True) == find(text, *keys, accelerate=False)
    assert len(find(text, *keys)) == 20


def test_pem_key_found_wrapped_or_joined() -> None:
    body = random_key(1200, alphabet=ALNUM + "+/")
    wrapped = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    pem = f"-----BEGIN PRIVATE KEY-----\n{wrapped}\n-----END PRIVATE KEY-----\n"
    joined = f"-----BEGIN PRIVATE KEY-----{body}-----END PRIVATE KEY-----"
    matcher = FingerprintMatcher(
        [Target(target_for(pem).digest, 0, "pem")], fingerprinter=Fingerprinter()
    )
    text = f"key: |\n  {pem}\nother: {joined}\n"
    found = matcher.find(text.encode())
    assert [m.line for m in found] == [2, 24]
    assert all(m.preview.startswith("-----BEGIN PRIVATE KEY-----…") for m in found)


def test_keyed_fingerprints_need_the_same_pepper() -> None:
    key = random_key(32)
    peppered = Fingerprinter(b"pepper-one")
    target = target_for(key, peppered, keyed=True)
    assert target.digest.startswith("hmac-sha256:")
    assert len(FingerprintMatcher([target], fingerprinter=peppered).find(f"k={key}".encode())) == 1
    other = Fingerprinter(b"pepper-two")
    assert FingerprintMatcher([target], fingerprinter=other).find(f"k={key}".encode()) == []


def test_match_never_holds_the_value() -> None:
    key = random_key(40, prefix="org_live_")
    matcher = FingerprintMatcher([target_for(key)], fingerprinter=Fingerprinter())
    (match,) = matcher.find(f"K={key}".encode())
    assert key not in repr(match)
    assert match.preview == f"org_live_…{key[-4:]}"
