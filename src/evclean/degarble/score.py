"""The garble score: how damaged a paragraph was before degarble repaired it.

The score is the density of damage found in a paragraph: every place a degarble rule
had to repair, plus damage still visible afterwards (unbalanced curly quotes, a word
doubled, punctuation glued between words), per word, times ``SCALE``, at most 1.
Clean text scores 0; a paragraph with one repair in every five words scores 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from ._text import WORD

SCALE = 5.0
_GLUED_PUNCT = re.compile(r"(?<=[a-z]{2})[,;](?=[a-z]{2})")


def repairs(before: str, after: str) -> int:
    """How many separate places differ between two versions of a text.

    >>> repairs("a,b c,d", "a, b c, d"), repairs("same", "same")
    (2, 0)
    """
    if before == after:
        return 0
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    return sum(1 for op in matcher.get_opcodes() if op[0] != "equal")


def _doubled(words: list[str]) -> int:
    """How many words repeat the word before them ("the the")."""
    return sum(
        1 for a, b in pairwise(words)
        if a == b and len(a) >= 2 and a.isalpha() and a.islower()
    )


def visible_damage(text: str) -> int:
    """Damage that no rule repaired and that still shows.

    >>> visible_damage("He said “we sell and the the rest,one")
    3
    >>> visible_damage("“We sell,” he said. Bora Bora is far.")
    0
    """
    damage = _doubled(text.split()) + len(_GLUED_PUNCT.findall(text))
    if text.count("“") != text.count("”") and '"' not in text:
        damage += 1
    return damage


def garble_score(before: str, after: str | None = None) -> float:
    """The garble score of a paragraph that degarble turned from ``before`` into ``after``.

    >>> garble_score("It is clean, as it should be.")
    0.0
    >>> garble_score("XPENG,NIO,BYD and ZEEKR", "XPENG, NIO, BYD and ZEEKR")
    1.0
    >>> garble_score("Sales grew,as planned, in all ten regions of the country last year.",
    ...              "Sales grew, as planned, in all ten regions of the country last year.")
    0.385
    """
    if after is None:
        after = before
    words = word_count(after)
    if not words:
        return 0.0
    damage = repairs(before, after) + visible_damage(after)
    return min(1.0, round(SCALE * damage / words, 3))


def word_count(text: str) -> int:
    """How many words a text has.

    >>> word_count("It grew, fast — by 3%.")
    4
    """
    return len(WORD.findall(text))


@dataclass(frozen=True)
class GarbleScores:
    """Garble scores of an article: the whole (a mean weighted by words) and each block.

    ``blocks`` has one entry per block of the article's text, in order (None for code
    blocks and tables, which degarble leaves alone).
    """

    article: float
    blocks: tuple[float | None, ...]

    @classmethod
    def of(cls, scored: list[tuple[float, int] | None]) -> GarbleScores:
        """From (score, words) per block, or None for a block without a score.

        >>> GarbleScores.of([(0.0, 30), (0.5, 10), None])
        GarbleScores(article=0.125, blocks=(0.0, 0.5, None))
        """
        words = sum(n for item in scored if item for _, n in [item])
        total = sum(score * n for item in scored if item for score, n in [item])
        return cls(
            article=round(total / words, 3) if words else 0.0,
            blocks=tuple(item[0] if item else None for item in scored),
        )

    def as_dict(self) -> dict[str, object]:
        return {"article": self.article, "paragraphs": list(self.blocks)}
