"""Shared helpers of the degarble rules: word statistics, protected regions, context.

Word statistics come from wordfreq's English list, which ships inside the package; it
is loaded once per process, on first use. Protected regions are the parts of a text that
no rule may edit: URLs, e-mail addresses, domain and file names, emoticons, and the
placeholder that stands for an inline code span.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

#: Stands for an inline code span inside a block's text: rules never edit it.
CODE = "\ufffc"

_TLDS = (
    "com|org|net|info|io|co|edu|gov|mil|int|biz|me|tv|ai|app|dev|news|uk|de|fr|es|it|nl|ru|"
    "cn|jp|in|us|ca|au|br|eu|ch|se|no|pl|be|at|dk|fi|cz|pt|gr|ie|nz|za|kr|tw|hk|sg|ly|gl|gg|"
    "html?|php|aspx?|jsp|pdf|png|jpe?g|gif|svg|zip|exe|py|js|ts|json|xml|csv|txt|md|docx?|xlsx?"
)
_PROTECTED = re.compile(
    r"(?i:https?|ftp)://\S+"  # URLs
    r"|(?i:www)\.\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<!\S)(?=\S*[/\\])(?=\S*[.:?=#\\]|/)\S+"  # paths: a/b.c, /usr/bin, x.org/a?b=c
    r"|\S*=\S*"  # query strings, assignments
    r"|(?<![\w.])(?:[\w-]+\.)+(?:" + _TLDS + r")\b(?:[/?#:]\S*)?"  # domains, file names
    r"|(?<![\w.])[^\W\d][\w-]+\.(?:[\w-]+\.)+[\w-]+"  # dotted names: os.path.join
    r"|[\w.]*_\w*"  # snake_case and other code-like names
    r"|(?<!\w)[:;=8][-^o']?[()\[\]DPpOo3/\\|*]+(?!\w)"  # emoticons
    r"|" + CODE + r"+",
)


#: What a rule about markup must still leave alone: URLs and code.
URLS_AND_CODE = re.compile(
    r"(?:https?|ftp)://[^\s<>]+|www\.[^\s<>]+|" + CODE + "+", re.IGNORECASE
)


def word_set(text: str) -> frozenset[str]:
    """The words of a text, as a set: how word lists are written here."""
    return frozenset(text.split())


@lru_cache(maxsize=16)
def _ranges(text: str, pattern: re.Pattern[str]) -> tuple[tuple[int, int], ...]:
    # cached: the rules of a block often look at the same text one after another
    return tuple(m.span() for m in pattern.finditer(text))


def protected(text: str, pattern: re.Pattern[str] = _PROTECTED) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that no rule may edit, in order.

    >>> t = "See tech-news.info or https://example.org/a?b=c, then :D and v1.2."
    >>> [t[a:b] for a, b in protected(t)]
    ['tech-news.info', 'https://example.org/a?b=c,', ':D']
    """
    return list(_ranges(text, pattern))


def sub_outside(
    pattern: re.Pattern[str],
    repl: object,
    text: str,
    protect: re.Pattern[str] = _PROTECTED,
) -> str:
    """``pattern.sub(repl, text)`` that skips any match overlapping a protected range.

    ``repl`` is a string or a function of the match; a function may return ``None``
    to leave its match unchanged. The protected ranges are found only once a match is.

    >>> sub_outside(re.compile(r","), ", ", "a,b see x.org/a,b")
    'a, b see x.org/a,b'
    """
    ranges: tuple[tuple[int, int], ...] | None = None
    starts: list[int] = []

    def blocked(a: int, b: int) -> bool:
        nonlocal ranges, starts
        if ranges is None:
            ranges = _ranges(text, protect)
            starts = [r[0] for r in ranges]
        # ranges are disjoint and sorted, so the last one starting before the match's
        # end is the only one that can reach into it
        i = bisect.bisect_left(starts, max(b, a + 1)) - 1
        return i >= 0 and ranges[i][1] > a

    def sub(m: re.Match[str]) -> str:
        if callable(repl):
            out = repl(m)
            if out is None:
                return m.group(0)
            out = str(out)
        else:
            out = m.expand(str(repl))
        if out == m.group(0) or blocked(*m.span()):
            return m.group(0)
        return out

    return pattern.sub(sub, text)


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    """wordfreq's English word list as word -> centibels below 1 (frequency 10**(-r/100)).

    Read straight from the data file wordfreq ships (its "cBpack": a gzipped msgpack list
    of buckets, one per centibel), which skips importing wordfreq and its language-code
    tables and building a dict of floats: a third of the start-up cost of a one-page run.
    If the file is not where wordfreq 3 keeps it, wordfreq's own reader is used.
    """
    import gzip
    import importlib.util
    import os

    spec = importlib.util.find_spec("wordfreq")
    folders = spec.submodule_search_locations if spec else None
    path = os.path.join(folders[0], "data", "large_en.msgpack.gz") if folders else ""
    if path and os.path.exists(path):
        import msgpack

        with gzip.open(path, "rb") as f:
            data = msgpack.load(f, raw=False)
        if isinstance(data[0], dict) and data[0].get("format") == "cB":
            buckets = data[1:]
        else:
            raise ValueError(f"{path}: not a wordfreq cBpack file")
    else:
        import wordfreq

        buckets = wordfreq.get_frequency_list("en")
    ranks: dict[str, int] = {}
    for rank, bucket in enumerate(buckets):
        ranks.update(dict.fromkeys(bucket, rank))
    return ranks


