"""Text decoders: each encoding is seen through, with the line of the original and the chain."""

from __future__ import annotations

import json
import secrets
import textwrap
import urllib.parse

import pytest
from conftest import random_key
from decoding_helpers import b64, detectors_for, random_pem

from scanner.model import Match


def found(content: str | bytes, *values: str, depth: int = 3) -> list[Match]:
    data = content.encode() if isinstance(content, str) else content
    return detectors_for(*values, depth=depth).find(data)


def only(matches: list[Match]) -> Match:
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize("url_safe", [False, True])
@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("accelerate", [False, True])
def test_base64_kubernetes_secret(url_safe: bool, padded: bool, accelerate: bool) -> None:
    key = random_key(40, alphabet="abcdefghijklmnopqrstuvwxyz0123456789?>~")
    encoded = b64(key, url_safe=url_safe, padded=padded)
    secret = f"apiVersion: v1\nkind: Secret\ndata:\n  api-key: {encoded}\n"
    match = only(detectors_for(key, accelerate=accelerate).find(secret.encode()))
    assert (match.line, match.column) == (4, 12)
    url_safe_only = set(encoded) & set("-_")
    assert match.encodings == (("base64url",) if url_safe_only else ("base64",))


def test_base64_of_a_whole_env_file_reports_the_line_of_the_blob() -> None:
    key = random_key(32)
    env = f"DEBUG=1\nSERVICE_TOKEN={key}\nREGION=eu-west-1\n"
    content = f'# config\nvalue = "{b64(env)}"\n'
    match = only(found(content, key))
    assert (match.line, match.encodings) == (2, ("base64",))


def test_base64_wrapped_at_76_columns_reports_the_line_holding_the_key() -> None:
    key = random_key(40)
    text = "x" * 300 + f"\ntoken: {key}\n" + "y" * 300
    wrapped = textwrap.wrap(b64(text), 76)
    content = "body: |\n" + "".join(f"  {line}\n" for line in wrapped)
    match = only(found(content, key))
    # The key sits after ~300 decoded bytes: in the 6th wrapped line (line 7 of the file).
    assert 6 <= match.line <= 8
    assert match.encodings == ("base64",)


def test_percent_encoded_password_in_a_database_url() -> None:
    key = random_key(10) + "/+" + random_key(10) + "@:"
    url = f"DATABASE_URL=postgres://app:{urllib.parse.quote(key, safe='')}@db.internal:5432/app"
    assert "%" in url
    match = only(found(f"# settings\n{url}\n", key))
    assert (match.line, match.encodings) == (2, ("percent",))


def test_json_escapes_in_a_string() -> None:
    key = random_key(15) + "/" + random_key(14)
    escaped = json.dumps({"token": key}).replace("/", "\\/")
    assert "\\/" in escaped
    match = only(found("{\n" + escaped[1:-1] + "\n}\n", key))
    assert (match.line, match.encodings) == (2, ("json-escape",))


def test_unicode_escapes_with_surrogate_pairs() -> None:
    key = random_key(14) + "é" + random_key(14) + "😀"
    escaped = json.dumps(key)  # ensure_ascii: \u00e9 and \ud83d\ude00
    assert "\\u" in escaped
    match = only(found(f"x = {escaped};\n", key))
    assert match.encodings == ("json-escape",)


