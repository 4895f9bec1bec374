"""Turn an HTML fragment (lxml) into the flat block list of :mod:`evclean.document`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import _Comment, _Element, _ProcessingInstruction

from .document import Block, BlockKind, Span

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup",
    "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", *_HEADINGS,
})
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "source", "track", "head", "title", "meta", "link", "button",
    "input", "select", "textarea", "option", "map", "img", "picture",
})
_WS = re.compile(r"[ \t\r\n\f\v\u200b\ufeff]+")
_SAFE_SCHEMES = {"http", "https", "mailto", "ftp", ""}


def safe_href(href: str | None, base: str | None) -> str | None:
    """Absolute link for ``href`` against ``base``, or None for scripts, data and junk."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base, href) if base else href
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    if scheme not in _SAFE_SCHEMES:
        return None
    if not scheme and not base:
        return href  # relative link with nothing to resolve it against: keep as given
    return absolute


@dataclass(frozen=True)
class _Ctx:
    quote: int = 0
    lists: tuple[bool, ...] = ()  # one entry per open list: ordered?
    href: str | None = None
    strong: bool = False
    em: bool = False
    code: bool = False
    pre: bool = False


class _Builder:
    def __init__(self, base: str | None) -> None:
        self.base = base
        self.blocks: list[Block] = []
        self.spans: list[Span] = []
        self.after_br = False  # nothing but white space since the last <br>

    # -- inline --------------------------------------------------------------------------
    def text(self, text: str | None, ctx: _Ctx) -> None:
        """Add running text; its line breaks are white space (only <br> breaks a line)."""
        if text:
            text = _WS.sub(" ", text)
            self.spans.append(Span(text, ctx.href, ctx.strong, ctx.em, ctx.code))
            if text.strip():
                self.after_br = False

    # -- blocks --------------------------------------------------------------------------
    def flush(self, ctx: _Ctx, kind: BlockKind = "paragraph", level: int = 0) -> None:
        spans = normalize_spans(self.spans)
        self.spans = []
        self.after_br = False
        if not spans:
            return
        ordered = False
        if kind == "paragraph" and ctx.lists:
            kind, level, ordered = "item", len(ctx.lists), ctx.lists[-1]
        self.blocks.append(Block(kind, spans, level=level, ordered=ordered, quote=ctx.quote))

    def walk(self, el: _Element, ctx: _Ctx) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or isinstance(el, (_Comment, _ProcessingInstruction)):
            self.text(el.tail, ctx)  # the text after an image or a comment is still text
            return
        if tag == "br":
            if self.after_br:
                self.flush(ctx)  # two line breaks in a row end a paragraph
            else:
                self.spans.append(Span("\n", ctx.href, ctx.strong, ctx.em, ctx.code))
                self.after_br = True
        elif tag == "hr":
            self.flush(ctx)
            self.blocks.append(Block("rule", quote=ctx.quote))
        elif tag in _HEADINGS:
            self.flush(ctx)
            self.children(el, replace(ctx, href=None))
            self.flush(ctx, "heading", _HEADINGS[tag])
        elif tag == "pre":
            self.flush(ctx)
            code = el.text_content().strip("\n")
            if code.strip():
                self.blocks.append(Block("code", (Span(code, code=True),), quote=ctx.quote))
        elif tag == "table" and _is_data_table(el):
            self.flush(ctx)
            self.table(el, ctx)
        elif tag in ("ul", "ol"):
            self.flush(ctx)
            self.children(el, replace(ctx, lists=(*ctx.lists, tag == "ol")))
            self.flush(ctx)
        elif tag == "li":
            self.flush(ctx)
            if not ctx.lists:
                ctx = replace(ctx, lists=(False,))
            self.children(el, ctx)
            self.flush(ctx)
        elif tag == "blockquote":
            self.flush(ctx)
            self.children(el, replace(ctx, quote=ctx.quote + 1))
            self.flush(ctx)
        elif tag in _BLOCK_TAGS:
            self.flush(ctx)
            self.children(el, ctx)
            self.flush(ctx)
        else:
            inner = ctx
            if tag == "a":
                inner = replace(ctx, href=safe_href(el.get("href"), self.base) or ctx.href)
            elif tag in ("strong", "b"):
                inner = replace(ctx, strong=True)
            elif tag in ("em", "i", "cite"):
                inner = replace(ctx, em=True)
            elif tag in ("code", "kbd", "samp", "tt"):
                inner = replace(ctx, code=True)
            self.children(el, inner)
        self.text(el.tail, ctx)

    def children(self, el: _Element, ctx: _Ctx) -> None:
        self.text(el.text, ctx)
        for child in el:
            self.walk(child, ctx)

    def table(self, table: _Element, ctx: _Ctx) -> None:
        rows: list[tuple[tuple[Span, ...], ...]] = []
        for tr in _rows(table):
            cells = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                sub = _Builder(self.base)
                sub.children(cell, _Ctx())
                sub.flush(_Ctx())
                spans: list[Span] = []
                for block in sub.blocks:
                    if spans:
                        spans.append(Span(" "))
                    spans.extend(block.spans)
                cells.append(normalize_spans(spans, keep_newlines=False))
            if cells:
                rows.append(tuple(cells))
        if rows:
            width = max(len(r) for r in rows)
            rows = [r + ((),) * (width - len(r)) for r in rows]
            self.blocks.append(Block("table", rows=tuple(rows), quote=ctx.quote))


