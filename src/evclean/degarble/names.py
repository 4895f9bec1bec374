"""Rule for misspelled variants of a name the article spells the same way many times."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._text import EMPTY, NAME_COUNT, Context, is_english, is_name, sub_outside, zipf

__all__ = ["EMPTY", "name_variants", "variant_of"]

#: A name must occur this many times as often as its variant.
RATIO = 3
#: The shortest variant considered ("Aple" for "Apple").
VARIANT_LENGTH = 4
_NAME = re.compile(r"[^\W\d_][^\W\d_]+")


def variant_of(word: str, ctx: Context) -> str | None:
    """The article's name that ``word`` misspells, if it clearly is one.

    >>> ctx = Context.of(["Xiaomi " * 15, "Xiaomii Xiami Miami"])
    >>> variant_of("Xiaomii", ctx), variant_of("Xiami", ctx), variant_of("Miami", ctx)
    ('Xiaomi', 'Xiaomi', None)
    """
    if not is_name(word, VARIANT_LENGTH) or zipf(word) >= 2.0:
        return None  # a known word or name in its own right
    from rapidfuzz.distance import OSA  # imported here: `evclean --help` stays fast

    count = ctx.count(word)
    found = None
    for name, n in ctx.names:
        if n < max(NAME_COUNT, RATIO * count) or name == word:
            continue
        if abs(len(name) - len(word)) > 1 or name[0].lower() != word[0].lower():
            continue
        limit = 2 if min(len(name), len(word)) >= 9 else 1
        if OSA.distance(name, word, score_cutoff=limit) > limit:
            continue
        stem, other = (name, word) if len(name) < len(word) else (word, name)
        if (other == stem + "s" and not stem.endswith("s")) or other.lower() == stem.lower():
            return None  # a plural or an inflected form, not a misspelling
        if found is not None:
            return None  # two candidates: ambiguous
        found = name
    return found


def find_variants(
    words: Mapping[str, int], names: tuple[tuple[str, int], ...]
) -> dict[str, str]:
    """The rare words of an article that misspell one of its names, and that name.

    >>> find_variants({"Xiaomi": 15, "Xiaomii": 1, "Xiami": 1, "Miami": 1},
    ...               (("Xiaomi", 15),))
    {'Xiaomii': 'Xiaomi', 'Xiami': 'Xiaomi'}
    """
    if not names:
        return {}
    ctx = Context(words=words, names=names)
    found = {}
    for word in words:
        if len(word) < VARIANT_LENGTH or not word[0].isupper():
            continue
        name = variant_of(word, ctx)
        if name is not None:
            found[word] = name
    return found


def name_variants(text: str, ctx: Context) -> str:
    """Spell a rare name as the article spells it many times ("Xiami" -> "Xiaomi").

    Only in English text: the check that a variant is no word in its own right uses
    English word statistics.

    >>> ctx = Context.of(["Xiaomi " * 15, "Iran " * 5, "Xiaomii Xiami Miami Iraq"])
    >>> name_variants("Xiaomii plans and Xiami shall grow, unlike Miami or Iraq", ctx)
    'Xiaomi plans and Xiaomi shall grow, unlike Miami or Iraq'
    """
    if not ctx.variants or not ctx.english:
        return text

    def repl(m: re.Match[str]) -> str | None:
        name = ctx.variants.get(m.group(0))
        if name is None or not is_english(m.string):
            return None
        return name

    return sub_outside(_NAME, repl, text)
