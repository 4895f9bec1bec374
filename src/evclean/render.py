"""render: document -> markdown, plain text, JSON.

Markdown follows CommonMark with GFM tables. Text is escaped so that a markdown parser
gives back the same text: the renderer is the only place that knows markdown syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .config import FORMATS
from .degarble.score import GarbleScores
from .document import Block, Change, Document, Span
from .metadata import host_of, same_site

NAME = "render"

# Characters that are markdown syntax anywhere in a line.
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]]|<(?=[A-Za-z/!?])|~~|&(?=#?\w+;)")
# Syntax that only counts at the start of a line (after any quote prefix).
_LINE_START = re.compile(
    r"^(?P<lead> {0,3})(?P<mark>[#>+=]|-|\d{1,9}(?=[.)])|\*)"
)


def _escape_underscores(text: str) -> str:
    # A run of underscores between two letters or digits never starts or ends emphasis.
    def fix(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if before.isalnum() and after.isalnum():
            return m.group(0)
        return "\\_" * len(m.group(0))

    return re.sub(r"_+", fix, text)


def escape(text: str) -> str:
    r"""Escape markdown syntax in running text.

    >>> escape("a *b* [c] snake_case _x_ 3 < 4 <b>")
    'a \\*b\\* \\[c\\] snake_case \\_x\\_ 3 < 4 \\<b>'
    """
    text = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    return _escape_underscores(text)


def _escape_line_start(line: str) -> str:
    m = _LINE_START.match(line)
    if not m:
        return line
    mark = m.group("mark")
    rest = line[m.end():]
    if mark.isdigit():
        # "2024. The year" would start an ordered list
        if rest[:1] in ".)" and (len(rest) == 1 or rest[1] in " \t"):
            return f"{m.group('lead')}{mark}\\{rest}"
        return line
    if mark == "#":
        hashes = len(rest) - len(rest.lstrip("#")) + 1
        if hashes <= 6 and (len(rest) == hashes - 1 or rest[hashes - 1:hashes] in (" ", "\t")):
            return f"{m.group('lead')}\\{mark}{rest}"
        return line
    if mark in "-+*" and not (rest == "" or rest[:1] in (" ", "\t")):
        if mark == "-" and set(rest.strip()) <= {"-"}:
            pass  # "---" is a thematic break or setext underline
        else:
            return line
    if mark == "=" and set(rest.strip()) - {"="}:
        return line
    return f"{m.group('lead')}\\{mark}{rest}"


def _code_span(text: str) -> str:
    ticks = max((len(t) for t in re.findall(r"`+", text)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip()
    ) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    """A link destination: characters markdown cannot hold are percent-encoded."""
    url = re.sub(r"[\x00-\x20<>\\\x7f]", lambda m: quote(m.group(0)), url)
    if "(" in url or ")" in url:
        return f"<{url}>"
    return url


def inline(spans: Iterable[Span], newline: str = "\\\n") -> str:
    """Markdown for a run of spans; ``newline`` is what a line break becomes."""
    out: list[str] = []
    for span in spans:
        if span.code:
            body = _code_span(span.text.replace("\n", " "))
        else:
            body = newline.join(escape(part) for part in span.text.split("\n"))
        if span.em and not span.code and body.strip():
            body = f"*{body}*"
        if span.strong and not span.code and body.strip():
            body = f"**{body}**"
        if span.href:
            body = f"[{body}]({_url(span.href)})"
        out.append(body)
    return "".join(out)


def _fence(code: str) -> str:
    ticks = max((len(t) for t in re.findall(r"^\s*(`{3,})", code, re.MULTILINE)), default=2)
    return "`" * max(3, ticks + 1)


def _table(block: Block) -> list[str]:
    def cell(spans: tuple[Span, ...]) -> str:
        return inline(spans, newline=" ").replace("|", "\\|") or " "

    rows = [[cell(c) for c in row] for row in block.rows]
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return lines


def _block_lines(block: Block, indent: str, marker: str) -> list[str]:
    if block.kind == "heading":
        text = inline(block.spans, newline=" ")
        # a trailing run of # after a space would be read as the heading's closing sequence
        text = re.sub(r"(^|\s)(#+)$", r"\1\\\2", text)
        return ["#" * block.level + " " + text]
    if block.kind == "code":
        fence = _fence(block.spans[0].text)
        return [fence, *block.spans[0].text.split("\n"), fence]
    if block.kind == "table":
        return _table(block)
    if block.kind == "rule":
        return ["* * *"]
    lines = inline(block.spans).split("\n")
    lines = [_escape_line_start(line) for line in lines]
    if block.kind == "item":
        first = indent + marker + " " + lines[0]
        pad = indent + " " * (len(marker) + 1)
        return [first, *(pad + line for line in lines[1:])]
    return lines


def body_markdown(blocks: Iterable[Block]) -> str:
    """Markdown of the article body."""
    chunks: list[str] = []
    prev: Block | None = None
    counters: list[int] = []
    indents: list[str] = []
    for block in blocks:
        marker = ""
        indent = ""
        if block.kind == "item":
            depth = block.level
            if prev is None or prev.kind != "item" or prev.quote != block.quote:
                counters, indents = [], []
            del counters[depth:]
            del indents[depth:]
            while len(counters) < depth:
                counters.append(0)
                indents.append(indents[-1] if indents else "")
            counters[depth - 1] += 1
            marker = f"{counters[depth - 1]}." if block.ordered else "-"
            indent = indents[depth - 1]
            if len(indents) == depth:
                indents.append(indent + " " * (len(marker) + 1))
            else:
                indents[depth] = indent + " " * (len(marker) + 1)
        lines = _block_lines(block, indent, marker)
        prefix = "> " * block.quote
        lines = [(prefix + line).rstrip() if line else prefix.rstrip() for line in lines]
        if prev is not None:
            tight = prev.kind == block.kind == "item" and prev.quote == block.quote
            if not tight:
                shared = min(prev.quote, block.quote)
                chunks.append(("> " * shared).rstrip())
        chunks.extend(lines)
        prev = block
    return "\n".join(chunks)


def body_text(blocks: Iterable[Block]) -> str:
    """Plain text of the article body: blocks separated by blank lines."""
    parts: list[str] = []
    counters: dict[int, int] = {}
    for block in blocks:
        if block.kind == "rule":
            continue
        if block.kind == "item":
            counters = {k: v for k, v in counters.items() if k <= block.level}
            counters[block.level] = counters.get(block.level, 0) + 1
            mark = f"{counters[block.level]}." if block.ordered else "-"
            parts.append("  " * (block.level - 1) + f"{mark} {block.text}")
        else:
            counters = {}
            parts.append(block.text)
    return "\n\n".join(parts)


def is_copy(doc: Document) -> bool:
    """Whether the page republishes an original that lives on another site."""
    return bool(doc.source_url and doc.page_url and not same_site(doc.source_url, doc.page_url))


def source_line(doc: Document) -> str | None:
    """``Source: [Name](url)``, plus ``via <page>`` when the page is a copy."""
    url = doc.source_url or doc.page_url
    if not url:
        return None
    name = (doc.source_name if doc.source_url else doc.site_name) or host_of(url)
    line = f"Source: [{escape(name)}]({_url(url)})"
    if is_copy(doc) and doc.page_url:
        line += f" via <{_url(doc.page_url).strip('<>')}>"
    return line


def to_markdown(doc: Document) -> str:
    parts = []
    if doc.title:
        parts.append("# " + inline([Span(doc.title.replace("\n", " "))], newline=" "))
    line = source_line(doc)
    if line:
        parts.append(line)
    body = body_markdown(doc.blocks)
    if body:
        parts.append(body)
    return "\n\n".join(parts) + "\n"


def metadata(doc: Document) -> dict[str, str | None]:
    return {
        "title": doc.title,
        "author": doc.author,
        "published": doc.published,
        "site_name": doc.site_name,
        "language": doc.language,
        "url": doc.page_url,
        "canonical_url": doc.canonical_url,
        "source_url": doc.source_url or doc.page_url,
        "source_name": doc.source_name or (None if doc.source_url else doc.site_name),
    }


@dataclass(frozen=True)
class Article:
    """A cleaned article: metadata, markdown, text and the report of every change."""

    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    language: str | None
    url: str | None
    canonical_url: str | None
    source_url: str | None
    source_name: str | None
    markdown: str
    text: str
    report: tuple[Change, ...] = field(default=())
    #: How garbled the text was before degarble repaired it, per article and per block.
    garble: GarbleScores | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: getattr(self, name) for name in (
                "url", "source_url", "source_name", "title", "author", "published",
                "site_name", "language", "canonical_url", "markdown", "text",
            )
        }
        data["garble"] = self.garble.as_dict() if self.garble else None
        data["report"] = [c.as_dict() for c in self.report]
        return data


def run(doc: Document) -> Article:
    """The render stage: the finished article."""
    from .degarble import garble_scores

    return Article(
        **metadata(doc),
        markdown=to_markdown(doc),
        text=body_text(doc.blocks),
        report=doc.changes,
        garble=garble_scores(doc),
    )


def front_matter(article: Article) -> str:
    """YAML front matter of an article's metadata (JSON-quoted strings are valid YAML)."""
    lines = ["---"]
    for key in ("title", "author", "published", "site_name", "language", "url",
                "canonical_url", "source_url", "source_name"):
        value = getattr(article, key)
        if value is not None:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def plain(article: Article) -> str:
    """The ``text`` format: title, body, source."""
    parts = [p for p in (article.title, article.text) if p]
    if article.source_url:
        parts.append(f"Source: {article.source_url}")
    return "\n\n".join(parts) + "\n"


def serialize(article: Article, fmt: str, with_front_matter: bool = False) -> str:
    """An article in one of :data:`FORMATS`, ending with a newline."""
    if fmt == "markdown":
        return (front_matter(article) + "\n" if with_front_matter else "") + article.markdown
    if fmt == "text":
        return plain(article)
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return json.dumps(article.to_dict(), ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
