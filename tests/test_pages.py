"""Whole pages, checked by what must and must not appear (one test per page and check).

- tests/fixtures/examples/: the shared aggregator example (clean and mojibake twins)
  with its checks file; checks that belong to stages not built yet are listed in
  known-failures.json and run as strict xfails.
- tests/fixtures/pages/<case>/: input.html, page.json (url, must_match, must_not_match)
  and expected.md, the golden output. Regenerate goldens on purpose only:
  ``EVCLEAN_REGEN=1 pytest tests/test_pages.py``, then read the diff.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

from conftest import FIXTURES
from evclean import clean

EXAMPLES = FIXTURES / "examples"
PAGES = FIXTURES / "pages"
EXAMPLE_CHECKS = json.loads((EXAMPLES / "aggregator-xiaomi.checks.json").read_text("utf-8"))
KNOWN = json.loads((EXAMPLES / "known-failures.json").read_text("utf-8"))
KNOWN_FAILURES = {name: stage for stage in ("strip", "degarble") for name in KNOWN.get(stage, [])}


@cache
def markdown_of(path: Path, url: str | None = None) -> str:
    return clean(path.read_bytes(), url=url).markdown


def _example_cases() -> list[pytest.param]:
    cases = []
    for page in ("aggregator-xiaomi", "aggregator-xiaomi-mojibake"):
        checks = [("must", name, pat) for name, pat in EXAMPLE_CHECKS["must_match"]]
        checks += [("must_not", name, pat) for name, pat in EXAMPLE_CHECKS["must_not_match"]]
        checks.append(("balanced", "balanced quotes", ""))
        for kind, name, pattern in checks:
            marks = []
            if name in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(
                    strict=True, reason=f"belongs to the {KNOWN_FAILURES[name]} stage"))
            cases.append(pytest.param(page, kind, pattern, marks=marks,
                                      id=f"{page}:{name.replace(' ', '-')}"))
    return cases


@pytest.mark.parametrize(("page", "kind", "pattern"), _example_cases())
def test_example_check(page: str, kind: str, pattern: str) -> None:
    md = markdown_of(EXAMPLES / f"{page}.html")
    if kind == "must":
        assert re.search(pattern, md), f"missing /{pattern}/"
    elif kind == "must_not":
        found = re.search(pattern, md)
        assert not found, f"present: {found.group(0)!r}" if found else ""
    else:
        bad = [p for p in re.split(r"\n\s*\n", md) if p.count("“") != p.count("”")]
        assert not bad, f"unbalanced quotes: {bad[0][:80]!r}"


def test_mojibake_twin_gives_identical_markdown() -> None:
    assert markdown_of(EXAMPLES / "aggregator-xiaomi-mojibake.html") == markdown_of(
        EXAMPLES / "aggregator-xiaomi.html")


def test_example_structure() -> None:
    md = markdown_of(EXAMPLES / "aggregator-xiaomi.html")
    assert md.startswith("# Xiaomi Prepares To Take Its Electric Cars Overseas\n")
    assert len(re.findall(r"(?m)^## \S", md)) == 6
    assert len(re.findall(r"(?m)^#", md)) == 7
    for chrome in ("Trending Now", "Gadgets", "Facebook", "Tags", "Related Posts", "Leave a Reply",
                   "Recent Posts", "Tech News. All rights", "Accept", "Image: Xiaomi"):
        assert chrome not in md, chrome


def _page_cases() -> list[pytest.param]:
    cases = []
    for folder in sorted(p for p in PAGES.iterdir() if p.is_dir()):
        spec = json.loads((folder / "page.json").read_text("utf-8"))
        for name, pattern in spec.get("must_match", []):
            cases.append(pytest.param(folder, "must", pattern, id=f"{folder.name}:{name}"))
        for name, pattern in spec.get("must_not_match", []):
            cases.append(pytest.param(folder, "must_not", pattern, id=f"{folder.name}:no-{name}"))
    return cases


def _page_markdown(folder: Path) -> str:
    spec = json.loads((folder / "page.json").read_text("utf-8"))
    return markdown_of(folder / "input.html", spec.get("url"))


@pytest.mark.parametrize(("folder", "kind", "pattern"), _page_cases())
def test_page_check(folder: Path, kind: str, pattern: str) -> None:
    md = _page_markdown(folder)
    found = re.search(pattern, md)
    if kind == "must":
        assert found, f"missing /{pattern}/ in:\n{md}"
    else:
        assert not found, f"present: {found.group(0)!r}" if found else ""


@pytest.mark.parametrize("folder", sorted(p for p in PAGES.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_page_golden(folder: Path) -> None:
    md = _page_markdown(folder)
    expected = folder / "expected.md"
    if os.environ.get("EVCLEAN_REGEN"):
        expected.write_text(md, encoding="utf-8")
    assert expected.exists(), f"no golden file; run EVCLEAN_REGEN=1 pytest {__file__}"
    assert md == expected.read_text(encoding="utf-8")


def _all_pages() -> list[pytest.param]:
    pages = [pytest.param(EXAMPLES / "aggregator-xiaomi.html", None, id="aggregator-xiaomi")]
    for folder in sorted(p for p in PAGES.iterdir() if p.is_dir()):
        spec = json.loads((folder / "page.json").read_text("utf-8"))
        pages.append(pytest.param(folder / "input.html", spec.get("url"), id=folder.name))
    return pages


@pytest.mark.parametrize(("path", "url"), _all_pages())
def test_cleaning_own_markdown_changes_nothing(path: Path, url: str | None) -> None:
    """Idempotence of the whole pipeline: evclean's markdown, as HTML, cleans to itself."""
    from markdown_it import MarkdownIt

    article = clean(path.read_bytes(), url=url)
    html = MarkdownIt("commonmark").enable("table").render(article.markdown)
    again = clean(f"<html><body><article>{html}</article></body></html>", url=article.url)
    assert again.markdown == article.markdown
