"""The extract stage on small whole pages (tests/fixtures/extract/cases.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from evclean import clean
from evclean.errors import NoArticleError

CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "extract" / "cases.json").read_text(encoding="utf-8")
)["cases"]

# Distinct article paragraphs of a realistic length, with commas, as news text has.
PARAGRAPHS = {
    "{P1}": "The regional council voted on Tuesday to approve the new budget, which raises "
            "spending on roads, schools and flood defences by four percent, after a debate "
            "that lasted more than six hours and drew hundreds of residents to the town hall, "
            "many of whom had waited outside in the rain.",
    "{P2}": "Officials said the money would come from a mix of reserves, a small rise in "
            "property taxes and a grant from the national government, although the grant has "
            "not yet been confirmed, and warned that cuts could follow next year if revenue "
            "falls short of the forecast.",
    "{P3}": "Opposition members argued that the plan leaves too little for public transport, "
            "pointing to bus routes that were cut last spring, while supporters said the "
            "investment in flood defences was overdue after two winters of storms damaged "
            "homes, shops and the harbour wall.",
    "{P4}": "The next vote, on the details of the transport plan, is expected in March, when "
            "the council will also hear from engineers, business owners and the regional "
            "transit authority, which has asked for a larger share of the budget to restore "
            "services on weekends and holidays.",
}


def _fill(text: str) -> str:
    return re.sub(r"\{P\d\}", lambda m: PARAGRAPHS[m.group(0)], text)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_extract_case(case: dict[str, Any]) -> None:
    article = clean(_fill(case["html"]), url="https://news.example.org/story")
    text = article.text
    for wanted in case["must_contain"]:
        assert _fill(wanted) in text, f"missing {wanted[:60]!r} in:\n{text}"
    for unwanted in case["must_not_contain"]:
        assert _fill(unwanted) not in text, f"kept {unwanted[:60]!r} in:\n{text}"


def test_title_is_not_repeated_in_the_body() -> None:
    case = next(c for c in CASES if c["id"] == "negative-section-headings-kept")
    article = clean(_fill(case["html"]))
    assert article.title == "Main title"
    assert "Main title" not in article.text


def test_page_without_article_says_so() -> None:
    with pytest.raises(NoArticleError):
        clean("<html><body><nav><a href='/'>Home</a></nav></body></html>")


def test_extraction_is_deterministic() -> None:
    html = _fill(CASES[0]["html"])
    assert clean(html).markdown == clean(html).markdown
