"""Rules for words glued together: "regardingXIAOMI", "thefederal".

Both split only what English word statistics make far likelier as two words than as
one, in English text, and never a glued form that the article uses more than once.
"""

from __future__ import annotations

import re

from ._text import EMPTY, Context, is_english, sub_outside, zipf

__all__ = ["EMPTY", "glued_case", "glued_words", "split_glued"]

_VOWEL = re.compile(r"[aeiouy]")
# A lowercase word glued to a capitalised or upper-case one, as a whole token.
_CASE_GLUE = re.compile(
    r"(?<![\w.@/&'’-])([a-z]+)([A-Z](?:[a-z]+|[A-Z]+))(?![\w@/&-]|\.\w)"
)


def glued_case(text: str, ctx: Context) -> str:
    """Split a lowercase word glued to a capitalised or upper-case word.

    >>> glued_case("outcomes forthcoming regardingXIAOMI (initial", EMPTY)
    'outcomes forthcoming regarding XIAOMI (initial'
    >>> glued_case("a statement by theFederal Reserve", EMPTY)
    'a statement by the Federal Reserve'

    Brands and code-like names stay:

    >>> glued_case("iPhone, eBay, YouTube, McDonald's, PayPal, macOS, mRNA, kWh", EMPTY)
    "iPhone, eBay, YouTube, McDonald's, PayPal, macOS, mRNA, kWh"
    """
    if not ctx.english or not is_english(text):
        return text

    def repl(m: re.Match[str]) -> str | None:
        left, right = m.group(1), m.group(2)
        if ctx.count(m.group(0)) > 1:
            return None  # a name the article uses on purpose
        if len(left) == 1 and (left != "a" or not right[1:].islower() or len(right) < 3):
            return None
        if not _VOWEL.search(left) or zipf(left) < 3.0:
            return None
        if zipf(m.group(0)) >= 1.0:
            return None  # a known word or brand: macOS, webOS
        if right.isupper() and len(right) < 4 and zipf(left) < 6.0:
            return None  # watchOS, tvOS
        return f"{left} {right}"

    return sub_outside(_CASE_GLUE, repl, text)


_LOWER_GLUE = re.compile(r"(?<![\w.@/&'’-])[a-z]{5,}(?![\w@/&'’-]|\.\w)")
_SINGLE = frozenset({"a"})
#: How much likelier (in log10) two words must be than the glued form.
MARGIN = 1.5
#: How common (zipf) each part of a split must be.
PART_ZIPF = 3.0


def split_glued(word: str) -> tuple[str, str] | None:
    """The best split of a lowercase token into two common words, if far likelier.

    The glued form is compared with the two words as independent events:
    zipf(a) + zipf(b) - 9 (log10 per billion of the pair) against zipf(ab).

    >>> split_glued("regardingthe")
    ('regarding', 'the')
    >>> split_glued("federalreserve")
    ('federal', 'reserve')
    >>> split_glued("hyperloop"), split_glued("greenwashing"), split_glued("menghina")
    (None, None, None)
    """
    glued = zipf(word)
    best: tuple[float, str, str] | None = None
    for i in range(1, len(word)):
        a, b = word[:i], word[i:]
        if (len(a) == 1 and a not in _SINGLE) or (len(b) == 1 and b not in _SINGLE):
            continue
        za = zipf(a)
        if za < PART_ZIPF:
            continue
        zb = zipf(b)
        if zb < PART_ZIPF:
            continue
        score = za + zb
        if best is None or score > best[0]:
            best = (score, a, b)
    if best is None or best[0] - 9.0 < glued + MARGIN:
        return None
    return best[1], best[2]


def glued_words(text: str, ctx: Context) -> str:
    """Split two lowercase words glued together, where statistics make it clear.

    >>> glued_words("the bank said it would act regardingthe rates", EMPTY)
    'the bank said it would act regarding the rates'
    >>> glued_words("the hyperloop and the greenwashing of the cryptocurrency", EMPTY)
    'the hyperloop and the greenwashing of the cryptocurrency'
    """
    if not ctx.english or not is_english(text):
        return text

    def repl(m: re.Match[str]) -> str | None:
        word = m.group(0)
        if ctx.count(word) > 1 or zipf(word) >= 3.0:
            return None
        parts = split_glued(word)
        return " ".join(parts) if parts else None

    return sub_outside(_LOWER_GLUE, repl, text)
