"""`keysprawl scan` on files, folders and stdin: kinds, the JSONL contract, bad input, exit codes."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import add_key, files_containing, random_key, run_keysprawl


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    """An inventory with a current, an approved and a rotated-away value."""
    values = {
        "current": random_key(40, prefix="org_"),
        "approved": random_key(36),
        "old": random_key(40),
    }
    inventory = tmp_path / "inv.toml"
    add_key(inventory, "webhook", values["old"])
    assert (
        run_keysprawl(
            "inventory", "rotate", "webhook", "--inventory", inventory, stdin=values["current"]
        ).code
        == 0
    )
    add_key(inventory, "deploy", values["approved"], "--approved", "ci/*.yaml")
    return values


def scan(
    tmp_path: Path, *args: str | Path, stdin: str = ""
) -> tuple[int, list[dict[str, object]], str]:
    result = run_keysprawl(
        "scan", *args, "--inventory", tmp_path / "inv.toml", "--format", "jsonl", stdin=stdin
    )
    return result.code, [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_kinds_exposure_allowed_stale(tmp_path: Path, keys: dict[str, str]) -> None:
    tree = tmp_path / "tree"
    (tree / "ci").mkdir(parents=True)
    (tree / "app.env").write_text(
        f"# config\nWEBHOOK={keys['current']}\nDEPLOY={keys['approved']}\n"
    )
    (tree / "ci" / "vars.yaml").write_text(f"deploy: {keys['approved']}\n")
    (tree / "notes.md").write_text(f"old: `{keys['old']}`\n")
    code, records, _ = scan(tmp_path, tree, "--include-allowed")
    assert code == 1
    seen = {(r["kind"], r["key_id"], r["location"]["path"], r["location"]["line"]) for r in records}  # type: ignore[index]
    assert seen == {
        ("exposure", "webhook", "app.env", 2),
        ("exposure", "deploy", "app.env", 3),
        ("allowed", "deploy", "ci/vars.yaml", 1),
        ("stale", "webhook", "notes.md", 1),
    }
    exposure = next(r for r in records if r["kind"] == "exposure" and r["key_id"] == "webhook")
    assert exposure["owner"] == "platform-team" and exposure["source"] == "file"
    assert exposure["severity"] == "high" and exposure["due"] and exposure["encodings"] == []
    assert (
        exposure["location"]["column"] == 9
        and exposure["preview"] == f"org_…{keys['current'][-4:]}"
    )  # type: ignore[index]
    stale = next(r for r in records if r["kind"] == "stale")
    assert stale["severity"] == "low" and stale["due"] is None
    _, default_records, _ = scan(tmp_path, tree)
    assert "allowed" not in {r["kind"] for r in default_records}


def test_jsonl_has_the_contract_fields(tmp_path: Path, keys: dict[str, str]) -> None:
    (tmp_path / "a.txt").write_text(keys["current"])
    _, (record,), _ = scan(tmp_path, tmp_path / "a.txt")
    assert {
        "kind",
        "key_id",
        "owner",
        "rule_id",
        "fingerprint",
        "preview",
        "source",
        "location",
        "encodings",
        "severity",
        "due",
    } <= set(record)
    assert set(record["location"]) >= {
        "repo",
        "ref",
        "commit",
        "path",
        "line",
        "column",
        "field",
        "url",
        "author",
        "date",
    }  # type: ignore[arg-type]


def test_copies_of_one_key_are_one_finding(tmp_path: Path, keys: dict[str, str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for n in range(5):
        (tree / f"f{n}.env").write_text(f"K={keys['current']}\nK2={keys['current']}\n")
    result = run_keysprawl("scan", tree, "--inventory", tmp_path / "inv.toml", "--format", "json")
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert finding["key_id"] == "webhook" and len(finding["occurrences"]) == 10
    assert report["complete"] is True and report["stats"]["chunks"] == 5


def test_text_report_groups_by_key_with_owner_and_revocation_path(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    (tmp_path / "a.env").write_text(f"K={keys['current']}\n")
    result = run_keysprawl("scan", tmp_path / "a.env", "--inventory", tmp_path / "inv.toml")
    assert result.code == 1
    assert "EXPOSED webhook" in result.stdout and "owner: platform-team" in result.stdout
    assert "https://runbooks.example/revoke" in result.stdout and "a.env:1:3" in result.stdout


def test_stdin_is_scanned(tmp_path: Path, keys: dict[str, str]) -> None:
    code, (record,), _ = scan(tmp_path, "-", stdin=f"pasted\n\ntoken {keys['current']}\n")
    assert code == 1 and record["source"] == "stdin" and record["location"]["line"] == 3  # type: ignore[index]


def test_clean_tree_exits_zero(tmp_path: Path, keys: dict[str, str]) -> None:
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "a.py").write_text("print('hello')\n")
    code, records, _ = scan(tmp_path, tmp_path / "clean")
    assert code == 0 and records == []


def test_skips_git_folders_and_binary_files_but_not_invalid_utf8(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    (tree / ".git" / "config").write_text(keys["current"])
    (tree / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + keys["current"].encode())
    (tree / "latin1.txt").write_bytes(
        b"caf\xe9 \xff\xfe\n\nK=" + keys["current"].encode() + b"\n\x80"
    )
    code, records, _ = scan(tmp_path, tree)
    assert code == 1
    assert [(r["location"]["path"], r["location"]["line"]) for r in records] == [("latin1.txt", 3)]  # type: ignore[index]


def test_huge_single_line_keeps_exact_columns(tmp_path: Path, keys: dict[str, str]) -> None:
    filler = "x" * 3_000_000
    (tmp_path / "big.min.js").write_text(f"var a='{filler}';var k=\"{keys['current']}\";\n")
    _, (record,), _ = scan(tmp_path, tmp_path / "big.min.js")
    assert record["location"]["line"] == 1 and record["location"]["column"] == len(filler) + 17  # type: ignore[index]


def test_size_limit_skips_and_says_so(tmp_path: Path, keys: dict[str, str]) -> None:
    (tmp_path / "big.log").write_text("x" * 5000 + keys["current"])
    result = run_keysprawl(
        "scan", tmp_path / "big.log", "--inventory", tmp_path / "inv.toml", "--max-file-size", "1K"
    )
    assert result.code == 0 and "big.log: larger than 1024 bytes" in result.stdout
    assert (
        run_keysprawl(
            "scan", tmp_path, "--inventory", tmp_path / "inv.toml", "--max-file-size", "lots"
        ).code
        == 2
    )


def test_unreadable_file_inside_a_folder_is_reported_and_the_rest_scanned(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.env").write_text(f"K={keys['current']}\n")
    with socket.socket(socket.AF_UNIX) as sock:  # a file that exists but cannot be read
        sock.bind(str(tree / "agent.sock"))
        result = run_keysprawl(
            "scan", tree, "--inventory", tmp_path / "inv.toml", "--format", "json"
        )
    assert result.code == 3
    report = json.loads(result.stdout)
    assert report["complete"] is False and report["findings"][0]["key_id"] == "webhook"
    assert report["errors"][0]["where"] == "agent.sock"


def test_missing_path_and_missing_inventory_are_usage_errors(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    missing = run_keysprawl("scan", tmp_path / "nope", "--inventory", tmp_path / "inv.toml")
    assert (
        missing.code == 2
        and missing.stderr.strip()
        == f"keysprawl: cannot scan {tmp_path / 'nope'}: no such file or folder"
    )
    named_missing = run_keysprawl("scan", tmp_path, "--inventory", tmp_path / "absent.toml")
    assert named_missing.code == 2 and "inventory not found" in named_missing.stderr
    env_missing = run_keysprawl(
        "scan", tmp_path, env={"KEYSPRAWL_INVENTORY": str(tmp_path / "absent.toml")}
    )
    assert env_missing.code == 2 and "inventory not found" in env_missing.stderr
    bad_format = run_keysprawl(
        "scan", tmp_path, "--inventory", tmp_path / "inv.toml", "--format", "xml"
    )
    assert bad_format.code == 2 and "Traceback" not in bad_format.stderr


def test_output_file_and_fail_on(tmp_path: Path, keys: dict[str, str]) -> None:
    (tmp_path / "n.md").write_text(keys["old"])
    out = tmp_path / "report.jsonl"
    args = (
        "scan",
        tmp_path / "n.md",
        "--inventory",
        tmp_path / "inv.toml",
        "--format",
        "jsonl",
        "--output",
        out,
    )
    assert run_keysprawl(*args).code == 1
    assert json.loads(out.read_text())["kind"] == "stale"
    assert run_keysprawl(*args, "--fail-on", "exposure").code == 0
    assert run_keysprawl(*args, "--fail-on", "bogus").code == 2


def test_exhaustive_and_pure_python_paths_agree_on_a_tree(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.env").write_text(f"A={keys['current']}\nB=x{keys['current']}\n")
    _, fast, _ = scan(tmp_path, tree)
    _, pure, _ = scan(tmp_path, tree, "--no-accelerator")
    _, every, _ = scan(tmp_path, tree, "--exhaustive")
    assert fast == pure and len(fast) == 1
    assert [r["location"]["line"] for r in every] == [1, 2]  # type: ignore[index]


def test_parallel_scan_gives_the_same_findings(tmp_path: Path, keys: dict[str, str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    filler = ("lorem ipsum " * 90 + "\n") * 1000  # ~1 MB a file, enough for several batches
    for n in range(12):
        (tree / f"f{n:02d}.txt").write_text(filler + f"K={keys['current']}\n")
    _, one, _ = scan(tmp_path, tree, "--jobs", "1")
    _, two, _ = scan(tmp_path, tree, "--jobs", "2")
    assert one == two and len(one) == 12


def test_no_plaintext_in_any_output_or_written_file(tmp_path: Path, keys: dict[str, str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.env").write_text("\n".join(keys.values()))
    outputs = []
    for output_format in ("text", "json", "jsonl"):
        result = run_keysprawl(
            "scan",
            tree,
            "--inventory",
            tmp_path / "inv.toml",
            "--format",
            output_format,
            "--include-allowed",
            "--output",
            tmp_path / f"out.{output_format}",
        )
        outputs += [result.stdout, result.stderr]
    listed = run_keysprawl(
        "inventory", "list", "--inventory", tmp_path / "inv.toml", "--format", "json"
    )
    outputs += [listed.stdout, listed.stderr]
    assert not any(value in text for value in keys.values() for text in outputs)
    leaked = files_containing(tmp_path, list(keys.values()))
    assert leaked == [tree / "a.env"]


def test_python_dash_m_scanner_works(tmp_path: Path) -> None:
    assert "Usage" in run_keysprawl("--help").stdout
