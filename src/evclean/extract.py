"""extract: HTML page -> article blocks and metadata.

readability-lxml finds the article body. Before it runs, page chrome that readability is
known to let through (navigation, share bars, related-post widgets, comment sections,
cookie notices, hidden elements) is removed by tag, role and class/id tokens; after it,
the body becomes blocks and the paragraph that names the original source becomes
metadata.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element

from .config import Config
from .document import Block, Change, Document
from .errors import NoArticleError
from .htmlblocks import html_to_blocks
from .metadata import Metadata, read_metadata, text_of

NAME = "extract"

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form", "button",
              "select", "textarea", "input", "nav", "aside", "footer", "dialog", "object",
              "embed", "canvas")
_DROP_ROLES = {"navigation", "banner", "complementary", "contentinfo", "search", "dialog",
               "alertdialog", "menu", "menubar"}
# Class and id tokens (split on - and _) of widgets around an article.
_CHROME_TOKENS = {
    "share", "sharing", "sharedaddy", "social", "related", "comment", "comments", "respond",
    "cookie", "cookies", "consent", "gdpr", "sidebar", "widget", "widgets", "breadcrumb",
    "breadcrumbs", "ticker", "popup", "modal", "newsletter", "subscribe", "subscription",
    "tags", "tagcloud", "taglist", "pagination", "pager", "advert", "advertisement", "ads",
    "adsense", "promo", "sponsored", "outbrain", "taboola", "masthead", "menu", "navbar",
    "navigation", "skip", "skiplink", "toolbar", "disqus", "recommended", "trending",
    "byline", "author", "meta", "dateline", "postmeta", "entry-meta",
}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MIN_ARTICLE_CHARS = 40


def _tokens(el: _Element) -> set[str]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {t for t in _TOKEN_SPLIT.split(attrs) if t}


def _is_chrome(el: _Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    if (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    return bool(_tokens(el) & _CHROME_TOKENS)


def _preclean(root: _Element) -> None:
    """Remove page chrome in place, never an element that holds the article."""
    body = root.find(".//body")
    if body is None:
        body = root
    total = sum(len(text_of(p)) for p in body.iter("p")) or 1
    doomed: list[_Element] = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        tag = el.tag.lower()
        if tag in ("body", "html", "article", "main"):
            continue
        if tag in _DROP_TAGS or _is_chrome(el):
            # A wrapper that merely has a chrome-like class ("has-sidebar") may hold
            # the article itself: keep anything with the h1 or much of the page's text.
            if el.find(".//h1") is not None:
                continue
            own = sum(len(text_of(p)) for p in el.iter("p"))
            if tag not in _DROP_TAGS and own > 0.4 * total:
                continue
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        # keep the tail text that follows the removed element
        if el.tail and el.tail.strip():
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


def _readability(root: _Element) -> str:
    from readability import Document as Readability
    from readability.readability import Unparseable

    try:
        summary: str = Readability(root).summary(html_partial=True)
    except (Unparseable, ValueError, etree.ParserError) as exc:
        raise NoArticleError(f"no article found ({exc})") from None
    return summary


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _tidy(blocks: tuple[Block, ...], meta: Metadata) -> tuple[tuple[Block, ...], list[Change]]:
    """Drop the title heading and the source paragraph; make section headings start at 2."""
    changes: list[Change] = []
    out: list[Block] = []
    title = _norm(meta.title or "")
    source_text = _norm(meta.source.text) if meta.source and meta.source.text else ""
    for i, block in enumerate(blocks):
        text = _norm(block.text)
        if block.kind == "heading" and title and text == title and i < 5:
            continue
        if source_text and text and (text == source_text or (
            block.kind != "heading" and len(text) < 300 and source_text in text
        )):
            changes.append(Change(NAME, "source-paragraph", block.text, "", "metadata"))
            continue
        out.append(block)
    levels = [b.level for b in out if b.kind == "heading"]
    shift = min(levels) - 2 if levels else 0
    if shift:
        out = [replace(b, level=max(2, min(6, b.level - shift))) if b.kind == "heading" else b
               for b in out]
    return tuple(out), changes


def parse(html: str) -> _Element:
    """Parse a whole page, tolerating what browsers tolerate."""
    html = html.lstrip("\ufeff")
    # lxml refuses str input that declares an encoding in an XML prolog
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise NoArticleError(f"no article found (cannot parse: {exc})") from None
    return root


def run(doc: Document, config: Config) -> Document:
    """The extract stage: fill in metadata and the article blocks from ``doc.html``."""
    root = parse(doc.html)
    meta = read_metadata(root, doc.url)
    _preclean(root)
    summary = _readability(root)
    base = doc.url or meta.canonical_url
    blocks, changes = _tidy(html_to_blocks(summary, base), meta)
    body_chars = sum(len(b.text) for b in blocks if b.kind != "heading")
    if body_chars < _MIN_ARTICLE_CHARS:
        raise NoArticleError("no article found")
    return doc.record(
        *changes,
        title=meta.title,
        author=meta.author,
        published=meta.published,
        site_name=meta.site_name,
        language=meta.language,
        canonical_url=meta.canonical_url,
        source_url=meta.source.url if meta.source else None,
        source_name=meta.source.name if meta.source else None,
        blocks=blocks,
    )
