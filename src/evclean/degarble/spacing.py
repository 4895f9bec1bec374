"""Rules for spacing around punctuation and brackets, and for sentence case."""

from __future__ import annotations

import re

from ._text import EMPTY, Context, sub_outside, word_set, zipf

__all__ = ["EMPTY", "bracket_spacing", "dangling_punct", "punct_spacing", "sentence_case"]

_L = r"[^\W\d_]"
_PUNCT = re.compile(r"[,;:!?.](?=" + _L + ")")
_RUN_BEFORE = re.compile(r"[^\W\d_]+$")
_RUN_AFTER = re.compile(r"[^\W\d_]+")
_DOTTED_ABBR = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}$")
_OPENERS_BEFORE = "”’\"')]"


def _starts_sentence(word: str, text: str, end: int) -> bool:
    """Whether a word can start a sentence: capitalised, or the pronoun I."""
    if word == "I":
        return not text[end:end + 1].isalnum()
    return len(word) >= 2 and word[0].isupper() and word[1].islower()


def _space_after(m: re.Match[str]) -> str | None:
    text = m.string
    i = m.start()
    mark = m.group(0)
    head = text[max(0, i - 40):i]
    prev = head[-1:] or " "
    before = _RUN_BEFORE.search(head)
    left = before.group(0) if before else ""
    after = _RUN_AFTER.match(text, i + 1)
    right = after.group(0) if after else ""
    if mark == "." and _DOTTED_ABBR.search(head + "."):
        return ". " if len(right) >= 2 else None  # U.S.Army, e.g.using
    if mark == "." and head.endswith(".."):
        # an ellipsis glued to the next word after a space: "diagnosis ...had"
        run = len(head) - len(head.rstrip("."))
        return ". " if head[:-run].endswith(" ") and len(right) >= 2 else None
    if not (right[:1].isupper() or right[:1].islower()):
        return None  # a script without case, and without spaces: Apple Inc.の商標
    end = after.end() if after else i + 1
    capital = bool(right) and _starts_sentence(right, text, end)
    dotted = before is not None and before.start() > 0 and head[before.start() - 1] in ".@-"
    if mark in ".:" and dotted and not (mark == "." and capital):
        return None  # part of a dotted or hyphenated name: a.b.c, x-y.z
    # the article "a" or "A", followed by a space: "GLP-1,a hormone", "City.A company"
    article_a = right in ("a", "A") and text[end:end + 1] == " "
    if mark == ".":
        if right.lower() in _TLD_WORDS:
            return None  # PanARMENIAN.Net
        if left.lower() in ABBREVIATIONS and left[:1].isalpha():
            ok = len(right) >= 2  # tsp.olive, Rep.Ilhan
        elif len(left) >= 2 and left.islower():
            ok = (
                capital
                or article_a  # September.A major
                or (len(left) >= 3 and len(right) >= 2 and right.isupper())  # has.GET, total.VW
            )
        elif len(left) == 1 and head[-2:-1] in ("", " ") and capital:
            # an initial (Dianna E.Anderson) or a one-letter abbreviation (Bay d.Rockledge)
            ok = len(right) >= (2 if left.isupper() else 3)
        elif len(left) >= 3 and left[1:].islower() and capital and len(right) >= 3:
            ok = True  # Andrew.Maitlis (but Node.js, Vue.Js stay)
        else:  # BIG.And, 2015.In, (Leathers?!).It, City.A, 0.5%.China
            ok = (len(left) >= 2 or prev.isdigit() or prev in _OPENERS_BEFORE + "%") and (
                (capital and (right == "I" or zipf(right) >= 3.0)) or article_a
            )
    elif mark == ":":
        ok = (
            (len(left) >= 3 and (len(right) >= 2 or right == "a"))
            or (bool(left) and left.isupper() and capital)  # Q:What
            or (len(left) == 2 and zipf(left) >= 6.0 and capital)  # by:John
            or ((prev.isdigit() or prev in _OPENERS_BEFORE) and capital and len(right) >= 3)
        )
    elif mark == ",":
        # after any character: "Intuition®,the", "North ,Ahmad", "1.786%,down"
        ok = len(right) >= 2 or len(left) >= 2 or right == "I" or article_a  # GLP-1,a hormone
    else:  # ; ! ?
        ok = (
            (bool(left) or prev in _OPENERS_BEFORE or prev in "!?")  # Congratulations!!!What
            and (len(right) >= 2 or right == "I" or article_a)
            and not (left.isupper() and right.isupper())  # TL;DR
        )
    return mark + " " if ok else None


