"""extract: HTML page -> article blocks and metadata.

The page is parsed once. Metadata is read from the whole tree first; then page chrome
(hidden elements, navigation, share bars, related-post widgets, comment sections, cookie
notices, figures with their captions and credits, ad slots, datelines, teaser <article>s
nested in the article) is removed by tag, role and class/id tokens, never an element that
holds the article or an embedded post. :mod:`evclean.mainbody` then scores what is left
and picks the article region, which becomes blocks directly (no re-serialising);
readability-lxml is only a second opinion when that region holds almost no text. The
paragraph that names the original source becomes metadata.
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
from .htmlblocks import elements_to_blocks, html_to_blocks
from .mainbody import drop, holds_embedded_post, pick, prune
from .metadata import Metadata, names_source, read_metadata

NAME = "extract"

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form", "button",
              "select", "textarea", "input", "nav", "aside", "footer", "dialog", "object",
              "embed", "canvas")
# Of those, the ones that never hold an article (a <form> may wrap a whole page).
_NEVER_TEXT = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button",
                         "select", "textarea", "input", "object", "embed", "canvas"})
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
    "byline", "author", "meta", "dateline", "postmeta",
    # images' captions and credits, galleries
    "caption", "captions", "credit", "credits", "gallery", "slideshow",
    # advertising slots
    "ad", "adslot", "adunit", "advertising",
    # pop-up cards over names and links
    "rollover", "tooltip", "popover", "hovercard",
    # datelines
    "date", "dates", "timestamp", "time", "pubdate", "published",
}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MIN_ARTICLE_CHARS = 40


def _tokens(el: _Element) -> set[str]:
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return set()
    attrs = f"{cls or ''} {ident or ''}".lower()
    return {t for t in _TOKEN_SPLIT.split(attrs) if t}


def _is_hidden(el: _Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _is_chrome(el: _Element) -> bool:
    if (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    return bool(_tokens(el) & _CHROME_TOKENS)


def _holds_article(el: _Element, total: int) -> bool:
    """Whether a chrome-looking element is in fact a wrapper of the article."""
    if el.find(".//h1") is not None:
        return True
    return _paragraph_chars(el) > 0.4 * total


def _paragraph_chars(el: _Element) -> int:
    """Characters in the <p> elements below ``el`` (white space included: a rough size)."""
    return sum(len(p.text_content()) for p in el.iter("p"))


def _is_figure_junk(el: _Element, tag: str) -> bool:
    """An image's caption or credit, or a figure that holds nothing but an image."""
    if tag == "figcaption":
        return True
    if tag == "figure":
        # figures also wrap quoted posts, tables and code: keep those
        return el.find(".//blockquote") is None and el.find(".//table") is None and (
            el.find(".//pre") is None
        )
    return False


def _nested_articles(body: _Element) -> list[_Element]:
    """<article>s listed inside another <article>: comments or teasers of other posts.

    One nested <article> may be the body inside its page frame, so only a run of two or
    more is taken for a list, and never one that holds the page's <h1>.
    """
    found: list[_Element] = []
    for outer in body.iter("article"):
        if any(a.tag == "article" for a in outer.iterancestors()):
            continue
        inner = [a for a in outer.iterdescendants("article")
                 if next(a.iterancestors("article")) is outer]
        if len(inner) >= 2:
            found += [a for a in inner if a.find(".//h1") is None]
    return found


def _preclean(root: _Element) -> None:
    """Remove page chrome in place, never an element that holds the article."""
    body = root.find(".//body")
    if body is None:
        body = root
    total = _paragraph_chars(body) or 1
    doomed: list[_Element] = _nested_articles(body)
    stack = list(reversed(body))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        tag = el.tag.lower()
        if tag not in ("article", "main"):
            if _is_hidden(el):
                doomed.append(el)  # hidden from readers, whatever it holds
                continue
            if tag in _DROP_TAGS or _is_figure_junk(el, tag):
                if tag in _NEVER_TEXT or not _holds_article(el, total):
                    doomed.append(el)
                    continue
            elif _is_chrome(el) and not _holds_article(el, total) and not (
                holds_embedded_post(el)
            ):
                # A wrapper that merely has a chrome-like class ("has-sidebar") may
                # hold the article itself: keep anything with the h1 or much of the text.
                doomed.append(el)
                continue
        stack.extend(reversed(el))
    for el in doomed:
        drop(el)


def _main_blocks(root: _Element, base: str | None) -> tuple[Block, ...]:
    """Blocks of the article region that :mod:`evclean.mainbody` picks, or ()."""
    found = pick(root)
    if found is None:
        return ()
    parts, stats = found
    for part in parts:
        prune(part, stats)
    return elements_to_blocks(parts, base)


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


def _names_itself(block: Block, page_urls: set[str]) -> bool:
    """A "Source: …" line whose link is the page's own address (as evclean writes it)."""
    return (block.kind == "paragraph" and len(block.text) < 300
            and any(s.href in page_urls for s in block.spans if s.href)
            and names_source(block.text))


def _tidy(blocks: tuple[Block, ...], meta: Metadata,
          page_urls: set[str]) -> tuple[tuple[Block, ...], list[Change]]:
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
        if _names_itself(block, page_urls):
            changes.append(Change(NAME, "self-source-line", block.text, "", "metadata"))
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
    base = doc.url or meta.canonical_url
    raw = _main_blocks(root, base)
    if sum(len(b.text) for b in raw if b.kind != "heading") < _MIN_ARTICLE_CHARS:
        # a second opinion on a fresh tree
        fresh = parse(doc.html)
        _preclean(fresh)
        raw = html_to_blocks(_readability(fresh), base)
    page_urls = {u for u in (doc.url, meta.canonical_url) if u}
    blocks, changes = _tidy(raw, meta, page_urls)
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
