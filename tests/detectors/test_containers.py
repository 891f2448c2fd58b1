"""Archives and UTF-16: members and transcoded text come out, bombs are refused within limits."""

from __future__ import annotations

import gzip
import io
import tarfile
import tracemalloc
import zipfile

import pytest
from conftest import random_key

from detectors.decoders.containers import Limits, Piece, Refused, Skipped, expand


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tarred(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def pieces(data: bytes, name: str = "a", limits: Limits | None = None) -> dict[str, Piece]:
    return {item.suffix: item for item in expand(data, name, limits) if isinstance(item, Piece)}


def problems(data: bytes, limits: Limits | None = None) -> list[Refused]:
    return [item for item in expand(data, "a", limits) if isinstance(item, Refused)]


def test_text_comes_back_unchanged() -> None:
    assert pieces(b"plain\ntext\n") == {"": Piece("", b"plain\ntext\n", ())}


@pytest.mark.parametrize(
    ("codec", "bom", "encoding"),
    [
        ("utf-16-le", b"\xff\xfe", "utf-16le"),
        ("utf-16-be", b"\xfe\xff", "utf-16be"),
        ("utf-16-le", b"", "utf-16le"),
        ("utf-16-be", b"", "utf-16be"),
    ],
)
def test_utf16_with_and_without_mark_becomes_utf8(codec: str, bom: bytes, encoding: str) -> None:
    text = f'Windows Registry Editor\r\n\r\n"Token"="{random_key()}"\r\n'
    assert pieces(bom + text.encode(codec)) == {"": Piece("", text.encode(), (encoding,))}


def test_zip_tar_gzip_and_nesting_report_member_paths() -> None:
    inner = tarred({"etc/app.conf": b"x=1\n", "img.png": b"\x89PNG\0\0\0"})
    archive = zipped(
        {
            "config/.env": b"A=1\n",
            "backup.tar.gz": gzip.compress(inner),
            "notes.txt.gz": gzip.compress(b"hello\n"),
            "win.txt": "wide\r\n".encode("utf-16"),
        }
    )
    found = pieces(archive, "bundle.zip")
    assert {suffix: piece.encodings for suffix, piece in found.items()} == {
        "!config/.env": ("zip",),
        "!backup.tar.gz!etc/app.conf": ("zip", "gzip", "tar"),
        "!notes.txt.gz!notes.txt": ("zip", "gzip"),
        "!win.txt": ("zip", "utf-16le"),
    }
    skipped = [item for item in expand(archive, "bundle.zip") if isinstance(item, Skipped)]
    assert skipped == [Skipped("!backup.tar.gz!img.png", "binary")]


def test_zip_bomb_is_refused_with_bounded_memory() -> None:
    bomb = zipped({"zeros.txt": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    refused = problems(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(refused) == 1 and "refused as a possible archive bomb" in refused[0].message
    assert refused[0].suffix == "!zeros.txt"
    assert peak < 64 * 1024 * 1024


def test_gzip_bomb_is_refused() -> None:
    refused = problems(gzip.compress(b"a" * (100 * 1024 * 1024)))
    assert len(refused) == 1 and "bomb" in refused[0].message


def test_nested_bomb_stops_at_the_depth_limit() -> None:
    data = b"deep\n"
    for level in range(5):
        data = zipped({f"level{level}.zip" if level else "deep.txt": data})
    refused = problems(data, Limits(max_depth=3))
    assert [r.message for r in refused] == ["archive nested deeper than 3 levels: not opened"]


def test_member_count_and_total_size_limits() -> None:
    many = zipped({f"f{n}.txt": b"x\n" for n in range(30)})
    refused = problems(many, Limits(max_members=10))
    assert "more than 10 members" in refused[0].message
    assert len(pieces(many, limits=Limits(max_members=10))) == 10
    big = zipped({f"f{n}.txt": random_key(2000).encode() for n in range(10)})
    assert problems(big, Limits(max_total_bytes=5000))


def test_broken_archive_is_a_problem_not_a_crash() -> None:
    refused = problems(b"PK\x03\x04" + b"garbage" * 100)
    assert len(refused) == 1 and refused[0].message.startswith("cannot read zip archive")
