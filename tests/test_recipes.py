"""The Dask recipe of docs/distributed.md runs as written, on the local process scheduler."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import evclean
from conftest import TESTS, story_page

DOC = TESTS.parent / "docs" / "distributed.md"
SRC = Path(evclean.__file__).resolve().parent.parent


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.+?)```", text, re.DOTALL)


def test_dask_recipe_runs_as_written(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag")
    (block,) = python_blocks(DOC.read_text(encoding="utf-8"))
    (tmp_path / "recipe.py").write_text(block, encoding="utf-8")
    for n in range(250):
        folder = tmp_path / "pages" / f"part{n % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"story-{n:03d}.html").write_text(story_page(n, 3), encoding="utf-8")
    (tmp_path / "pages" / "broken.html").write_bytes(b"")
    proc = subprocess.run([sys.executable, "recipe.py"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    parts = sorted((tmp_path / "clean").glob("part-*.jsonl"),
                   key=lambda p: int(p.stem.split("-")[1]))
    assert len(parts) == 3  # 251 pages in partitions of 100
    records = [json.loads(line) for p in parts for line in p.read_text("utf-8").splitlines()]
    expected = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "pages").rglob("*.html"))
    assert [r["input"] for r in records] == expected
    assert records[0] == {"input": "pages/broken.html",
                          "error": "<input>: empty input"}
    assert [r["title"] for r in records[1:4]] == ["Story 0", "Story 2", "Story 4"]
