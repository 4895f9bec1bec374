"""degarble: repair spun and mangled sentences without touching clean text.

The stage is an ordered list of small named rules (:data:`RULES`), each a pure function
``(text, context) -> text``. The stage applies the enabled rules to the text of each
heading, paragraph and list item, and records one :class:`~evclean.document.Change` per
rule that changed a block. What the rules need to know about the whole article (how
often each word occurs, its repeated proper nouns, whether it quotes with “ ”) is a
:class:`Context` computed once per document from all of its blocks.

A block's text is edited as one string, then mapped back onto its spans, so links and
emphasis survive; inline code spans stand in the text as one placeholder character that
no rule edits, and code blocks and tables are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from ..config import Config
from ..document import Block, Change, Document, Span
from . import debris, glue, names, quotes, spacing
from ._text import CODE, Context
from .score import GarbleScores, garble_score, word_count

__all__ = [
    "NAME",
    "RULES",
    "RULE_NAMES",
    "Context",
    "GarbleScores",
    "Rule",
    "degarble_text",
    "explain_text",
    "garble_score",
    "garble_scores",
    "run",
]

NAME = "degarble"

RuleFunction = Callable[[str, Context], str]
#: A block whose text a pass changed goes through the rules again (a repair can expose
#: damage that an earlier rule looks for), at most this many times in all.
PASSES = 3
_TEXT_KINDS = frozenset({"heading", "paragraph", "item"})


@dataclass(frozen=True)
class Rule:
    """A named repair, and the kinds of block it applies to."""

    name: str
    fix: RuleFunction
    kinds: frozenset[str] = _TEXT_KINDS

    @property
    def summary(self) -> str:
        return (self.fix.__doc__ or "").strip().splitlines()[0]


#: The rules in the order they run. Markup debris goes first so that the other rules
#: see plain text; quotes go before dangling punctuation ("planning“;" -> "planning.").
RULES: tuple[Rule, ...] = (
    Rule("tag_fragments", debris.tag_fragments),
    Rule("entities", debris.entities),
    Rule("punct_spacing", spacing.punct_spacing),
    Rule("bracket_spacing", spacing.bracket_spacing),
    Rule("glued_case", glue.glued_case),
    Rule("glued_words", glue.glued_words),
    Rule("guillemets", quotes.guillemets),
    Rule("quote_balance", quotes.quote_balance),
    Rule("name_variants", names.name_variants),
    Rule("sentence_case", spacing.sentence_case),
    Rule("dangling_punct", spacing.dangling_punct, frozenset({"paragraph"})),
)
RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in RULES)


def _enabled(disabled: Iterable[str]) -> tuple[Rule, ...]:
    off = frozenset(disabled)
    unknown = sorted(off - set(RULE_NAMES))
    if unknown:
        raise ValueError(
            f"unknown degarble rule(s) {', '.join(unknown)}; rules are: {', '.join(RULE_NAMES)}"
        )
    return tuple(rule for rule in RULES if rule.name not in off)


def _apply(
    text: str, kind: str, ctx: Context, rules: tuple[Rule, ...]
) -> tuple[str, list[tuple[str, str, str]]]:
    """Run the rules over one text; return it and (rule, before, after) per change."""
    steps = []
    for _ in range(PASSES):
        changed = False
        for rule in rules:
            if kind not in rule.kinds:
                continue
            fixed = rule.fix(text, ctx)
            if fixed != text:
                steps.append((rule.name, text, fixed))
                text = fixed
                changed = True
        if not changed:
            break
    return text, steps


# Blocks and spans ----------------------------------------------------------------------

def _coded(spans: tuple[Span, ...]) -> str:
    """A block's text with each code span as one placeholder character."""
    return "".join(CODE if span.code else span.text for span in spans)


def _shown(text: str, spans: tuple[Span, ...]) -> str:
    """``text`` with its placeholders replaced by the code spans' text."""
    if CODE not in text:
        return text
    codes = iter(span.text for span in spans if span.code)
    return "".join(next(codes, "") if ch == CODE else ch for ch in text)


def _respan(spans: tuple[Span, ...], old: str, new: str) -> tuple[Span, ...] | None:
    """Map an edit of a block's joined text back onto its spans.

    Kept characters stay in their span; an inserted character goes to the span of the
    original character before it (or after it, at the start). Returns None if an edit
    touched a code span.
    """
    if len(spans) == 1 and not spans[0].code:
        return (spans[0].with_text(new),)
    owner: list[int] = []
    for index, span in enumerate(spans):
        owner.extend([index] * (1 if span.code else len(span.text)))
    if not owner:
        return None
    new_owner: list[int] = []  # -1: a new plain span (text inserted between code spans)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            new_owner.extend(owner[i1:i2])
            continue
        if CODE in old[i1:i2] or CODE in new[j1:j2]:
            return None
        if op == "delete":
            continue
        new_owner.extend([_owner_of_insert(spans, owner, i1, i2, new[j1:j2])] * (j2 - j1))
    out: list[Span] = []
    pos = 0
    while pos < len(new):
        index = new_owner[pos]
        end = pos + 1
        if index < 0 or not spans[index].code:
            while end < len(new) and new_owner[end] == index:
                end += 1
        span = Span("") if index < 0 else spans[index]
        out.append(span if span.code else span.with_text(new[pos:end]))
        pos = end
    return tuple(out)


