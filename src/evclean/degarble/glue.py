"""Rules for words glued together: "regardingXIAOMI", "thefederal".

Both split only what English word statistics make far likelier as two words than as
one, in English text, and never a glued form that the article uses more than once.
"""

from __future__ import annotations

import re

from ._text import EMPTY, Context, is_english, sub_outside, word_set, zipf

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
    if not ctx.english:
        return text

    def repl(m: re.Match[str]) -> str | None:
        left, right = m.group(1), m.group(2)
        if ctx.count(m.group(0)) > 1 or not is_english(text):
            return None  # a name the article uses on purpose
        if len(left) == 1 and (left != "a" or len(right) < 3):
            return None  # iPhone, eBay, mRNA
        if not _VOWEL.search(left) or zipf(left) < 2.5:
            return None
        glued = zipf(m.group(0))
        if glued and zipf(left) + zipf(right) - 9.0 < glued + MARGIN:
            return None  # a known word or brand: macOS, webOS
        if right == "OS":
            return None  # the way operating systems are named: visionOS
        return f"{left} {right}"

    return sub_outside(_CASE_GLUE, repl, text)


_LOWER_GLUE = re.compile(r"(?<![\w.@/&'’-])[a-z]{4,}(?![\w@/&'’-]|\.\w)")
_SINGLE = frozenset({"a"})
#: How common (zipf) each part of a split must be.
PART_ZIPF = 2.25
#: How common a part glued to a function word must be ("irritantis").
RARE_PART_ZIPF = 2.0
#: How common the two parts must be together (sum of zipf) to split an unknown token.
PAIR_ZIPF = 6.5
#: For a token that is a (rare) word: how much likelier, in log10, the two words must be.
MARGIN = 1.5
#: How much better (sum of zipf) the best split must be than any other.
AMBIGUITY = 1.0
#: Particles and combining forms that English glues to words to make new ones
#: ("overdrew", "upsample", "hyperpersonalized"): a rare token made of one of them and a
#: content word is more likely a compound than damage.
COMPOUNDING = word_set(
    "over under up down out back fore after through super counter cross mid self non "
    "anti multi hyper hypo un electro tele cyber psycho micro macro mega ultra semi mini "
    "bio eco geo neuro auto inter intra trans pre post re de dis mis co sub tri bi poly "
    "mono pseudo proto retro socio techno thermo hydro aero agro astro nano pan para omni "
    "infra meta"
)
#: Suffixes, some of them words too, that a rare token more likely ends with than is
#: glued to ("boomerang|ing", "foundation|ally").
SUFFIXES = word_set(
    "ing ed ers ly ness tion ism ist ize ise ity ment ally ably fully less wise ward "
    "wards hood ship ships"
)
#: Words so common that a token glued from one is damage, not a compound.
FUNCTION_ZIPF = 6.0
#: Below this a word after a compounding particle counts as a content word.
CONTENT_ZIPF = 5.5


def split_glued(word: str) -> tuple[str, str] | None:
    """The best split of a lowercase token into two common words, if clearly right.

    A token that is no English word splits where both parts are common words and
    together common enough (``PAIR_ZIPF``); a token that is a rare word splits only where
    the two words as independent events, zipf(a) + zipf(b) - 9, are ``MARGIN`` likelier.
    A split must be the only good one, and a compounding particle with a content word
    ("overdrew", "upsample") stays one word.

    >>> split_glued("regardingthe"), split_glued("tothe"), split_glued("truthcreates")
    (('regarding', 'the'), ('to', 'the'), ('truth', 'creates'))
    >>> split_glued("hyperloop"), split_glued("overdrew"), split_glued("menghina")
    (None, None, None)
    """
    glued = zipf(word)
    splits: list[tuple[float, str, str]] = []
    for i in range(1, len(word)):
        a, b = word[:i], word[i:]
        if (len(a) == 1 and a not in _SINGLE) or (len(b) == 1 and b not in _SINGLE):
            continue
        za = zipf(a)
        if za < RARE_PART_ZIPF:
            continue
        zb = zipf(b)
        if zb < RARE_PART_ZIPF or (min(za, zb) < PART_ZIPF and max(za, zb) < FUNCTION_ZIPF):
            continue
        splits.append((za + zb, a, b))
    if not splits:
        return None
    splits.sort(reverse=True)
    score, a, b = splits[0]
    if len(splits) > 1 and splits[1][0] > score - AMBIGUITY:
        return None
    if glued > 0 and score - 9.0 < glued + MARGIN:
        return None
    if glued == 0 and score < PAIR_ZIPF:
        return None
    if a in COMPOUNDING and zipf(b) < CONTENT_ZIPF:
        return None
    if b in SUFFIXES:
        return None
    return a, b


_RARE_TOKEN = re.compile(r"[^\W\d_]{4,}")


def _compound_family(word: str, parts: tuple[str, str], text: str) -> bool:
    """Whether the paragraph has another rare word made with the same content word.

    "eartips" beside "earhooks", "smallcaps" beside "midcaps": the text compounds with
    that word, so the token is a compound of its vocabulary, not two words glued.

    >>> _compound_family("eartips", ("ear", "tips"), "secure-fit earhooks and eartips")
    True
    >>> _compound_family("regardingthe", ("regarding", "the"), "regardingthe and tothe")
    False
    """
    a, b = parts
    check_a, check_b = zipf(a) < FUNCTION_ZIPF, zipf(b) < FUNCTION_ZIPF
    for m in _RARE_TOKEN.finditer(text):
        other = m.group(0).lower()
        if other == word or zipf(other) >= 3.0:
            continue
        rest_a, rest_b = other[len(a):], other[:-len(b)]
        if check_a and other.startswith(a) and len(rest_a) >= 3 and zipf(rest_a) >= PART_ZIPF:
            return True
        if check_b and other.endswith(b) and len(rest_b) >= 3 and zipf(rest_b) >= PART_ZIPF:
            return True
    return False


def glued_words(text: str, ctx: Context) -> str:
    """Split two lowercase words glued together, where statistics make it clear.

    >>> glued_words("the bank said it would act regardingthe rates", EMPTY)
    'the bank said it would act regarding the rates'
    >>> glued_words("the hyperloop and the greenwashing of the cryptocurrency", EMPTY)
    'the hyperloop and the greenwashing of the cryptocurrency'
    """
    if not ctx.english:
        return text
    if all(zipf(word) >= 3.0 for word in _LOWER_GLUE.findall(text)):
        return text  # the common case, found fast

    def repl(m: re.Match[str]) -> str | None:
        word = m.group(0)
        if ctx.count(word) > 1 or zipf(word) >= 3.0 or not is_english(text):
            return None
        parts = split_glued(word)
        if parts is None or _compound_family(word, parts, text):
            return None
        return " ".join(parts)

    return sub_outside(_LOWER_GLUE, repl, text)
