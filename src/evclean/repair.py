"""repair: undo mojibake and Unicode damage with ftfy.

ftfy is configured to leave typography alone: curly quotes, dashes, guillemets and
full-width punctuation (CJK text uses it on purpose) survive. HTML entities were decoded
once by the HTML parser; decoding them again here would turn a literal ``&amp;`` that an
article shows into ``&``, so ftfy's entity unescaping is off.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import ftfy

from .config import Config
from .document import Block, Change, Document, Span

NAME = "repair"


@lru_cache(maxsize=1)
def _config() -> ftfy.TextFixerConfig:
    return ftfy.TextFixerConfig(
        uncurl_quotes=False,
        unescape_html=False,
        fix_character_width=False,
        explain=True,
    )


def fix(text: str) -> tuple[str, str]:
    """Repair one string; return it and the name of what was done ("" for nothing).

    >>> fix("CleanTechnicaâ€™s daily")
    ('CleanTechnica’s daily', 'mojibake')
    >>> fix("« Bonjour » — “hi”")
    ('« Bonjour » — “hi”', '')
    """
    if text.isascii():
        return text, ""
    fixed, steps = ftfy.fix_and_explain(text, _config())
    if fixed == text or not steps:
        return text, ""
    kinds = {kind for kind, _ in steps}
    if kinds & {"encode", "decode"}:
        return fixed, "mojibake"
    return fixed, "+".join(dict.fromkeys(name for _, name in steps))


def _fix_spans(spans: tuple[Span, ...]) -> tuple[tuple[Span, ...], str]:
    rules: list[str] = []
    out = []
    for span in spans:
        text, rule = fix(span.text)
        if rule:
            rules.append(rule)
            span = span.with_text(text)
        out.append(span)
    return tuple(out), "+".join(dict.fromkeys(rules))


def _fix_block(block: Block) -> tuple[Block, str]:
    if block.kind == "table":
        rules = []
        rows = []
        for row in block.rows:
            cells = []
            for cell in row:
                fixed, rule = _fix_spans(cell)
                cells.append(fixed)
                if rule:
                    rules.append(rule)
            rows.append(tuple(cells))
        return replace(block, rows=tuple(rows)), "+".join(dict.fromkeys(rules))
    if block.kind == "code":
        return block, ""  # code is shown as written
    spans, rule = _fix_spans(block.spans)
    return replace(block, spans=spans), rule


def run(doc: Document, config: Config) -> Document:
    """The repair stage."""
    changes: list[Change] = []
    fields: dict[str, object] = {}
    for name in ("title", "author", "site_name", "source_name"):
        value = getattr(doc, name)
        if value:
            fixed, rule = fix(value)
            if rule:
                fields[name] = fixed
                changes.append(Change(NAME, rule, value, fixed, name))
    blocks = []
    for block in doc.blocks:
        fixed_block, rule = _fix_block(block)
        if rule:
            changes.append(Change(NAME, rule, block.text, fixed_block.text, "text"))
        blocks.append(fixed_block)
    if not changes:
        return doc
    return doc.record(*changes, blocks=tuple(blocks), **fields)
