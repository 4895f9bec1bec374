"""Regression gate on the AEB benchmark (../shared/data/aeb, 181 real news pages).

The whole pipeline cleans every page once; the F1 of ``Article.text`` against the ground
truth must not drop more than the pinned tolerance below the value pinned in
tests/fixtures/aeb-pinned.json, and no page may fall below 0.5 precision or recall unless
tests/fixtures/extract/aeb-low-pages.json explains why. Update the pin on purpose, in a
commit of its own that says why.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "aeb"
PINNED = REPO / "tests" / "fixtures" / "aeb-pinned.json"
LOW_PAGES = REPO / "tests" / "fixtures" / "extract" / "aeb-low-pages.json"

pytestmark = pytest.mark.skipif(
    not (DATA / "ground-truth.json").exists(),
    reason=f"AEB benchmark data not found at {DATA} (the shared data folder is absent)",
)


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aeb_bench", REPO / "bench" / "aeb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored() -> dict[str, Any]:
    bench = _bench()
    pages = bench.load(DATA)
    extract = bench.systems()["evclean"]()
    per_page = {}
    counts = []
    for page_id, url, html, truth in pages:
        c = bench.page_counts(extract(html, url), truth)
        counts.append(c)
        per_page[page_id] = bench.page_pr(*c)
    precision, recall, f1 = bench.summarize(counts)
    return {"precision": precision, "recall": recall, "f1": f1, "pages": per_page}


def test_f1_not_below_pinned(scored: dict[str, Any]) -> None:
    pin = json.loads(PINNED.read_text(encoding="utf-8"))
    floor = pin["f1"] - pin["tolerance"]
    assert scored["f1"] >= floor, (
        f"AEB F1 {scored['f1']:.4f} (P {scored['precision']:.4f}, R {scored['recall']:.4f}) "
        f"fell below the pinned {pin['f1']:.4f} - {pin['tolerance']}; "
        "run bench/aeb.py --per-page evclean --worst 20 to see which pages lost"
    )


def test_every_page_at_least_half_right(scored: dict[str, Any]) -> None:
    explained = json.loads(LOW_PAGES.read_text(encoding="utf-8"))["pages"]
    low = {}
    for page_id, (precision, recall) in scored["pages"].items():
        if (precision or 0.0) < 0.5 or (recall or 0.0) < 0.5:
            low[page_id] = (precision, recall)
    unexplained = {k: v for k, v in low.items() if not any(k.startswith(p) for p in explained)}
    assert not unexplained, f"pages below 0.5 precision or recall: {unexplained}"
    # a note for a page that has since recovered is stale: drop it
    stale = [p for p in explained if not any(k.startswith(p) for k in low)]
    assert not stale, f"pages noted as below 0.5 that are not any more: {stale}"
