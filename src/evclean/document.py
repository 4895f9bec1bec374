"""The document that flows through the pipeline, and the records stages leave.

A document is immutable: each stage returns a new one (``dataclasses.replace``), so a
stage can be run, skipped or tested on its own and the whole pipeline can run in a worker
process. The article body is a flat tuple of blocks; containers (lists, quotes) are
expressed as attributes of the blocks they hold, which keeps the stages simple and the
renderer the only place that knows markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "code", "table", "rule"]


@dataclass(frozen=True)
class Span:
    """A run of inline text with one set of formatting."""

    text: str
    href: str | None = None
    strong: bool = False
    em: bool = False
    code: bool = False

    def with_text(self, text: str) -> Span:
        # direct construction: dataclasses.replace is slow on this hot path
        return Span(text, self.href, self.strong, self.em, self.code)


@dataclass(frozen=True)
class Block:
    """One block of the article body.

    kind: ``heading`` (``level`` 1-6), ``paragraph``, ``item`` (a list item: ``level``
    is its nesting depth from 1, ``ordered`` its list type), ``code`` (preformatted text
    in ``spans[0]``), ``table`` (``rows`` of cells, each a tuple of spans; the first row
    is the header) or ``rule``. ``quote`` is the blockquote depth around the block.
    """

    kind: BlockKind
    spans: tuple[Span, ...] = ()
    level: int = 0
    ordered: bool = False
    quote: int = 0
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()

    @property
    def text(self) -> str:
        if self.kind == "table":
            return "\n".join(
                " | ".join("".join(s.text for s in cell) for cell in row) for row in self.rows
            )
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Change:
    """One thing a stage changed: recorded only when something did change."""

    stage: str
    rule: str
    before: str
    after: str
    category: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "stage": self.stage,
            "rule": self.rule,
            "category": self.category,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Document:
    """A page on its way through the pipeline."""

    html: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    source_url: str | None = None
    source_name: str | None = None
    blocks: tuple[Block, ...] = ()
    changes: tuple[Change, ...] = field(default=())

    @property
    def page_url(self) -> str | None:
        """The address of the page itself: the URL given, else its canonical URL."""
        return self.url or self.canonical_url

    def record(self, *changes: Change, **fields: object) -> Document:
        """Return a copy with ``fields`` replaced and ``changes`` appended to the report."""
        return replace(self, changes=self.changes + changes, **fields)  # type: ignore[arg-type]
