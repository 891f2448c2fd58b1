"""Windows narrowed by the keys' tails: the same candidates from every finder, and every key
still found, including keys without a usable preview and keys that share a tail."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ALNUM, random_key

from detectors.fingerprint_matcher import FingerprintMatcher, Target
from detectors.hyperscan_db import hyperscan_available
from detectors.window_specs import window_specs
from detectors.windows import ExhaustiveWindows, RegexWindows, WindowSpec
from scanner.charsets import BY_NAME, charset_of
from scanner.fingerprint import Fingerprinter, normalize, preview, preview_tail

NOISY = ALNUM + "_-+/=.:@"


def target(value: str, *, tail: bool = True) -> Target:
    normalized = normalize(value.encode())
    kept = preview_tail(preview(normalized)) if tail else b""
    digest = Fingerprinter().digest(normalized)
    return Target(digest, len(normalized), charset_of(normalized), kept)


def found(text: bytes, targets: list[Target], **options: bool) -> list[tuple[int, int, str]]:
    matcher = FingerprintMatcher(targets, fingerprinter=Fingerprinter(), **options)
    return [(m.start, m.end, m.fingerprints[0]) for m in matcher.find(text)]


def noisy_text(planted: list[str], decoys: list[str]) -> bytes:
    """Random tokens of many lengths around the planted values and the decoys, in the
    syntaxes keys are pasted in; each planted value also glued to other text once."""
    noise = " ".join(random_key(n, alphabet=NOISY) for n in range(8, 70))
    syntaxes = ["K={}", 'k = "{}"', "k: '{}'", "u://a:{}@h", "{}", "({})"]
    lines = [
        f"{noise} {syntax.format(value)} {noise}"
        for syntax in syntaxes
        for value in [*planted, *decoys]
    ]
    lines += [f"{noise} x{value}x {noise}" for value in planted]
    return "\n".join(lines).encode()


def keys_and_decoys() -> tuple[list[str], list[str], list[Target]]:
    """Keys of several alphabets and lengths; two share a tail; one (in the same alphabet and
    length as another) has no preview; the decoys end like keys but are not keys."""
    first = random_key(40)
    twin = random_key(36) + first[-4:]  # same length, same tail
    without_preview = random_key(40)
    others = [
        random_key(24, alphabet=ALNUM + "_-"),
        random_key(42, alphabet=ALNUM + "+/") + "==",
        random_key(32) + "é!",
        "p@ss:w0rd#" + random_key(22, alphabet=NOISY),
    ]
    keys = [first, twin, without_preview, *others]
    targets = [target(key, tail=key != without_preview) for key in keys]
    decoys = [random_key(36) + first[-4:], random_key(20, alphabet=ALNUM + "_-") + others[0][-4:]]
    return keys, decoys, targets


@pytest.mark.parametrize("accelerate", [False, True] if hyperscan_available() else [False])
def test_every_key_is_found_and_no_decoy(accelerate: bool) -> None:
    keys, decoys, targets = keys_and_decoys()
    text = noisy_text(keys, decoys)
    spans = found(text, targets, accelerate=accelerate)
    values = [text[start:end].decode() for start, end, _ in spans]
    assert sorted(values) == sorted(keys * 6)  # each key in each syntax, never glued
    glued = found(text, targets, accelerate=accelerate, exhaustive=True)
    assert sorted(text[start:end].decode() for start, end, _ in glued) == sorted(keys * 7)


def test_finders_agree_with_and_without_tails() -> None:
    """With tails, each finder proposes exactly its own windows that end with a tail."""
    keys, decoys, targets = keys_and_decoys()
    text = noisy_text(keys, decoys)
    narrowed = window_specs((t.charset, t.length, t.tail) for t in targets)
    plain = window_specs((t.charset, t.length, b"") for t in targets)
    assert any(spec.tails for spec in narrowed) and not any(spec.tails for spec in plain)
    expected = {
        (start, end)
        for spec in plain
        for start, end in RegexWindows([spec]).windows(text)
        if _ends_with_a_tail(text, start, end, _spec_for(narrowed, spec))
    }
    assert set(RegexWindows(narrowed).windows(text)) == expected
    if hyperscan_available():
        from detectors.windows_hyperscan import HyperscanWindows

        assert set(HyperscanWindows(plain).windows(text)) == set(RegexWindows(plain).windows(text))
        assert set(HyperscanWindows(narrowed).windows(text)) == expected
    every = set(ExhaustiveWindows(narrowed).windows(text))
    assert expected <= every
    assert all(
        _ends_with_a_tail(text, start, end, spec)
        for spec in narrowed
        for start, end in ExhaustiveWindows([spec]).windows(text)
    )


def _spec_for(specs: list[WindowSpec], like: WindowSpec) -> WindowSpec:
    return next(spec for spec in specs if spec.charset == like.charset)


def _ends_with_a_tail(text: bytes, start: int, end: int, spec: WindowSpec) -> bool:
    tails = spec.tails.get(end - start)
    return tails is None or any(text[start:end].endswith(tail) for tail in tails)


def test_every_path_reports_the_same_matches() -> None:
    keys, decoys, targets = keys_and_decoys()
    text = noisy_text(keys, decoys)
    pure = found(text, targets, accelerate=False)
    without_tails = found(text, [Target(t.digest, t.length, t.charset) for t in targets])
    assert len(pure) >= len(keys) * 2
    if hyperscan_available():
        assert found(text, targets, accelerate=True) == pure
    assert without_tails == pure
    assert set(pure) <= set(found(text, targets, exhaustive=True))


def test_a_key_without_a_preview_widens_only_its_own_length() -> None:
    with_tail, without = random_key(40), random_key(40)
    other = random_key(32)
    specs = window_specs(
        [
            ("alnum", 40, target(with_tail).tail),
            ("alnum", 40, b""),
            ("alnum", 32, target(other).tail),
        ]
    )
    (spec,) = specs
    assert dict(spec.tails) == {32: frozenset({other[-4:].encode()})}
    text = f"A={with_tail}\nB={without}\nC={other}\n".encode()
    targets = [target(with_tail), target(without, tail=False), target(other)]
    assert [
        m.line for m in FingerprintMatcher(targets, fingerprinter=Fingerprinter()).find(text)
    ] == [
        1,
        2,
        3,
    ]


@pytest.mark.parametrize(
    ("tail", "narrowed"),
    [
        (b"wxyz", True),
        (b"xyz", True),
        (b"yz", False),  # too short to narrow anything
        (b"", False),
        (b"wx-z", False),  # not in the alphabet
    ],
)
def test_which_tails_narrow(tail: bytes, narrowed: bool) -> None:
    (spec,) = window_specs([("alnum", 40, tail)])
    assert (40 in spec.tails) is narrowed


def test_tails_of_one_length_are_cut_to_the_shortest() -> None:
    (spec,) = window_specs([("alnum", 40, b"wxyz"), ("alnum", 40, b"abc")])
    assert spec.tails[40] == frozenset({b"xyz", b"abc"})


def test_a_printable_key_with_a_multibyte_tail() -> None:
    key = "p4ss:" + random_key(20) + "ñé"  # the last four bytes are two characters
    split = "p4ss:" + random_key(20) + "€ab"  # the last four bytes cut the "€" in two
    assert target(key).tail == "ñé".encode()
    assert target(split).tail == b""
    text = f'pw="{key}"\nother="{split}"\n'.encode()
    for accelerate in [False, True] if hyperscan_available() else [False]:
        matcher = FingerprintMatcher(
            [target(key), target(split)], fingerprinter=Fingerprinter(), accelerate=accelerate
        )
        assert [m.line for m in matcher.find(text)] == [1, 2]
    assert BY_NAME[charset_of(key.encode())].name == "printable"


def test_the_compiled_database_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hyperscan_available():
        pytest.skip("hyperscan is not installed")
    from detectors.windows_hyperscan import HyperscanWindows

    monkeypatch.setenv("KEYSPRAWL_CACHE_DIR", str(tmp_path))
    keys = [random_key(40) for _ in range(50)]
    specs = window_specs((t.charset, t.length, t.tail) for t in map(target, keys))
    HyperscanWindows(specs)
    (cached,) = tmp_path.glob("hyperscan-*.db")
    stamp = cached.stat().st_mtime_ns
    text = f"K={keys[7]}\n".encode()
    assert list(HyperscanWindows(specs).windows(text)) == [(2, 42)]
    assert cached.stat().st_mtime_ns == stamp  # loaded, not compiled and written again


@pytest.mark.parametrize("accelerate", [False, True] if hyperscan_available() else [False])
@pytest.mark.parametrize(
    ("text", "found_at"),
    [
        ("{key}", [0]),
        ("{key}\nK={key}", [0, 44]),
        ("x{key}", []),
        ("{key}x", []),
        ("K={key}", [2]),
        ("{key}{key}", []),
    ],
)
def test_keys_at_the_edges_of_the_content(accelerate: bool, text: str, found_at: list[int]) -> None:
    """With every length narrowed, no window pattern needs the content padded: the edges of
    the content bound a key like a newline would."""
    key = random_key(41)
    matcher = FingerprintMatcher(
        [target(key)], fingerprinter=Fingerprinter(), accelerate=accelerate
    )
    assert [m.start for m in matcher.find(text.format(key=key).encode())] == found_at