def _rows(table: _Element) -> Iterator[_Element]:
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr")


def _is_data_table(table: _Element) -> bool:
    """A table of data, as opposed to one used for layout."""
    if table.find(".//table") is not None:
        return False
    rows = list(_rows(table))
    if not rows:
        return False
    widths = [sum(1 for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th"))
              for tr in rows]
    if max(widths) < 2:
        return False
    for tag in ("p", "div", "ul", "ol", "h1", "h2", "h3", "blockquote"):
        if len(table.findall(f".//{tag}")) > len(rows):
            return False
    return True


def normalize_spans(spans: list[Span], keep_newlines: bool = True) -> tuple[Span, ...]:
    """Collapse white space across spans, merge like neighbours, trim the ends."""
    out: list[Span] = []
    for span in spans:
        text = span.text
        if keep_newlines:
            parts = text.split("\n")
            text = "\n".join(_WS.sub(" ", p) for p in parts)
        else:
            text = _WS.sub(" ", text)
        if not text:
            continue
        span = span.with_text(text)
        if out:
            prev = out[-1]
            # one space where two meet; none after a line break
            if prev.text.endswith((" ", "\n")) and text.startswith(" "):
                text = text.lstrip(" ")
                if not text:
                    continue
                span = span.with_text(text)
            if (prev.href, prev.strong, prev.em, prev.code) == (
                span.href, span.strong, span.em, span.code
            ):
                out[-1] = prev.with_text(prev.text + span.text)
                continue
        out.append(span)
    # spaces around line breaks, and at the ends
    cleaned: list[Span] = []
    for span in out:
        text = re.sub(r" *\n *", "\n", span.text)
        cleaned.append(span.with_text(text))
    while cleaned and not cleaned[0].text.strip():
        cleaned.pop(0)
    while cleaned and not cleaned[-1].text.strip():
        cleaned.pop()
    if not cleaned:
        return ()
    cleaned[0] = cleaned[0].with_text(cleaned[0].text.lstrip())
    cleaned[-1] = cleaned[-1].with_text(cleaned[-1].text.rstrip())
    return tuple(_move_edge_spaces(cleaned))


def _move_edge_spaces(spans: list[Span]) -> list[Span]:
    """Move spaces at the edges of formatted spans outside them (``** a**`` is not bold)."""
    out: list[Span] = []
    for span in spans:
        plain = not (span.href or span.strong or span.em or span.code)
        if plain or span.text.strip() == "":
            out.append(span)
            continue
        core = span.text.strip()
        lead = span.text[: len(span.text) - len(span.text.lstrip())]
        trail = span.text[len(span.text.rstrip()):]
        if lead:
            out.append(Span(lead))
        out.append(span.with_text(core))
        if trail:
            out.append(Span(trail))
    merged: list[Span] = []
    for span in out:
        if merged and not (span.href or span.strong or span.em or span.code) and not (
            merged[-1].href or merged[-1].strong or merged[-1].em or merged[-1].code
        ):
            merged[-1] = merged[-1].with_text(merged[-1].text + span.text)
        else:
            merged.append(span)
    return [s for s in merged if s.text]


def html_to_blocks(fragment: str | _Element, base: str | None = None) -> tuple[Block, ...]:
    """Blocks of an HTML fragment, with links made absolute against ``base``."""
    if isinstance(fragment, str):
        if not fragment.strip():
            return ()
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    else:
        root = fragment
    builder = _Builder(base)
    builder.walk(root, _Ctx())
    builder.flush(_Ctx())
    return tuple(builder.blocks)


def elements_to_blocks(elements: list[_Element], base: str | None = None) -> tuple[Block, ...]:
    """Blocks of several elements of one tree, in the order given (tails left out)."""
    builder = _Builder(base)
    for el in elements:
        tail, el.tail = el.tail, None
        try:
            builder.walk(el, _Ctx())
        finally:
            el.tail = tail
        builder.flush(_Ctx())
    return tuple(builder.blocks)