def _owner_of_insert(
    spans: tuple[Span, ...], owner: list[int], i1: int, i2: int, inserted: str
) -> int:
    """The span that characters inserted between ``old[i1 - 1]`` and ``old[i2]`` join.

    The span before, else the one after; but a space inserted where a link or emphasis
    ends or begins goes outside it (``**bold!**word`` -> ``**bold!** word``). -1: a new
    plain span.
    """
    sides = [owner[i] for i in (i1 - 1, i2) if 0 <= i < len(owner) and not spans[owner[i]].code]
    if not sides:
        return -1
    if inserted.isspace() and len(set(sides)) == 2:
        plain = [k for k in sides if not (spans[k].href or spans[k].strong or spans[k].em)]
        return plain[0] if plain else -1
    return sides[0]


def _texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind in _TEXT_KINDS]


def _settled(before: Context, after: Context) -> bool:
    """Whether repairs left unchanged what the rules know about the article."""
    return (before.english, before.curly, before.names, before.variants) == (
        after.english, after.curly, after.names, after.variants
    )


def _repair_blocks(
    blocks: tuple[Block, ...], rules: tuple[Rule, ...]
) -> tuple[tuple[Block, ...], list[Change]]:
    """Apply the rules to every text block, with the article's context.

    Repairs can change the context (a tag fragment removed makes a paragraph read as
    English, a name variant fixed makes a name more frequent); if they did, the blocks
    go through the rules once more with the new context, so the stage is idempotent.
    """
    changes: list[Change] = []
    ctx = Context.of(b.text for b in blocks if b.kind in _TEXT_KINDS)
    for _ in range(2):
        out: list[Block] = []
        changed = False
        for block in blocks:
            if block.kind not in _TEXT_KINDS or not block.spans:
                out.append(block)
                continue
            old = _coded(block.spans)
            new, steps = _apply(old, block.kind, ctx, rules)
            spans = _respan(block.spans, old, new) if steps else None
            if spans is None:  # nothing to do, or an edit that would touch code
                out.append(block)
                continue
            changed = True
            changes.extend(
                Change(NAME, rule, _shown(before, block.spans), _shown(after, spans), block.kind)
                for rule, before, after in steps
            )
            out.append(replace(block, spans=spans))
        blocks = tuple(out)
        if not changed:
            break
        new_ctx = Context.of(b.text for b in blocks if b.kind in _TEXT_KINDS)
        if _settled(ctx, new_ctx):
            break
        ctx = new_ctx
    return blocks, changes


def run(doc: Document, config: Config) -> Document:
    """The degarble stage."""
    rules = _enabled(config.disabled_rules)
    threshold = config.drop_garbled
    if not rules and threshold is None:
        return doc
    blocks, changes = _repair_blocks(doc.blocks, rules)
    if threshold is not None:
        kept = []
        for old, block in zip(doc.blocks, blocks, strict=True):
            if block.kind == "paragraph" and garble_score(old.text, block.text) > threshold:
                changes.append(Change(NAME, "drop_garbled", block.text, "", block.kind))
                continue
            kept.append(block)
        blocks = tuple(kept)
    if not changes:
        return doc
    return doc.record(*changes, blocks=blocks)


def garble_scores(doc: Document) -> GarbleScores:
    """The garble scores of a document's text blocks (those the ``text`` format shows).

    A block's score is taken against its text before degarble, found by following the
    stage's own changes back; without them (degarble skipped) the text as it is.
    """
    origin: dict[str, str] = {}
    for change in doc.changes:
        if change.stage == NAME and change.after:
            origin[change.after] = origin.get(change.before, change.before)
    scored: list[tuple[float, int] | None] = []
    for block in doc.blocks:
        if block.kind == "rule":
            continue
        if block.kind not in _TEXT_KINDS:
            scored.append(None)
            continue
        text = block.text
        scored.append((garble_score(origin.get(text, text), text), word_count(text)))
    return GarbleScores.of(scored)


# Plain text ----------------------------------------------------------------------------

def explain_text(text: str, disabled: Iterable[str] = ()) -> tuple[str, list[Change]]:
    """Degarble plain text and say what changed: paragraphs are separated by blank lines.

    >>> explain_text("It grew,fast.\\n\\nIt did.")
    ('It grew, fast.\\n\\nIt did.', [Change(stage='degarble', rule='punct_spacing', \
before='It grew,fast.', after='It grew, fast.', category='paragraph')])
    """
    rules = _enabled(disabled)
    parts = _split_paragraphs(text)
    blocks = tuple(Block("paragraph", (Span(p),)) if p.strip() else Block("rule")
                   for p in parts[::2])
    repaired, changes = _repair_blocks(blocks, rules)
    for i, block in enumerate(repaired):
        if block.kind == "paragraph":
            parts[2 * i] = block.text
    return "".join(parts), changes


def degarble_text(text: str) -> str:
    """Degarble plain text whose paragraphs are separated by blank lines.

    The whole text is the article context (its repeated names, its quoting style).

    >>> degarble_text("Phones by Xiaomi sell.\\n\\nSo Xiaomi grows,and Xiaomi builds cars.\\n\\n"
    ...               "It is the year of the Xiami car.")
    'Phones by Xiaomi sell.\\n\\nSo Xiaomi grows, and Xiaomi builds cars.\\n\\nIt is the year \
of the Xiaomi car.'
    """
    return explain_text(text)[0]


def _split_paragraphs(text: str) -> list[str]:
    """Split into paragraphs and the blank-line separators between them (odd indexes)."""
    import re

    return re.split(r"(\n[ \t]*\n\s*)", text)
