from __future__ import annotations

import pytest
from conftest import random_key

from scanner.charsets import charset_of
from scanner.fingerprint import Fingerprinter, PepperMissing, normalize, preview, preview_tail


def test_normalize_strips_surrounding_whitespace_only() -> None:
    assert normalize(b"  abc def \n") == b"abc def"


def test_pem_fingerprint_covers_the_body_without_whitespace_or_headers() -> None:
    body = random_key(200, alphabet="ABCDEFabcdef0123456789+/")
    wrapped = "\n".join(body[i : i + 64] for i in range(0, 200, 64))
    pem = f"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n{wrapped}\n-----END RSA PRIVATE KEY-----"
    assert normalize(pem.encode()) == body.encode()
    one_line = f"-----BEGIN RSA PRIVATE KEY-----{body}-----END RSA PRIVATE KEY-----"
    assert normalize(one_line.encode()) == body.encode()


def test_digest_forms() -> None:
    sha = Fingerprinter().digest(b"value-123456")
    assert sha.startswith("sha256:") and len(sha) == 7 + 64
    with pytest.raises(PepperMissing):
        Fingerprinter().digest(b"value", "hmac-sha256")
    keyed = Fingerprinter(b"pepper").digest(b"value-123456", "hmac-sha256")
    assert keyed.startswith("hmac-sha256:") and keyed[12:] != sha[7:]


def test_preview_keeps_a_known_prefix_and_the_last_four() -> None:
    assert preview(b"sk_live_abcdefghijklmnopqrstuvwx4f2a") == "sk_live_…4f2a"
    assert preview(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789") == "ghp_…6789"
    assert preview(b"abcdefghijklmnopqrstuvwxyz") == "…wxyz"
    assert preview(b"short123") == "…23"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abcDEF123", "alnum"),
        ("abc_DEF-123", "token"),
        ("ab.cd_e", "dotted"),
        ("abc+/de==", "base64"),
        ("a+b_c.d", "wide"),
        ("p@ss:word!", "printable"),
    ],
)
def test_charset_ladder(value: str, expected: str) -> None:
    assert charset_of(value.encode()) == expected


def test_preview_tail_gives_back_the_last_characters_a_preview_kept() -> None:
    assert preview_tail(preview(b"sk_live_abcdefghijklmnopqrstuvwx4f2a")) == b"4f2a"
    assert preview_tail(preview(b"short123")) == b"23"
    assert preview_tail(preview("pässwörd-0123456789ñé".encode())) == "ñé".encode()
    assert preview_tail("") == b"" and preview_tail("4f2a") == b""  # no preview, no marker
    # The last bytes cut a character in two: the preview shows U+FFFD, which is not the key's.
    assert preview_tail(preview("0123456789abcdef€xy".encode())) == b""
    # A key that holds "…" itself: what follows the last one is still its suffix.
    assert preview_tail("…a…bc") == b"bc"
