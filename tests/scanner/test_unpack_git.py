"""Git history: blobs git treats as binary (UTF-16 text, archives) are unpacked and matched,
and a blob seen again in a later commit is reported there without being unpacked twice."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from conftest import random_key
from gitrepo import Repo, write_inventory

from connectors.git import GitConnector, GitScanOptions
from scanner import engine, inventory, setup


def test_utf16_and_zip_blobs_in_history(tmp_path: Path) -> None:
    key = random_key(40)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner/app.env", f"X=1\nTOKEN={key}\n")
    repo = Repo(tmp_path / "repo")
    first = repo.commit(
        "add", {"w.txt": f"a\r\nk={key}\r\n".encode("utf-16"), "b.zip": buffer.getvalue()}
    )
    second = repo.commit("copy", {"copy/b.zip": buffer.getvalue()})
    loaded = inventory.load(write_inventory(tmp_path / "inventory.toml", {"k": key}))
    result = engine.scan(
        [GitConnector(str(repo.root), GitScanOptions(worktree=False))],
        detectors=setup.detector_spec(loaded, setup.MatchingOptions()),
        classifier=setup.classifier(loaded),
    )
    seen = {
        (o.location.path, o.location.commit, o.location.line, o.encodings)
        for f in result.findings
        for o in f.occurrences
    }
    assert seen == {
        ("w.txt", first, 2, ("utf-16le",)),
        ("b.zip!inner/app.env", first, 2, ("zip",)),
        ("copy/b.zip!inner/app.env", second, 2, ("zip",)),
    }
