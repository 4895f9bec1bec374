"""Metadata read from pages (tests/fixtures/extract/metadata.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evclean.extract import parse
from evclean.metadata import read_metadata

CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "extract" / "metadata.json").read_text(encoding="utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_metadata_case(case: dict[str, Any]) -> None:
    meta = read_metadata(parse(case["html"]), case["url"])
    for field, expected in case["expect"].items():
        assert getattr(meta, field) == expected, field


def test_source_link_found_from_outside_links_only() -> None:
    html = (
        "<html><body><article><p>Body text of the copy.</p>"
        "<p>Source: <a href='https://origin.example.com/story'>Origin News</a></p>"
        "<p>See also <a href='/other'>our other story</a></p></article></body></html>"
    )
    meta = read_metadata(parse(html), "https://copy.example.net/story")
    assert meta.source is not None
    assert meta.source.url == "https://origin.example.com/story"
    assert meta.source.name == "Origin News"


def test_no_source_link_for_a_link_to_the_same_site() -> None:
    html = "<html><body><p>Source: <a href='https://copy.example.net/x'>us</a></p></body></html>"
    assert read_metadata(parse(html), "https://copy.example.net/story").source is None


def test_words_like_first_appeared_in_running_text_are_no_source_line() -> None:
    html = (
        "<html><body><p>The camp, also known as <a href='https://other.example.com/berm'>the "
        "Berm</a>, is located in the desert. It first appeared in 2014, when people fleeing "
        "the war gathered at the border.</p></body></html>"
    )
    assert read_metadata(parse(html), "https://news.example.net/story").source is None


def test_frame_followed_by_its_link_names_the_source() -> None:
    html = (
        "<html><body><p>The post <a href='https://news.example.net/story'>Story</a> first "
        "appeared on <a href='https://origin.example.com/'>Origin Daily</a>.</p></body></html>"
    )
    meta = read_metadata(parse(html), "https://news.example.net/story")
    assert meta.source is not None and meta.source.name == "Origin Daily"
