"""The library API: clean(), the Article it returns, and original-source detection."""

from __future__ import annotations

import json
import pickle

import pytest

from conftest import FIXTURES
from evclean import Article, NoArticleError, clean
from evclean.errors import InputError

SOURCES = json.loads((FIXTURES / "source" / "cases.json").read_text(encoding="utf-8"))
EXAMPLE = FIXTURES / "examples" / "aggregator-xiaomi.html"


def _page(case: dict[str, str]) -> str:
    return (f"<html><head><title>Budget passes</title>{case.get('head', '')}</head><body>"
            f"<article><h1>Budget passes</h1>{SOURCES['filler']}{case['body']}</article>"
            "</body></html>")


@pytest.mark.parametrize("case", SOURCES["cases"], ids=[c["id"] for c in SOURCES["cases"]])
def test_source_detection(case: dict[str, str]) -> None:
    article = clean(_page(case), url=case["url"])
    assert article.source_url == case["source_url"]
    assert article.source_name == case["source_name"]
    assert (" via <" in article.markdown) is bool(case["via"])
    if case.get("body_keeps"):
        assert case["body_keeps"] in article.text
    elif case["body"]:
        assert case["source_url"] not in article.text
        assert "Source" not in article.text and "appeared" not in article.text


def test_clean_accepts_bytes_and_str_alike() -> None:
    raw = EXAMPLE.read_bytes()
    assert clean(raw) == clean(raw.decode("utf-8"))


def test_article_fields_and_metadata() -> None:
    article = clean(EXAMPLE.read_bytes())
    assert article.title == "Xiaomi Prepares To Take Its Electric Cars Overseas"
    assert article.published == "2024-12-18T09:12:44+00:00"
    assert article.site_name == "Tech News"
    assert article.language == "en-US"
    assert article.url == article.canonical_url == (
        "https://tech-news.info/xiaomis-bold-move-in-the-global-electric-vehicle-landscape/")
    assert article.source_name == "CleanTechnica"
    # strip removes the lead newsletter pitch; the body opens with its first section
    assert article.text.startswith("Xiaomi’s Bold Move in the Global Electric Vehicle")
    data = article.to_dict()
    for key in ("url", "source_url", "title", "author", "published", "site_name", "language",
                "markdown", "text", "report"):
        assert key in data
    assert any(r["rule"] == "source-paragraph" for r in data["report"])


def test_article_pickles_and_is_deterministic() -> None:
    html = EXAMPLE.read_text(encoding="utf-8")
    article = clean(html)
    assert isinstance(article, Article)
    assert pickle.loads(pickle.dumps(article)) == article
    assert clean(html) == article


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"unknown option.*colour"):
        clean("<p>x</p>", colour="red")


@pytest.mark.parametrize(("skip", "message"), [
    ({"nonsense"}, "unknown stage 'nonsense'"),
    ({"extract"}, "stage 'extract' cannot be skipped"),
])
def test_bad_skip_is_a_value_error(skip: set[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clean("<p>x</p>", skip=skip)


def test_skipping_repair_leaves_mojibake() -> None:
    html = (FIXTURES / "examples" / "aggregator-xiaomi-mojibake.html").read_text(encoding="utf-8")
    assert "â€™" in clean(html, skip={"repair"}).markdown
    assert "â€™" not in clean(html).markdown


@pytest.mark.parametrize("html", [
    "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><head><title>Nothing</title></head><body></body></html>",
    "<p>Too short.</p>",
], ids=["only-nav", "empty-body", "tiny"])
def test_page_without_article_says_so(html: str) -> None:
    with pytest.raises(NoArticleError, match="no article found"):
        clean(html)


def test_binary_bytes_are_an_input_error() -> None:
    with pytest.raises(InputError, match="binary data"):
        clean(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
