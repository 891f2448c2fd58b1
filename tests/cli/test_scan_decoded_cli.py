"""`keysprawl scan` through encodings and containers: paths, original lines, `encodings`."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

from conftest import add_key, files_containing, random_key, run_keysprawl


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_copies_found_however_they_were_pasted(tmp_path: Path) -> None:
    key = random_key(40, prefix="org_")
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "webhook", key)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "secret.yaml").write_text(f"kind: Secret\ndata:\n  token: {b64(key)}\n")
    (tree / "win.reg").write_bytes(f'REGEDIT4\r\n\r\n"Token"="{key}"\r\n'.encode("utf-16"))
    (tree / "db.url").write_text(f"x\npostgres://app:{key.replace('_', '%5F')}@db/app\n")
    (tree / "bundle.zip").write_bytes(
        zipped({"conf/app.env": f"A=1\nB=2\nTOKEN={key}\n".encode(), "pic.png": b"\x89PNG\0"})
    )
    result = run_keysprawl("scan", tree, "--inventory", inventory, "--format", "jsonl")
    assert result.code == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    seen = {(r["location"]["path"], r["location"]["line"], tuple(r["encodings"])) for r in records}
    assert seen == {
        ("secret.yaml", 3, ("base64",)),
        ("win.reg", 3, ("utf-16le",)),
        ("db.url", 2, ("percent",)),
        ("bundle.zip!conf/app.env", 3, ("zip",)),
    }
    assert all(r["key_id"] == "webhook" for r in records)
    assert key not in result.stdout + result.stderr
    assert files_containing(tmp_path, [key]) == []


def test_archive_bomb_is_refused_and_the_scan_marked_incomplete(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "webhook", random_key(40))
    (tmp_path / "bomb.zip").write_bytes(zipped({"zeros.txt": b"0" * (64 * 1024 * 1024)}))
    result = run_keysprawl(
        "scan", tmp_path / "bomb.zip", "--inventory", inventory, "--format", "json"
    )
    assert result.code == 3, result.stderr
    assert "bomb.zip!zeros.txt" in result.stdout + result.stderr
    assert "archive bomb" in result.stdout + result.stderr


def test_decode_depth_zero_turns_decoding_off(tmp_path: Path) -> None:
    key = random_key(40)
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "webhook", key)
    (tmp_path / "secret.yaml").write_text(f"data:\n  token: {b64('token=' + key)}\n")
    args = ("scan", tmp_path / "secret.yaml", "--inventory", inventory, "--format", "jsonl")

    def kinds(*extra: str) -> list[tuple[str, str | None, list[str]]]:
        result = run_keysprawl(*args, *extra)
        records = [json.loads(line) for line in result.stdout.splitlines()]
        return [(r["kind"], r["key_id"], r["encodings"]) for r in records]

    # Decoded, the copy is the inventory key, not also an unmanaged base64 "secret".
    assert kinds() == [("exposure", "webhook", ["base64"])]
    assert ("exposure", "webhook", ["base64"]) not in kinds("--decode-depth", "0")
