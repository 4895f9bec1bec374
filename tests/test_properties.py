"""Properties: markdown escaping round-trips, rendering is stable, cleaning is deterministic."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from evclean import clean
from evclean.document import Block, Span
from evclean.htmlblocks import html_to_blocks
from evclean.render import body_markdown

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
SPECIAL = list("*_[]()#>-+=`\\<>&!|~.:;1234567890 ")
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8",
                       categories=["L", "N", "P", "S", "Zs"])),
    min_size=1, max_size=40,
).map(lambda s: re.sub(r"\s+", " ", s).strip()).filter(bool)


def _text_of(html: str) -> str:
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    return re.sub(r"\s+", " ", root.text_content()).strip()


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    md = body_markdown([Block("paragraph", (Span(text),))])
    assert _text_of(MD.render(md)) == text


@settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(["strong", "em", "code", "href"]))
def test_formatted_span_parses_back(text: str, kind: str) -> None:
    span = Span(text, href="https://ex.org/a_(b)" if kind == "href" else None,
                strong=kind == "strong", em=kind == "em", code=kind == "code")
    md = body_markdown([Block("paragraph", (Span("x "), span, Span(" y")))])
    assert _text_of(MD.render(md)) == f"x {text} y"


WORD = st.text(alphabet=st.sampled_from("abcdef XYZ*_#-1.()"), min_size=1, max_size=12).map(
    lambda s: re.sub(r"\s+", " ", s).strip()).filter(bool)


@st.composite
def inline_html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        word = draw(WORD).replace("&", "&amp;").replace("<", "&lt;")
        wrap = draw(st.sampled_from(["", "em", "strong", "code", "a"]))
        if wrap == "a":
            parts.append(f'<a href="https://ex.org/{draw(st.integers(0, 9))}">{word}</a>')
        elif wrap:
            parts.append(f"<{wrap}>{word}</{wrap}>")
        else:
            parts.append(word)
    return " ".join(parts)


@st.composite
def block_html(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["p", "h2", "h3", "ul", "ol", "blockquote", "table", "pre"]
                                if depth < 2 else ["p", "h3"]))
    if kind in ("p", "h2", "h3"):
        return f"<{kind}>{draw(inline_html())}</{kind}>"
    if kind in ("ul", "ol"):
        items = []
        for _ in range(draw(st.integers(1, 3))):
            nested = draw(block_html(depth + 1)) if draw(st.booleans()) and depth < 1 else ""
            nested = nested if nested.startswith(("<ul", "<ol")) else ""
            items.append(f"<li>{draw(inline_html())}{nested}</li>")
        return f"<{kind}>{''.join(items)}</{kind}>"
    if kind == "blockquote":
        return f"<blockquote>{draw(block_html(depth + 1))}</blockquote>"
    if kind == "table":
        cols = draw(st.integers(2, 3))
        rows = "".join(
            "<tr>" + "".join(f"<td>{draw(inline_html())}</td>" for _ in range(cols)) + "</tr>"
            for _ in range(draw(st.integers(1, 3)))
        )
        return f"<table>{rows}</table>"
    return f"<pre>{draw(WORD)}\n  {draw(WORD)}</pre>"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block_html(), min_size=1, max_size=5))
def test_rendering_is_stable(blocks: list[str]) -> None:
    """markdown -> HTML (a CommonMark parser) -> evclean -> the same markdown."""
    first = body_markdown(html_to_blocks("".join(blocks)))
    second = body_markdown(html_to_blocks(MD.render(first)))
    assert second == first


ARTICLE = ("<html><head><title>T</title></head><body><article><h1>Title here</h1>"
           "<p>{0}</p><p>{1} and a second sentence that makes this long enough.</p>"
           "</article></body></html>")


@settings(max_examples=50, deadline=None)
@given(TEXT, TEXT)
def test_cleaning_is_deterministic(a: str, b: str) -> None:
    html = ARTICLE.format(a.replace("&", "&amp;").replace("<", "&lt;"),
                          b.replace("&", "&amp;").replace("<", "&lt;"))
    try:
        first = clean(html)
    except Exception as exc:  # a page with too little text may have no article
        assert "no article" in str(exc)
        return
    assert clean(html) == first
    assert clean(html.encode("utf-8")) == first
