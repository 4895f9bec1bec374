"""Rules for markup left as text: tag fragments and HTML entities."""

from __future__ import annotations

import html
import re

from ._text import URLS_AND_CODE, Context, sub_outside

_TAGS = (
    "a|abbr|article|aside|b|blockquote|br|center|code|dd|div|dl|dt|em|figcaption|figure|"
    "font|footer|h[1-6]|header|hr|i|iframe|img|li|main|nav|ol|p|section|small|span|"
    "strong|sub|sup|table|tbody|td|th|thead|tr|u|ul"
)
_ATTR = r"""\s+[\w:-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]+)"""
# An HTML tag written as text, possibly with spaces inside the brackets ("< /div >").
# Attributes must look like attributes, so "a < b and c > d" is not a tag.
_TAG = re.compile(
    r"[ \t]*(?:<\s*/?\s*(?:" + _TAGS + r")(?:" + _ATTR + r")*\s*/?\s*>[ \t]*)+",
    re.IGNORECASE,
)


def tag_fragments(text: str, ctx: Context) -> str:
    """Remove HTML tags that a scraper left in the text.

    >>> tag_fragments("opinions sincerely acknowledged< /div >", EMPTY)
    'opinions sincerely acknowledged'
    >>> tag_fragments("one</p><p class='x'>two<br/>three", EMPTY)
    'one two three'
    >>> tag_fragments("if a < b and c > d, or x<y, or <3", EMPTY)
    'if a < b and c > d, or x<y, or <3'
    """
    if "<" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        start, end = m.span()
        before = m.string[start - 1] if start else ""
        after = m.string[end] if end < len(m.string) else ""
        if not before or not after or before in "([{\n" or after in ".,;:!?)]}\n":
            return ""
        return " "

    return sub_outside(_TAG, repl, text, URLS_AND_CODE)


_ENTITY = re.compile(r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,9});")
_SPACES = {"\xa0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f"}


def entities(text: str, ctx: Context) -> str:
    """Decode HTML entities that were left as text ("&nbsp;", "&amp;", "&#8217;").

    >>> entities("AT&amp;T said&nbsp;so &#8212; twice&hellip;", EMPTY)
    'AT&T said so — twice…'
    >>> entities("R&D, Q&A and &unknownthing; stay", EMPTY)
    'R&D, Q&A and &unknownthing; stay'
    """
    if "&" not in text:
        return text

    def repl(m: re.Match[str]) -> str | None:
        decoded = html.unescape(m.group(0))
        if decoded == m.group(0):
            return None
        if decoded in _SPACES:
            start, end = m.span()
            edge = start == 0 or end == len(m.string)
            return "" if edge or m.string[start - 1].isspace() else " "
        if len(decoded) != 1 or (ord(decoded) < 32 and decoded not in "\t\n"):
            return None
        return decoded

    out = sub_outside(_ENTITY, repl, text, URLS_AND_CODE)
    return re.sub(r"  +", " ", out) if out != text else out


EMPTY = Context()
