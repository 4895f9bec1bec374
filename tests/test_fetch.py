"""Reading inputs: charsets (cases as data), compressed files, and refused inputs."""

from __future__ import annotations

import codecs
import gzip
import io
import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from evclean.errors import InputError
from evclean.fetch import bytes_to_text, decode, html_files, read_path, read_stream

CHARSETS = json.loads((FIXTURES / "charsets" / "cases.json").read_text(encoding="utf-8"))
BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE}


def _page(case: dict[str, str | bool | None]) -> bytes:
    meta = f'<meta charset="{case["meta"]}">' if case.get("meta") else ""
    html = (f"<!DOCTYPE html><html><head>{meta}<title>t</title></head>"
            f"<body><p>{case['text']}</p></body></html>")
    data = html.encode(str(case["encoding"]))
    if case.get("bom"):
        data = BOMS[str(case["encoding"])] + data
    return data


@pytest.mark.parametrize("case", CHARSETS["cases"], ids=[c["id"] for c in CHARSETS["cases"]])
def test_charset(case: dict[str, str | bool | None]) -> None:
    declared = case.get("declared")
    text = decode(_page(case), str(declared) if declared else None)
    assert f"<p>{case['text']}</p>" in text


def test_gzip_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress("<p>Zipped “page”</p>".encode()))
    assert "Zipped “page”" in read_path(path).text


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b"a" * 5_000_000))
    with pytest.raises(InputError, match="decompressed size is over the limit"):
        read_path(path, max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"  \n\t ", "empty input"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary data"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary data"),
        (bytes(range(32)) * 50, "binary data"),
    ],
    ids=["empty", "blank", "png", "pdf", "control-bytes"],
)
def test_refused_bytes(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        bytes_to_text(data, "x.html")


def test_stray_nul_bytes_are_removed_not_refused() -> None:
    text = bytes_to_text(b"<p>Hello\x00 world</p>" + b"<p>more text</p>" * 20, "nul.html")
    assert "Hello world" in text and "\x00" not in text


def test_missing_file_message(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.html: no such file"):
        read_path(tmp_path / "missing.html")


def test_stdin_is_read_with_its_url() -> None:
    page = read_stream(io.BytesIO("<p>from “stdin”</p>".encode()), url="https://ex.org/a")
    assert page.url == "https://ex.org/a" and "from “stdin”" in page.text


def test_html_files_finds_pages_recursively_in_order(tmp_path: Path) -> None:
    for name in ("b.html", "a.htm", "sub/c.HTML", "sub/d.html.gz", "notes.txt", "e.css"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"<p>x</p>")
    found = [p.relative_to(tmp_path).as_posix() for p in html_files(tmp_path)]
    assert found == ["a.htm", "b.html", "sub/c.HTML", "sub/d.html.gz"]