def test_service_account_file_with_pem_split_by_newline_escapes() -> None:
    pem = random_pem()
    account = {"type": "service_account", "project_id": "demo", "private_key": pem}
    content = json.dumps(account, indent=2)
    match = only(found(content, pem))
    assert (match.line, match.encodings) == (4, ("json-escape",))
    assert match.preview.startswith("-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize("layout", ["wrapped", "joined", "spaced"])
def test_pem_key_found_however_it_is_laid_out(layout: str) -> None:
    pem = random_pem()
    lines = pem.strip().splitlines()
    copy = {"wrapped": pem, "joined": "".join(lines), "spaced": " ".join(lines)}[layout]
    match = only(found(f"key:\n{copy}\n", pem))
    assert match.line == 2


def test_nested_base64_inside_json_inside_base64() -> None:
    key = random_key(36)
    inner = json.dumps({"auth": b64(json.dumps({"token": key}))})
    outer = f"payload: {b64(inner)}\n"
    match = only(found("first line\n" + outer, key))
    assert (match.line, match.encodings) == (2, ("base64", "base64"))
    assert found("first line\n" + outer, key, depth=1) == []


def test_key_in_base64_whose_slashes_are_json_escaped() -> None:
    key, encoded = "", ""
    while "/" not in encoded:  # PHP's json_encode writes `/` as `\/`
        key = random_key(36, alphabet="abcdefghijklmnopqrstuvwxyz0123456789?")
        encoded = b64("token=" + key)
    document = '{"config": "' + encoded.replace("/", "\\/") + '"}'
    match = only(found(document, key))
    assert match.encodings == ("json-escape", "base64")


def test_depth_zero_sees_only_the_raw_content() -> None:
    key = random_key(32)
    assert found(f"k: {b64('token=' + key)}\n", key, depth=0) == []


def test_raw_match_is_not_repeated_by_a_decoder() -> None:
    key = random_key(32)
    match = only(found(f'{{"a": "{key}", "b": "line\\nbreak"}}\n', key))
    assert match.encodings == ()


def test_near_miss_stays_a_near_miss_through_decoding() -> None:
    key = random_key(32)
    near = key[:-1] + ("A" if key[-1] != "A" else "B")
    content = f"a: {b64('token=' + near)}\nb: {urllib.parse.quote('x/' + near + '/y', safe='')}\n"
    assert found(content, key) == []


def test_random_blobs_and_images_yield_no_views() -> None:
    from detectors.decoders import registry
    from detectors.decoders.base import DecodeOptions
    from detectors.decoders.decoding import Decoding

    png = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(4000)
    blobs = [b64(secrets.token_bytes(n).decode("latin-1")) for n in (24, 33, 48, 300)]
    data = (
        "\n".join(f"blob{i}: {blob}" for i, blob in enumerate(blobs * 50))
        + f'\n<img src="data:image/png;base64,{b64(png.decode("latin-1"))}">\n'
    ).encode()
    decoding = Decoding(registry.build(DecodeOptions()))
    assert list(decoding.views(data)) == []


def _notebook(cells: list[dict[str, object]]) -> str:
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def test_notebook_pem_key_split_over_cell_lines_reports_the_ipynb_line() -> None:
    pem = random_pem()
    source = ["import os\n", 'KEY = """\n', *pem.splitlines(keepends=True), '"""\n']
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
    content = _notebook([cell])
    match = only(found(content, pem))
    begin_line = next(
        number for number, line in enumerate(content.splitlines(), 1) if "-----BEGIN" in line
    )
    assert (match.line, match.encodings) == (begin_line, ("notebook",))


def test_notebook_key_in_an_output_stream() -> None:
    key = random_key(40, alphabet="abcdefghijklmnopqrstuvwxyz0123456789!$%")
    output = {"name": "stdout", "output_type": "stream", "text": ["token:\n", f"{key}\n"]}
    cell = {"cell_type": "code", "metadata": {}, "outputs": [output], "source": ["print(t)"]}
    content = _notebook([cell])
    key_line = next(number for number, line in enumerate(content.splitlines(), 1) if key in line)
    assert only(found(content, key)).line == key_line


def test_random_blobs_and_images_do_not_flood_the_rules() -> None:
    from pathlib import Path

    import rules
    from detectors.base import DetectorSpec
    from detectors.rule_loader import load_sources

    rule_set = load_sources([Path(rules.__file__).parent]).rule_set
    png = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(3000)
    lines = [f"  blob{n}: {b64(secrets.token_bytes(48).decode('latin-1'))}" for n in range(300)]
    lines.append(f'<img src="data:image/png;base64,{b64(png.decode("latin-1"))}">')
    data = "\n".join(lines).encode()

    def found(depth: int) -> list[Match]:
        return DetectorSpec((), rules=rule_set, decode_depth=depth).build().find(data)

    assert found(3) == found(0)