def punct_spacing(text: str, ctx: Context) -> str:
    """Put a space after , ; : ! ? and . where a word follows directly.

    >>> punct_spacing("XPENG,NIO,BYD,ZEEKR,etc.,have entered", EMPTY)
    'XPENG, NIO, BYD, ZEEKR, etc., have entered'
    >>> punct_spacing("It grew.Then it fell!Why?Nobody knows;really", EMPTY)
    'It grew. Then it fell! Why? Nobody knows; really'
    >>> punct_spacing("the U.S.Army and e.g.using", EMPTY)
    'the U.S. Army and e.g. using'
    >>> punct_spacing("add 1 tsp.olive oil, Rep.Ilhan Omar said:a mess", EMPTY)
    'add 1 tsp. olive oil, Rep. Ilhan Omar said: a mess'
    >>> punct_spacing("Dianna E.Anderson says ...had it.A win,GLP-1,a hormone. It.':South", EMPTY)
    "Dianna E. Anderson says ... had it. A win, GLP-1, a hormone. It.': South"
    >>> punct_spacing("Think BIG.And in 2015.In short, AT&T,Comcast/Xfinity,and I. Q:What", EMPTY)
    'Think BIG. And in 2015. In short, AT&T, Comcast/Xfinity, and I. Q: What'

    Numbers, times, abbreviations, domains, URLs and emoticons are left alone:

    >>> punct_spacing("3.5, 1,000, 10:30, U.S., e.g., tech-news.info, example.org/a?b=c :P", EMPTY)
    '3.5, 1,000, 10:30, U.S., e.g., tech-news.info, example.org/a?b=c :P'
    >>> punct_spacing("ASP.NET, Node.js, re:Invent, Yahoo!, TL;DR", EMPTY)
    'ASP.NET, Node.js, re:Invent, Yahoo!, TL;DR'
    """
    return sub_outside(_PUNCT, _space_after, text)


_OPEN = re.compile(r"(?<=[^\W\d_])\((?=[^()\n]{1,200}\))")
_CLOSE = re.compile(r"(?<=\()([^()\n]{1,200})\)(?=[^\W\d_])")
_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9&.-]+")


def _prose(content: str) -> bool:
    """Whether a bracketed text is words rather than code or a word part."""
    words = content.split()
    return (
        len(words) >= 2
        and content[:1].isalpha()
        and any(len(w) >= 3 and w.isalpha() for w in words)
    )


def bracket_spacing(text: str, ctx: Context) -> str:
    """Put a space before "(" and after ")" where a bracketed phrase is glued to words.

    >>> bracket_spacing("regardingXIAOMI(initial stages remain unknown.)time", EMPTY)
    'regardingXIAOMI (initial stages remain unknown.) time'
    >>> bracket_spacing("the vehicle(EV)industry", EMPTY)
    'the vehicle (EV) industry'

    Word parts, function calls and plurals stay as written:

    >>> bracket_spacing("(s)he (re)built the student(s) f(x) max(a, b) kebencian(mu)", EMPTY)
    '(s)he (re)built the student(s) f(x) max(a, b) kebencian(mu)'
    """

    if "(" not in text:
        return text

    def open_(m: re.Match[str]) -> str | None:
        end = m.string.index(")", m.end())
        content = m.string[m.end():end]
        if _prose(content) or _ACRONYM.fullmatch(content):
            return " ("
        return None

    def close(m: re.Match[str]) -> str | None:
        content = m.group(1)
        if _prose(content) or _ACRONYM.fullmatch(content) or content.rstrip()[-1:] in ".!?":
            return content + ") "
        return None

    return sub_outside(_CLOSE, close, sub_outside(_OPEN, open_, text))


#: Abbreviations written with a full stop, after which a word follows a space.
ABBREVIATIONS = word_set(
    "etc approx incl excl vs al cf ca viz esp fig figs tsp tbsp oz lb lbs min max sec mr "
    "mrs ms dr jr sr st prof rev gen sen rep gov col capt lt sgt inc ltd corp dept jan "
    "feb mar apr aug sept oct nov dec mt ft no vol co"
)
_TLD_WORDS = word_set("com net org info io gov edu uk")
_CASE = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})([.!?]\)\s+)([a-z]+)(?![\w.@/-])")


def sentence_case(text: str, ctx: Context) -> str:
    """Capitalise a word that follows a bracketed sentence closed by a full stop.

    >>> sentence_case("(results remain unknown.) time will tell", EMPTY)
    '(results remain unknown.) Time will tell'
    >>> sentence_case("(see fig.) and (approx.) then (Y.) shortly", EMPTY)
    '(see fig.) and (approx.) then (Y.) shortly'
    """

    if ")" not in text:
        return text

    def repl(m: re.Match[str]) -> str | None:
        if m.group(1).lower() in ABBREVIATIONS or not m.group(1).islower():
            return None
        word = m.group(3)
        return m.group(1) + m.group(2) + word[0].upper() + word[1:]

    return sub_outside(_CASE, repl, text)


_DANGLING = re.compile(r"(?<=[^\W\d_]{2})\s*[;,]+\s*$")


def dangling_punct(text: str, ctx: Context) -> str:
    """End a paragraph that stops on a comma or semicolon with a full stop.

    >>> dangling_punct("areas aspiring new standards planning;", EMPTY)
    'areas aspiring new standards planning.'
    >>> dangling_punct("The list follows:", EMPTY)
    'The list follows:'
    """
    if text.rstrip()[-1:] not in (";", ",") or "\n" in text.rstrip():
        return text  # nothing dangles; or a poem, an address or a list in one block
    return _DANGLING.sub(".", text)
