"""Building a detector set for generated values, as the scan would from an inventory."""

from __future__ import annotations

import base64
import secrets
import textwrap

from detectors.base import DetectorSet, DetectorSpec
from detectors.fingerprint_matcher import Target
from scanner.charsets import PEM, charset_of
from scanner.fingerprint import Fingerprinter, normalize, pem_label, preview, preview_tail


def detectors_for(*values: str, depth: int = 3, accelerate: bool = True) -> DetectorSet:
    targets = []
    for value in values:
        normalized = normalize(value.encode())
        is_pem = pem_label(value.encode()) is not None
        targets.append(
            Target(
                Fingerprinter().digest(normalized),
                0 if is_pem else len(normalized),
                PEM if is_pem else charset_of(normalized),
                b"" if is_pem else preview_tail(preview(normalized)),  # as a scan builds it
            )
        )
    return DetectorSpec(tuple(targets), accelerate=accelerate, decode_depth=depth).build()


def random_pem(label: str = "PRIVATE KEY") -> str:
    """A PEM block around random bytes, wrapped at 64 columns as OpenSSL writes it."""
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = textwrap.wrap(body, 64)
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def b64(text: str, *, url_safe: bool = False, padded: bool = True) -> str:
    encoded = (base64.urlsafe_b64encode if url_safe else base64.b64encode)(text.encode()).decode()
    return encoded if padded else encoded.rstrip("=")