@lru_cache(maxsize=1 << 16)
def zipf(word: str) -> float:
    """Zipf frequency of an English word (log10 per billion words), 0.0 if unknown.

    >>> zipf("the") > 7 > zipf("regarding") > 4 > zipf("xiami")
    True
    """
    rank = _ranks().get(word.lower())
    return 0.0 if rank is None else round(9 - rank / 100, 2)


#: Tokens as counted in :class:`Context`: runs of letters (no apostrophes).
_TOKEN = re.compile(r"[^\W\d_]+")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def english_share(text: str) -> float | None:
    """Share of a text's Latin words of two or more letters that are English words.

    None if it has none (for example a text in another script).

    >>> english_share("The cat sat on the mat with Xiaomi.")
    1.0
    >>> english_share("Наши герои знают толк") is None
    True
    """
    words = [w for w in _TOKEN.findall(text) if len(w) >= 2]
    if not words:
        return None
    latin = sum(1 for w in words if w.isascii())
    if latin < len(words) / 2:
        return None
    # names are words of no language: judge by the words that are not capitalised,
    # unless there are few (a title in title case)
    lower = [w for w in words if not w[0].isupper()]
    if len(lower) >= 5:
        words = lower
    known = sum(1 for w in words if zipf(w) >= 3.0)
    return known / len(words)


#: English function words that are rare as words of other languages.
_FUNCTION_WORDS = word_set(
    "the and of to is that for with was are this be by have has from it as at or not but "
    "they he she we you his her their which will would been were an its about more can "
    "had what who if than there when been into after also these those our i my your him "
    "them"
)


@lru_cache(maxsize=64)
def is_english(text: str) -> bool:
    """Whether a paragraph reads as English (so English word statistics apply).

    Most of its words must be English words, and some of them English function words
    (the English word list holds many short words of other languages). A text of fewer
    than twelve words counts as English: the article's language decides for it.

    >>> is_english("Further insights reveal that Xiaomi is actively forming teams.")
    True
    >>> is_english("Il black Friday incombe su di noi: per chi non lo sapesse (o per chi è "
    ...            "sbarcato ieri sulla terra)")
    False
    """
    words = [w.lower() for w in _TOKEN.findall(text)]
    if len(words) < 12:
        return True
    share = english_share(text)
    if share is None or share < 0.6:
        return False
    return share >= 0.9 or sum(1 for w in words if w in _FUNCTION_WORDS) >= 0.05 * len(words)


# A capitalised word after a word or a comma: inside a sentence, so a proper noun.
_INSIDE = re.compile(r"(?<=[\w,;] )([A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*)")
#: A proper noun must occur this often to count as one of the article's names.
NAME_COUNT = 3
NAME_LENGTH = 5


def is_name(word: str, length: int = NAME_LENGTH) -> bool:
    """Whether a word is capitalised like a proper noun (of at least ``length`` letters).

    >>> is_name("Xiaomi"), is_name("NASA"), is_name("Bob"), is_name("xiaomi")
    (True, False, False, False)
    """
    return len(word) >= length and word[0].isupper() and not word.isupper()


@dataclass(frozen=True)
class Context:
    """What the rules know about the whole article, computed once from all its text.

    ``words``: how often each word occurs, as written. ``english``: whether the article
    as a whole reads as English. ``curly``: whether it uses curly double quotes.
    ``names``: its proper nouns spelled the same way at least ``NAME_COUNT`` times, with
    their counts, most frequent first: capitalised words that are no common English
    word, or that the article writes inside sentences at least a quarter of the time,
    or seldom in lowercase (so "Apple" is a name where the article writes "by Apple",
    "Graham" where it begins sentences but "graham" is nowhere, "Because" is none).
    ``variants``: rare words that misspell one of those names, and the name (see
    :func:`evclean.degarble.names.variant_of`).
    """

    words: Mapping[str, int] = field(default_factory=dict)
    english: bool = True
    curly: bool = False
    names: tuple[tuple[str, int], ...] = ()
    variants: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, texts: Iterable[str]) -> Context:
        """The context of an article made of ``texts``.

        >>> ctx = Context.of(["Xiaomi said “yes”.", "So Xiaomi and Xiaomi did."])
        >>> ctx.words["Xiaomi"], ctx.english, ctx.curly, ctx.names
        (3, True, True, (('Xiaomi', 3),))
        """
        joined = "\n".join(texts)
        words = Counter(_TOKEN.findall(joined))
        inside = Counter(_INSIDE.findall(joined))  # capitalised words inside sentences
        head = joined[:5000]  # enough to know the language
        names = sorted(
            (
                (w, n) for w, n in words.items()
                if n >= NAME_COUNT and is_name(w)
                and (zipf(w) < 3.0 or inside[w] * 4 >= n or words[w.lower()] * 4 < n)
            ),
            key=lambda item: (-item[1], item[0]),
        )
        from .names import find_variants

        return cls(
            words=dict(words),
            names=tuple(names),
            english=is_english(head),
            curly="“" in joined or "”" in joined,
            variants=find_variants(words, tuple(names)),

        )

    def count(self, word: str) -> int:
        return self.words.get(word, 0)



EMPTY = Context()
