"""Small HTML constructs and the exact markdown expected for each (cases as data)."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from evclean.document import Block, Document, Span
from evclean.htmlblocks import html_to_blocks
from evclean.render import body_markdown, escape, source_line, to_markdown

CASES = json.loads((FIXTURES / "render" / "constructs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_construct(case: dict[str, str]) -> None:
    blocks = html_to_blocks(case["html"], case.get("base"))
    assert body_markdown(blocks) == case["markdown"]


def test_escape_leaves_plain_prose_alone() -> None:
    prose = "It’s 5 o’clock, 3.5% of users (1,000) said “yes” — and e-mail too!"
    assert escape(prose) == prose


def test_title_and_source_line_for_a_copy() -> None:
    doc = Document(
        html="", url="https://copy.example/x", title="A *bold* title",
        source_url="https://orig.example/story", source_name="Orig",
        blocks=(Block("paragraph", (Span("Body."),)),),
    )
    assert to_markdown(doc) == (
        "# A \\*bold\\* title\n\n"
        "Source: [Orig](https://orig.example/story) via <https://copy.example/x>\n\n"
        "Body.\n"
    )


def test_source_line_without_original_names_the_page_itself() -> None:
    doc = Document(html="", canonical_url="https://news.example/a", site_name="News")
    assert source_line(doc) == "Source: [News](https://news.example/a)"


def test_no_source_line_without_any_url() -> None:
    assert source_line(Document(html="")) is None
